"""S3 sends a message to SQS when an object is created; a suffix filter narrows which keys count. Setting up
the notification first delivers an ``s3:TestEvent``. None of this needs versioning."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import allow_service_to_send, bodies, queue_arn, receive_expected, receive_until
from labkit.report import show_table


@pytest.fixture
def notified_queue(aws_client, unique_name, s3, bucket):
    """A queue that gets the bucket's ObjectCreated events for keys ending in ``.jpg``."""
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName=unique_name("uploads"))["QueueUrl"]
    allow_service_to_send(sqs, url, "s3", f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "jpg-uploads",
                    "QueueArn": queue_arn(sqs, url),
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}},
                }
            ]
        },
    )
    return url


def object_events(messages):
    """The (eventName, key) of every record, leaving out the s3:TestEvent."""
    return [
        (record["eventName"], record["s3"]["object"]["key"])
        for body in bodies(messages)
        for record in body.get("Records", [])
    ]


def test_setting_up_a_notification_first_sends_an_s3_test_event(aws_client, backend, bucket, notified_queue):
    [message] = receive_until(aws_client("sqs"), notified_queue, 1, within=seconds(MESSAGE, backend))
    body = json.loads(message["Body"])

    # AWS also sends RequestId and HostId (moto leaves them out); a consumer checks Event to skip this message.
    assert {field: body[field] for field in ("Service", "Event", "Bucket")} == {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Bucket": bucket,
    }
    assert "Records" not in body and body["Time"]


def test_an_object_created_in_a_non_versioned_bucket_sends_a_message(aws_client, backend, s3, bucket, notified_queue):
    s3.put_object(Bucket=bucket, Key="cat.jpg", Body=b"meow")
    messages = receive_until(
        aws_client("sqs"), notified_queue, 2, within=seconds(MESSAGE, backend)
    )  # test event, upload
    [record] = [r for body in bodies(messages) for r in body.get("Records", [])]

    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)  # versioning was never turned on
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == bucket
    assert (record["s3"]["object"]["key"], record["s3"]["object"]["size"]) == ("cat.jpg", 4)
    assert record["s3"]["configurationId"] == "jpg-uploads"


def test_a_suffix_filter_keeps_other_keys_out(aws_client, backend, s3, bucket, notified_queue):
    keys = ("notes.txt", "dog.jpg", "cat.png", "bird.jpg")
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    messages = receive_expected(aws_client("sqs"), notified_queue, 3, backend)  # test event + 2, then any strays
    events = object_events(messages)
    rows = [[key, "yes" if ("ObjectCreated:Put", key) in events else "no"] for key in keys]
    show_table("uploads and the messages they caused", ["key", "message?"], rows)

    assert sorted(events) == [("ObjectCreated:Put", "bird.jpg"), ("ObjectCreated:Put", "dog.jpg")]


@pytest.mark.diverges(
    "localstack",
    'percent-encodes the space ("red%20flower.jpg"); AWS form-encodes the key ("red+flower.jpg")',
    evidence="localstack/localstack:tests/aws/services/s3/test_s3_notifications_sqs.snapshot.json"
    "#TestS3NotificationsToSQS::test_key_encoding",
)
def test_the_key_in_the_event_is_url_encoded(aws_client, backend, s3, bucket, notified_queue):
    """AWS documents it: "red flower.jpg" arrives as "red+flower.jpg"; a consumer must decode it."""
    s3.put_object(Bucket=bucket, Key="red flower.jpg", Body=b"x")
    [(_, key)] = object_events(receive_until(aws_client("sqs"), notified_queue, 2, within=seconds(MESSAGE, backend)))

    assert key == "red+flower.jpg"
    assert unquote_plus(key) == "red flower.jpg"
