"""DelaySeconds hides a new message (up to 900 s); long polling waits for a message and returns as soon as one
arrives; a receive returns at most 10 messages."""

from __future__ import annotations

import threading
import time

import pytest

from labkit.errors import error_code
from labkit.messaging import receive_until
from labkit.report import show, show_table


def timed(call, **kwargs):
    started = time.monotonic()
    response = call(**kwargs)
    return response.get("Messages", []), time.monotonic() - started


@pytest.mark.diverges(
    "localstack", "accepts a message with DelaySeconds=901; AWS answers InvalidParameterValue (0 to 900)"
)
def test_delay_seconds_goes_up_to_900_and_901_is_rejected(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delays")

    accepted = sqs.send_message(QueueUrl=queue, MessageBody="in 15 minutes", DelaySeconds=900)
    code = error_code(sqs.send_message, QueueUrl=queue, MessageBody="too late", DelaySeconds=901)

    assert accepted["MessageId"]
    assert code == "InvalidParameterValue"


def test_a_delayed_message_is_invisible_until_the_delay_passes(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("delayed")
    sqs.send_message(QueueUrl=queue, MessageBody="welcome email", DelaySeconds=1)

    right_away = sqs.receive_message(QueueUrl=queue).get("Messages", [])
    delayed = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    started = time.monotonic()
    later = receive_until(sqs, queue, 1, within=2.5)
    show(f"the delayed message arrived {time.monotonic() - started:.2f} s after the first receive (DelaySeconds 1)")

    assert right_away == []
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert [m["Body"] for m in later] == ["welcome email"]


def test_a_long_poll_returns_as_soon_as_a_message_arrives(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("long-poll")
    sender = threading.Timer(0.3, lambda: sqs.send_message(QueueUrl=queue, MessageBody="arrived mid-poll"))

    sender.start()
    try:
        messages, waited = timed(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=2)
    finally:
        sender.join()
    show(f"long poll (WaitTimeSeconds 2) returned after {waited:.2f} s; the message was sent at 0.3 s")

    assert [m["Body"] for m in messages] == ["arrived mid-poll"]
    assert waited < 1.5  # did not sit out the full 2 s


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


def test_wait_time_seconds_goes_up_to_20_and_21_is_rejected(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("wait-limit")
    sqs.send_message(QueueUrl=queue, MessageBody="here already")

    accepted, waited = timed(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=20)  # a message is there: no wait
    code = error_code(sqs.receive_message, QueueUrl=queue, WaitTimeSeconds=21)

    assert [m["Body"] for m in accepted] == ["here already"] and waited < 2
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
