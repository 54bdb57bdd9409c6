"""A function other services invoke: S3 when an object is created, SNS when a message is published to a topic
it subscribes to, EventBridge when an event matches a rule that targets it.

It reports each event, exactly as the service sent it, to the queue SEEN_QUEUE_URL, so a test can read the
event shape each service uses.
"""

import json
import os

import boto3

sqs = boto3.client("sqs")


def lambda_handler(event, context):
    sqs.send_message(QueueUrl=os.environ["SEEN_QUEUE_URL"], MessageBody=json.dumps(event))
