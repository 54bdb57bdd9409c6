"""The notes' 256 KB limit is now a queue setting: the default MaximumMessageSize is 1 MiB (since 2025)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.messaging import long_poll
from labkit.report import show_table

KIB = 1024
OLD_LIMIT = 256 * KIB  # 262144: the notes' "256 KB"
NEW_LIMIT = 1024 * KIB  # 1048576: today's default and maximum


def body(size):
    return "x" * size  # ASCII: one byte per character


def send_error(sqs, queue, size):
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=queue, MessageBody=body(size))
    return raised.value.response["Error"]["Code"]


def test_default_maximum_message_size_is_1_mib(aws_client, make_queue):
    queue = make_queue("default-size")

    attributes = aws_client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["MaximumMessageSize"])

    assert attributes["Attributes"]["MaximumMessageSize"] == str(NEW_LIMIT) == "1048576"


def test_default_queue_accepts_more_than_the_notes_256_kb(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("default-size")

    sent = sqs.send_message(QueueUrl=queue, MessageBody=body(OLD_LIMIT + 1))
    [received] = long_poll(sqs, queue)

    assert sent["MessageId"] == received["MessageId"]
    assert len(received["Body"]) == 262145


def test_a_queue_limited_to_256_kib_rejects_one_byte_more(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("old-size", MaximumMessageSize=OLD_LIMIT)

    fits = sqs.send_message(QueueUrl=queue, MessageBody=body(OLD_LIMIT))
    code = send_error(sqs, queue, OLD_LIMIT + 1)
    show_table("MaximumMessageSize 262144", ["body bytes", "result"], [[OLD_LIMIT, "sent"], [OLD_LIMIT + 1, code]])

    assert fits["MessageId"]
    assert code == "InvalidParameterValue"


def test_one_byte_over_1_mib_is_rejected_everywhere(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("max-size")

    assert sqs.send_message(QueueUrl=queue, MessageBody=body(NEW_LIMIT))["MessageId"]
    assert send_error(sqs, queue, NEW_LIMIT + 1) == "InvalidParameterValue"


@pytest.mark.diverges(
    "localstack",
    "creates a queue with MaximumMessageSize 1048577; on AWS 1 MiB is the largest message (recorded) and an invalid "
    "queue attribute value is InvalidAttributeValue",
    evidence=(
        "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
        "#TestSqsProvider::test_send_oversized_message[sqs] ; "
        "https://docs.aws.amazon.com/botocore/latest/reference/services/sqs/client/exceptions/InvalidAttributeValue.html"
    ),
)
def test_maximum_message_size_cannot_be_set_above_1_mib(aws_client, make_queue):
    with pytest.raises(ClientError) as raised:
        make_queue("too-big", MaximumMessageSize=NEW_LIMIT + 1)

    assert raised.value.response["Error"]["Code"] == "InvalidAttributeValue"
