"""Function A of the note: the S3 client and the helpers are created inside the handler, on every invocation.

Written for this lab after 000 "[Lambda Best Practices] Separate the Lambda handler from your core logic".
The bucket comes from the BUCKET variable (the note hard-codes its own), the file goes to the environment's
temporary directory (``/tmp`` on Lambda), and the handler returns counters so the lab can see what ran.
"""

import os
import tempfile
import uuid

import boto3

INITS = 1  # module code runs once per execution environment
ENVIRONMENT = uuid.uuid4().hex[:8]
clients_created = 0


def lambda_handler(event, context):
    global clients_created
    s3 = boto3.client("s3")
    clients_created += 1

    def download_file(bucket, key, out_file):
        s3.download_file(bucket, key, out_file)

    def read_file(file):
        with open(file) as f:
            print(f.read())

    bucket = os.environ["BUCKET"]
    key = "sample_file.txt"
    out_file = os.path.join(tempfile.gettempdir(), "sample_file.txt")

    download_file(bucket, key, out_file)
    read_file(out_file)
    return {"inits": INITS, "environment": ENVIRONMENT, "clients_created": clients_created}
