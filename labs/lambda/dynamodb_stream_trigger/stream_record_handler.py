"""A function fed by a DynamoDB stream through an event source mapping.

It reports every batch of stream records it receives (exactly as Lambda passed them) to the queue
SEEN_QUEUE_URL, and succeeds, so the mapping moves on to the next records.
"""

import json
import os

import boto3

sqs = boto3.client("sqs")


def lambda_handler(event, context):
    sqs.send_message(QueueUrl=os.environ["SEEN_QUEUE_URL"], MessageBody=json.dumps(event["Records"]))
