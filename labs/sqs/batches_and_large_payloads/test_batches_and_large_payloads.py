"""SendMessageBatch takes at most 10 entries and reports each entry's outcome; a payload too big for SQS travels
through S3 with a pointer in the message (the extended-client pattern, in extended_client.py)."""

from __future__ import annotations

import extended_client
import pytest
from botocore.exceptions import ClientError

from labkit.messaging import nothing_more, receive_until
from labkit.report import show_table

MIB = 1024 * 1024


def entries(count, **extra):
    return [{"Id": f"m{n}", "MessageBody": f"order {n}", **extra} for n in range(count)]


@pytest.fixture
def bucket(aws_client, unique_name):
    name = unique_name("payloads")
    aws_client("s3").create_bucket(Bucket=name)
    return name


def test_a_batch_of_10_is_sent_in_one_call(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("batch")

    response = sqs.send_message_batch(QueueUrl=queue, Entries=entries(10))

    assert sorted(entry["Id"] for entry in response["Successful"]) == sorted(f"m{n}" for n in range(10))
    assert response.get("Failed", []) == []
    assert len(receive_until(sqs, queue, 10)) == 10


def test_a_batch_of_11_is_refused_as_too_many_entries(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("batch")

    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest) as raised:
        sqs.send_message_batch(QueueUrl=queue, Entries=entries(11))

    assert raised.value.response["Error"]["Code"].endswith("TooManyEntriesInBatchRequest")
    assert nothing_more(sqs, queue, backend) == []  # nothing of it was sent


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "refuses the whole batch with InvalidParameterValue; AWS sends the 9 entries that fit and reports the "
    "oversized one in Failed",
    evidence=(
        "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
        "#TestSqsProvider::test_send_batch_message_size"
    ),
)
@pytest.mark.diverges(
    "localstack",
    "reports the oversized entry with the code InvalidParameterValueException; AWS's code is InvalidParameterValue",
    evidence=(
        "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
        "#TestSqsProvider::test_send_batch_message_size"
    ),
)
def test_a_failed_entry_is_reported_while_the_others_are_sent(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("partial", MaximumMessageSize=1024)  # the smallest limit a queue can have
    batch = entries(9) + [{"Id": "big", "MessageBody": "x" * 1025}]  # one byte over it

    response = sqs.send_message_batch(QueueUrl=queue, Entries=batch)  # HTTP 200 even though one entry failed
    outcome = [[e["Id"], "sent"] for e in response["Successful"]] + [[e["Id"], e["Code"]] for e in response["Failed"]]
    show_table("SendMessageBatch outcome", ["entry", "result"], outcome)

    assert len(response["Successful"]) == 9
    assert [(e["Id"], e["SenderFault"], e["Code"]) for e in response["Failed"]] == [
        ("big", True, "InvalidParameterValue")
    ]


def test_a_payload_over_1_mib_cannot_be_sent_directly(aws_client, make_queue):
    """AWS (recorded): "Message must be shorter than 1048576 bytes"."""
    sqs = aws_client("sqs")
    queue = make_queue("too-big")

    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=queue, MessageBody="x" * (2 * MIB))

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_a_small_payload_travels_inside_the_message(aws_client, make_queue, bucket):
    sqs, s3 = aws_client("sqs"), aws_client("s3")
    queue = make_queue("small")

    extended_client.send(sqs, s3, queue, bucket, "a small order")
    [item] = extended_client.receive(sqs, s3, queue)

    assert (item.body, item.pointer) == ("a small order", None)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_large_payload_goes_to_s3_and_the_message_carries_a_pointer(aws_client, make_queue, bucket):
    sqs, s3 = aws_client("sqs"), aws_client("s3")
    queue = make_queue("large")
    payload = "x" * (2 * MIB)  # twice what SQS takes

    extended_client.send(sqs, s3, queue, bucket, payload)
    [item] = extended_client.receive(sqs, s3, queue)
    raw = item.message
    sizes = [["SQS message body (the pointer)", len(raw["Body"])], ["S3 object (the payload)", len(item.body)]]
    show_table("one 2 MiB payload", ["where", "bytes"], sizes)

    assert item.body == payload  # the consumer followed the pointer
    assert item.pointer["s3BucketName"] == bucket
    assert len(raw["Body"]) < 200
    assert raw["MessageAttributes"]["ExtendedPayloadSize"]["StringValue"] == str(2 * MIB)


def test_deleting_a_large_message_deletes_its_s3_object(aws_client, make_queue, bucket):
    sqs, s3 = aws_client("sqs"), aws_client("s3")
    queue = make_queue("cleanup")
    extended_client.send(sqs, s3, queue, bucket, "y" * (300 * 1024))
    [item] = extended_client.receive(sqs, s3, queue)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1

    extended_client.delete(sqs, s3, queue, item)

    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
