"""Function B of the note: the S3 client and the helpers live at module level, created once per environment.

Written for this lab after 000 "[Lambda Best Practices] Separate the Lambda handler from your core logic".
Same work as function_a.py; only where the client is created differs.
"""

import os
import tempfile
import uuid

import boto3

INITS = 1  # module code runs once per execution environment
ENVIRONMENT = uuid.uuid4().hex[:8]
s3 = boto3.client("s3")
clients_created = 1


def download_file(bucket, key, out_file):
    s3.download_file(bucket, key, out_file)


def read_file(file):
    with open(file) as f:
        print(f.read())


def lambda_handler(event, context):
    bucket = os.environ["BUCKET"]
    key = "sample_file.txt"
    out_file = os.path.join(tempfile.gettempdir(), "sample_file.txt")

    download_file(bucket, key, out_file)
    read_file(out_file)
    return {"inits": INITS, "environment": ENVIRONMENT, "clients_created": clients_created}
