"""DelaySeconds hides a new message (up to 900 s); long polling waits for a message and returns as soon as one
arrives; a receive returns at most 10 messages."""

from __future__ import annotations

import threading
import time

import pytest

from labkit.errors import error_code
from labkit.messaging import DELAYED, VISIBLE, receive_until, settled_counts
from labkit.report import show, show_table

DELAY_EVIDENCE = (
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sqs/aws.sdk.kotlin.services.sqs.model/"
    "-send-message-request/delay-seconds.html ; localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
    "#TestSqsProvider::test_fifo_queue_send_message_with_delay_seconds_fails[sqs]"
)


def timed(call, **kwargs):
    started = time.monotonic()
    response = call(**kwargs)
    return response.get("Messages", []), time.monotonic() - started


@pytest.mark.diverges(
    ("localstack", "ministack"),
    "accepts a message with DelaySeconds=901; AWS allows 0 to 900 and answers an invalid DelaySeconds with "
    "InvalidParameterValue",
    evidence=DELAY_EVIDENCE,
)
def test_delay_seconds_goes_up_to_900_and_901_is_rejected(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delays")

    accepted = sqs.send_message(QueueUrl=queue, MessageBody="in 15 minutes", DelaySeconds=900)
    code = error_code(sqs.send_message, QueueUrl=queue, MessageBody="too late", DelaySeconds=901)

    assert accepted["MessageId"]
    assert code == "InvalidParameterValue"


def test_a_delayed_message_is_counted_as_delayed_not_visible(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delayed-count")

    sqs.send_message(QueueUrl=queue, MessageBody="reminder in 15 minutes", DelaySeconds=900)

    assert settled_counts(sqs, queue, (0, 1), backend, VISIBLE, DELAYED) == (0, 1)  # (visible, delayed)


def test_a_delayed_message_is_invisible_until_the_delay_passes(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delayed")
    sqs.send_message(QueueUrl=queue, MessageBody="welcome email", DelaySeconds=1)

    right_away = sqs.receive_message(QueueUrl=queue).get("Messages", [])
    started = time.monotonic()
    later = receive_until(sqs, queue, 1, within=2.5)
    show(f"the delayed message arrived {time.monotonic() - started:.2f} s after the first receive (DelaySeconds 1)")

    assert right_away == []
    assert [m["Body"] for m in later] == ["welcome email"]


def test_a_long_poll_returns_as_soon_as_a_message_arrives(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("long-poll")
    sender = threading.Timer(0.3, lambda: sqs.send_message(QueueUrl=queue, MessageBody="arrived mid-poll"))

    sender.start()
    try:
        messages, waited = timed(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=20)
    finally:
        sender.join()
    show(f"long poll (WaitTimeSeconds 20) returned after {waited:.2f} s; the message was sent at 0.3 s")

    assert [m["Body"] for m in messages] == ["arrived mid-poll"]
    assert waited < 10  # it did not sit out its 20 s: it answered when the message came


def test_short_polling_answers_at_once_and_long_polling_waits_on_an_empty_queue(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("empty")

    short, short_time = timed(sqs.receive_message, QueueUrl=queue)
    long, long_time = timed(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=1)
    show_table("receive on an empty queue", ["poll", "messages", "seconds"],
               [["short (WaitTimeSeconds 0)", len(short), f"{short_time:.2f}"],
                ["long (WaitTimeSeconds 1)", len(long), f"{long_time:.2f}"]])  # fmt: skip

    assert short == long == []
    assert long_time >= 0.9  # the long poll held the request open for its second ...
    assert short_time < long_time / 2  # ... the short poll answered at once


@pytest.mark.diverges(
    "ministack",
    "accepts WaitTimeSeconds=21 (and waits); AWS answers InvalidParameterValue (0 to 20)",
    evidence=(
        "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
        "#TestSqsProvider::test_send_receive_wait_time_seconds[sqs]"
    ),
)
def test_wait_time_seconds_goes_up_to_20_and_21_is_rejected(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("wait-limit")
    for body in ("here already", "and another"):  # a backend that accepts 21 then answers at once, not in 21 s
        sqs.send_message(QueueUrl=queue, MessageBody=body)

    accepted, waited = timed(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=20)  # a message is there: no wait
    code = error_code(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=21)

    assert len(accepted) == 1 and waited < 2
    assert code == "InvalidParameterValue"


def test_a_receive_returns_at_most_10_messages(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("ten")
    for start in (0, 10):
        entries = [{"Id": str(n), "MessageBody": f"job {n}"} for n in range(start, min(start + 10, 15))]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)

    sizes, seen, deadline = [], set(), time.monotonic() + 2
    while len(seen) < 15 and time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        sizes.append(len(batch))
        seen.update(m["Body"] for m in batch)
    code = error_code(sqs.receive_message, QueueUrl=queue, MaxNumberOfMessages=11)
    show(f"15 messages came back in receives of {sizes}")

    assert len(seen) == 15
    assert max(sizes) <= 10 and len(sizes) >= 2  # 15 messages need at least two receives
    assert code == "InvalidParameterValue"
