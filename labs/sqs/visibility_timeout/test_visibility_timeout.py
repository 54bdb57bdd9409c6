"""Receiving a message does not remove it: it hides for the visibility timeout, then reappears unless deleted."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from labkit.messaging import long_poll, nothing_more, receive_until, settled_counts
from labkit.report import show, show_table


def receive_one(sqs, queue_url, seconds=1, **kwargs):
    """One long poll (a short poll may miss a message on AWS), with the receive count."""
    return long_poll(sqs, queue_url, seconds, AttributeNames=["ApproximateReceiveCount"], **kwargs)


def test_default_visibility_timeout_is_30_seconds(aws_client, make_queue):
    queue = make_queue("defaults")
    attributes = aws_client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout"])

    assert attributes["Attributes"]["VisibilityTimeout"] == "30"


def test_a_received_message_is_hidden_from_the_next_receive(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("hidden")
    sqs.send_message(QueueUrl=queue, MessageBody="resize image 42")

    first = receive_one(sqs, queue)
    second = nothing_more(sqs, queue, backend)  # a 1 s long poll (moto: one look): nothing comes

    assert [m["Body"] for m in first] == ["resize image 42"]
    assert second == []  # in flight: another consumer cannot see it
    assert settled_counts(sqs, queue, (0, 1), backend) == (0, 1)  # (visible, in flight)


def test_an_undeleted_message_reappears_after_the_timeout_with_receive_count_2(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("reappears", VisibilityTimeout=1)
    sqs.send_message(QueueUrl=queue, MessageBody="resize image 42")

    first = receive_one(sqs, queue)
    started = time.monotonic()
    hidden = sqs.receive_message(QueueUrl=queue).get("Messages", [])  # right after the receive: still hidden
    again = receive_until(sqs, queue, 1, within=2.5, AttributeNames=["ApproximateReceiveCount"])
    show(f"the message came back after {time.monotonic() - started:.2f} s (VisibilityTimeout 1 s)")

    assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert hidden == []
    assert [m["Body"] for m in again] == ["resize image 42"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert again[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]  # every receive gets a new handle


def test_change_message_visibility_extends_the_timeout(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("extended", VisibilityTimeout=1)
    sqs.send_message(QueueUrl=queue, MessageBody="slow job")
    [message] = receive_one(sqs, queue)

    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30)
    after_the_old_timeout = receive_one(sqs, queue, seconds=2)  # 2 s: well past the queue's 1 s

    assert after_the_old_timeout == []
    assert settled_counts(sqs, queue, (0, 1), backend) == (0, 1)


def test_change_message_visibility_to_zero_releases_the_message_at_once(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("released")  # 30 s default: without the change it would hide for 30 s
    sqs.send_message(QueueUrl=queue, MessageBody="give it back")
    [message] = receive_one(sqs, queue)

    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    again = receive_one(sqs, queue)  # a 1 s poll: far inside the 30 s it would otherwise hide

    assert [m["Body"] for m in again] == ["give it back"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"


def test_delete_with_the_receipt_handle_removes_the_message(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("deleted")
    sent = sqs.send_message(QueueUrl=queue, MessageBody="done")
    [message] = receive_one(sqs, queue)

    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])

    handle = message["ReceiptHandle"][:40] + "..."
    show_table("one message: its id and one receipt handle", ["field", "value"],
               [["MessageId (from send)", sent["MessageId"]], ["ReceiptHandle (from receive)", handle]])  # fmt: skip
    assert settled_counts(sqs, queue, (0, 0), backend) == (0, 0)


def test_delete_with_an_invalid_receipt_handle_is_rejected(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("invalid-handle")
    sent = sqs.send_message(QueueUrl=queue, MessageBody="keep me")

    with pytest.raises(ClientError) as raised:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=sent["MessageId"])  # a message id is not a handle

    assert raised.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"
    assert settled_counts(sqs, queue, (1, 0), backend) == (1, 0)


@pytest.mark.diverges(
    "ministack",
    "refuses the older handle with ReceiptHandleIsInvalid; AWS documents that a delete with an old receipt handle "
    "succeeds (the message might not be deleted)",
    evidence="https://docs.aws.amazon.com/sdkfornet/latest/apidocs/items/TSQSDeleteMessageRequestNET45.html",
)
def test_delete_with_a_stale_receipt_handle_still_succeeds(aws_client, make_queue):
    """AWS: an older handle of a message received again is accepted, but the message "might not be deleted"."""
    sqs = aws_client("sqs")
    queue = make_queue("stale-handle")
    sqs.send_message(QueueUrl=queue, MessageBody="received twice")
    [first] = receive_one(sqs, queue, VisibilityTimeout=0)
    [second] = receive_one(sqs, queue)

    response = sqs.delete_message(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"])

    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200  # no error; delete with the newest handle
