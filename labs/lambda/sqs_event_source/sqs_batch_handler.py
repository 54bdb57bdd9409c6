"""An SQS consumer behind an event source mapping.

It reports every batch it receives (the records exactly as Lambda passed them) to the queue SEEN_QUEUE_URL,
then does what BEHAVIOUR says:
- ``succeed``: returns normally, so Lambda deletes the whole batch from the queue;
- ``fail``: raises, so the whole batch returns to the queue when its visibility timeout ends;
- ``report``: returns the records whose body has ``"fail": true`` as ``batchItemFailures``; with
  ReportBatchItemFailures on the mapping only those return to the queue.
"""

import json
import os

import boto3

sqs = boto3.client("sqs")


def lambda_handler(event, context):
    records = event["Records"]
    sqs.send_message(QueueUrl=os.environ["SEEN_QUEUE_URL"], MessageBody=json.dumps(records))
    behaviour = os.environ["BEHAVIOUR"]
    if behaviour == "fail":
        raise RuntimeError(f"failing the whole batch of {len(records)}")
    if behaviour == "report":
        failed = [record["messageId"] for record in records if json.loads(record["body"]).get("fail")]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
    return None
