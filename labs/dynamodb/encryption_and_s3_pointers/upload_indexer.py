"""A function S3 invokes for each new object: it indexes the object in DynamoDB (table INDEX_TABLE).

The customer is the key's first path segment; the sort key is the event's time, then the object key, so a
customer's uploads sort by time. The size comes from the event: nothing is read from S3.
"""

import os
from urllib.parse import unquote_plus

import boto3

dynamodb = boto3.client("dynamodb")


def lambda_handler(event, context):
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        dynamodb.put_item(
            TableName=os.environ["INDEX_TABLE"],
            Item={
                "customer": {"S": key.split("/", 1)[0]},
                "uploaded_key": {"S": f"{record['eventTime']}#{key}"},
                "key": {"S": key},
                "size": {"N": str(record["s3"]["object"]["size"])},
                "bucket": {"S": record["s3"]["bucket"]["name"]},
            },
        )
