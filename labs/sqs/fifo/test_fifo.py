"""FIFO queues: strict order within a MessageGroupId, one group blocked while it has a message in flight,
and deduplication (by id or by content) that accepts the duplicate send but never delivers it."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.messaging import drain, long_poll, nothing_more
from labkit.report import show_table

INTERLEAVED = [("truck-1", "loaded"), ("truck-2", "loaded"), ("truck-1", "departed"),
               ("truck-2", "departed"), ("truck-1", "arrived"), ("truck-2", "arrived")]  # fmt: skip


def send(sqs, queue, body, group, dedup=None):
    extra = {"MessageDeduplicationId": dedup} if dedup else {}
    return sqs.send_message(QueueUrl=queue, MessageBody=body, MessageGroupId=group, **extra)


def test_a_fifo_queue_name_must_end_in_dot_fifo(aws_client, unique_name):
    with pytest.raises(ClientError) as raised:
        aws_client("sqs").create_queue(QueueName=unique_name("no-suffix"), Attributes={"FifoQueue": "true"})

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_messages_keep_their_order_within_each_group_across_interleaved_groups(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("trucks", fifo=True, ContentBasedDeduplication=True)
    for group, event in INTERLEAVED:
        send(sqs, queue, f"{group} {event}", group)

    received = drain(sqs, queue, len(INTERLEAVED), AttributeNames=["MessageGroupId"])
    by_group = {}
    for message in received:
        by_group.setdefault(message["Attributes"]["MessageGroupId"], []).append(message["Body"].split()[1])
    show_table("received, per group", ["group", "events in order"], [[g, ", ".join(e)] for g, e in by_group.items()])

    assert len(received) == 6
    assert by_group == {"truck-1": ["loaded", "departed", "arrived"], "truck-2": ["loaded", "departed", "arrived"]}


def test_a_group_is_blocked_while_one_of_its_messages_is_in_flight(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("blocked", fifo=True, ContentBasedDeduplication=True)
    send(sqs, queue, "truck-1 loaded", "truck-1")
    send(sqs, queue, "truck-1 departed", "truck-1")
    send(sqs, queue, "truck-2 loaded", "truck-2")

    [first] = long_poll(sqs, queue, MaxNumberOfMessages=1)
    while_in_flight = long_poll(sqs, queue, MaxNumberOfMessages=10)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"])
    for message in while_in_flight:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    after_delete = long_poll(sqs, queue, MaxNumberOfMessages=10)

    assert first["Body"] == "truck-1 loaded"
    assert [m["Body"] for m in while_in_flight] == ["truck-2 loaded"]  # truck-1 waits; truck-2 does not
    assert [m["Body"] for m in after_delete] == ["truck-1 departed"]


def test_a_duplicate_deduplication_id_is_accepted_but_not_delivered(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("dedup-id", fifo=True)

    first = send(sqs, queue, "charge card 1234: 10 EUR", "payments", dedup="payment-0001")
    retry = send(sqs, queue, "charge card 1234: 10 EUR (retry)", "payments", dedup="payment-0001")
    received = drain(sqs, queue, 1) + nothing_more(sqs, queue, backend)  # the first, then any duplicate

    assert first["MessageId"] and retry["MessageId"]  # the retry is not refused: the send succeeds ...
    assert [m["Body"] for m in received] == ["charge card 1234: 10 EUR"]  # ... but only one is delivered


def test_content_based_deduplication_drops_an_identical_body(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("dedup-content", fifo=True, ContentBasedDeduplication=True)

    sends = [send(sqs, queue, body, "payments") for body in ("pay 10 EUR", "pay 10 EUR", "pay 20 EUR")]
    received = drain(sqs, queue, 2) + nothing_more(sqs, queue, backend)  # the two bodies, then any duplicate

    assert all(response["MessageId"] for response in sends)
    assert [m["Body"] for m in received] == ["pay 10 EUR", "pay 20 EUR"]


def test_a_message_without_a_group_id_is_rejected(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("no-group", fifo=True, ContentBasedDeduplication=True)

    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=queue, MessageBody="which group?")

    assert raised.value.response["Error"]["Code"] == "MissingParameter"


def test_a_per_message_delay_is_rejected_on_a_fifo_queue(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("no-delay", fifo=True, ContentBasedDeduplication=True)

    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=queue, MessageBody="later", MessageGroupId="g", DelaySeconds=1)

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
