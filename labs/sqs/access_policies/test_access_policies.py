"""A queue's resource policy says who may do what to it. The note shows two: a grant to another account, and
the policy that lets an S3 bucket send its event notifications to the queue. AddPermission writes the first
kind for you; the second decides whether S3 accepts a bucket's notification configuration at all."""

from __future__ import annotations

import copy
import json

import pytest

from labkit.data import load_json
from labkit.errors import error_code
from labkit.eventually import MESSAGE, eventually, seconds
from labkit.messaging import queue_arn, receive_until
from labkit.report import show

NOTE_S3_POLICY = load_json("sqs/s3_notification_policy.json")
OTHER_ACCOUNT = "111122223333"  # a 12-digit account ID, as AWS's own examples use
KEY = "report-2024-05.csv"  # no characters that S3 URL-encodes in the event


def s3_policy(queue, bucket, account):
    """The note's S3 policy with its placeholders filled in: this queue, this bucket, this account."""
    policy = copy.deepcopy(NOTE_S3_POLICY)
    [statement] = policy["Statement"]
    statement["Resource"] = queue
    statement["Condition"]["ArnLike"]["aws:SourceArn"] = f"arn:aws:s3:*:*:{bucket}"
    statement["Condition"]["StringEquals"]["aws:SourceAccount"] = account
    return policy


def notify(s3, bucket, queue):
    """Send the bucket's ObjectCreated events to the queue; the error code S3 answers, or "allowed"."""
    configuration = {"QueueConfigurations": [{"QueueArn": queue, "Events": ["s3:ObjectCreated:*"]}]}
    return error_code(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration=configuration)


def object_events(messages):
    """(eventName, key) of each S3 event record, leaving out the s3:TestEvent S3 sends first."""
    bodies = [json.loads(m["Body"]) for m in messages]
    return [(r["eventName"], r["s3"]["object"]["key"]) for b in bodies for r in b.get("Records", [])]


@pytest.fixture
def bucket(aws_client, unique_name):
    name = unique_name("reports")
    aws_client("s3").create_bucket(Bucket=name)
    return name


@pytest.mark.diverges(
    "ministack",
    "writes the statement with the bare account ID in a list and the action as sqs:ReceiveMessage; AWS writes the "
    "principal as arn:aws:iam::<account>:root and the action as SQS:ReceiveMessage",
    evidence=(
        "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
        "#TestSqsProvider::test_sqs_permission_lifecycle[sqs]"
    ),
)
def test_add_permission_writes_the_cross_account_statement(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("shared")

    sqs.add_permission(QueueUrl=queue, Label="partner-reads", AWSAccountIds=[OTHER_ACCOUNT], Actions=["ReceiveMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])["Attributes"]["Policy"])
    [statement] = policy["Statement"]
    show(f"the statement SQS wrote: {json.dumps(statement)}")

    assert statement["Sid"] == "partner-reads"
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    assert statement["Action"] == "SQS:ReceiveMessage"
    assert statement["Resource"] == queue_arn(sqs, queue)


def test_an_s3_notification_reaches_the_queue_under_the_notes_policy(
    aws_client, backend, aws_account_id, make_queue, bucket
):
    sqs, s3 = aws_client("sqs"), aws_client("s3")
    queue = make_queue("report-events")
    arn = queue_arn(sqs, queue)
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(s3_policy(arn, bucket, aws_account_id))})

    accepted = eventually(  # a new policy takes a while to reach every server on AWS
        lambda: notify(s3, bucket, arn),
        backend,
        until=lambda code: code != "InvalidArgument",
        aws_seconds=60,
        interval=5,
    )
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"month,total\n2024-05,1200\n")
    events = wait_for_object_event(sqs, queue, backend)

    assert accepted == "allowed"
    assert events == [("ObjectCreated:Put", KEY)]


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "accepts the notification configuration without checking the queue policy; AWS first sends a test "
    "notification and refuses with InvalidArgument (Unable to validate the following destination configurations) "
    "when the queue does not let the bucket send",
    evidence=(
        "https://docs.aws.amazon.com/cli/latest/reference/s3api/put-bucket-notification-configuration.html ; "
        "localstack/localstack:tests/aws/services/s3/test_s3_notifications_sqs.snapshot.json"
        "#TestS3NotificationsToSQS::test_invalid_sqs_arn"
    ),
)
def test_s3_refuses_to_notify_a_queue_whose_policy_names_another_bucket(
    aws_client, aws_account_id, unique_name, make_queue, bucket
):
    sqs, s3 = aws_client("sqs"), aws_client("s3")
    queue = make_queue("report-events")
    arn = queue_arn(sqs, queue)
    someone_else = s3_policy(arn, unique_name("other-bucket"), aws_account_id)
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(someone_else)})

    assert notify(s3, bucket, arn) == "InvalidArgument"


def wait_for_object_event(sqs, queue, backend):
    """The object events that arrive (patiently on AWS), skipping S3's test event."""
    messages = receive_until(sqs, queue, 2, within=2.0)  # the s3:TestEvent, if any, and the object event
    events = object_events(messages)
    if not events:
        events = object_events(receive_until(sqs, queue, 1, within=seconds(MESSAGE, backend)))
    return events
