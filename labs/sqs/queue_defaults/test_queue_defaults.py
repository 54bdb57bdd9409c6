"""Two queue attributes set defaults for every call: DelaySeconds delays every new message, and
ReceiveMessageWaitTimeSeconds makes every receive a long poll. A single SendMessage or ReceiveMessage can
override them (a standard queue only, for the delay)."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from labkit.messaging import DELAYED, VISIBLE, long_poll, receive_until, settled_counts

ATTRIBUTE_RANGE_EVIDENCE = (
    "https://docs.aws.amazon.com/cli/v1/reference/sqs/set-queue-attributes.html ; "
    "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
    "#TestSqsProvider::test_set_unsupported_attribute_fifo[sqs]"
)


def receive_while_sending(sqs, queue, body, after=0.5, **receive):
    """Start a receive, send ``body`` ``after`` seconds later from another thread; what the receive returned."""
    sender = threading.Timer(after, lambda: sqs.send_message(QueueUrl=queue, MessageBody=body))
    sender.start()
    try:
        return sqs.receive_message(QueueUrl=queue, **receive).get("Messages", [])
    finally:
        sender.join()


def test_a_queue_delay_holds_back_every_new_message(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delay-queue", DelaySeconds=900)  # 15 minutes, the most there is

    sqs.send_message(QueueUrl=queue, MessageBody="sent without a delay of its own")
    got = long_poll(sqs, queue)

    assert got == []
    assert settled_counts(sqs, queue, (0, 1), backend, VISIBLE, DELAYED) == (0, 1)  # (visible, delayed)


def test_a_per_message_delay_of_0_overrides_the_queue_delay(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delay-override", DelaySeconds=900)

    sqs.send_message(QueueUrl=queue, MessageBody="queue default: 900 s")
    sqs.send_message(QueueUrl=queue, MessageBody="DelaySeconds 0: now", DelaySeconds=0)
    got = receive_until(sqs, queue, 2, within=1.0)  # asks for both; only one can come in 1 s of 900

    assert [m["Body"] for m in got] == ["DelaySeconds 0: now"]


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "creates the queue with DelaySeconds 901; AWS takes 0 to 900 and answers InvalidAttributeValue",
    evidence=ATTRIBUTE_RANGE_EVIDENCE,
)
def test_a_queue_delay_above_900_seconds_is_refused(aws_client, make_queue):
    with pytest.raises(ClientError) as raised:
        make_queue("delay-too-long", DelaySeconds=901)

    assert raised.value.response["Error"]["Code"] == "InvalidAttributeValue"


def test_a_queue_with_a_receive_wait_time_long_polls_every_receive(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("long-poll-queue", ReceiveMessageWaitTimeSeconds=5)

    got = receive_while_sending(sqs, queue, "sent 0.5 s into the receive")  # no WaitTimeSeconds on the call

    assert [m["Body"] for m in got] == ["sent 0.5 s into the receive"]  # the receive waited for it


def test_wait_time_seconds_0_on_a_receive_overrides_the_queues_long_polling(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("short-poll-call", ReceiveMessageWaitTimeSeconds=5)

    got = receive_while_sending(sqs, queue, "sent 0.5 s into the receive", WaitTimeSeconds=0)

    assert got == []  # a short poll: it answered before the message was sent
    assert [m["Body"] for m in long_poll(sqs, queue)] == ["sent 0.5 s into the receive"]


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "creates the queue with ReceiveMessageWaitTimeSeconds 21; AWS takes 0 to 20 and answers InvalidAttributeValue",
    evidence=ATTRIBUTE_RANGE_EVIDENCE,
)
def test_a_queue_receive_wait_time_above_20_seconds_is_refused(aws_client, make_queue):
    with pytest.raises(ClientError) as raised:
        make_queue("wait-too-long", ReceiveMessageWaitTimeSeconds=21)

    assert raised.value.response["Error"]["Code"] == "InvalidAttributeValue"
