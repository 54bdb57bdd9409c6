"""A function invoked asynchronously (InvocationType Event), so Lambda queues the event and runs it later.

Every attempt first reports itself (its request id and the event) to the queue ATTEMPTS_QUEUE_URL, so a test
can count the attempts Lambda made. Then an event ``{"order": n, "fail": true}`` raises OrderRejected (an
exception of its own class, to see which name Lambda reports), and any other event returns ``{"accepted": n}``.
"""

import json
import os

import boto3

sqs = boto3.client("sqs")


class OrderRejected(Exception):
    """The order cannot be accepted."""


def lambda_handler(event, context):
    attempt = {"request_id": context.aws_request_id, "event": event}
    sqs.send_message(QueueUrl=os.environ["ATTEMPTS_QUEUE_URL"], MessageBody=json.dumps(attempt))
    if event.get("fail"):
        raise OrderRejected(f"order {event['order']} rejected")
    return {"accepted": event["order"]}
