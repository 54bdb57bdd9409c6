"""RedrivePolicy: after maxReceiveCount receives without a delete, the next receive moves the message to the DLQ."""

from __future__ import annotations

import json

import pytest

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import long_poll, nothing_more, queue_arn, receive_until
from labkit.report import show_table

MAX_RECEIVE_COUNT = 3


@pytest.fixture
def queues(aws_client, make_queue):
    """A source queue (visibility 0, so an unprocessed message is back at once) and its dead-letter queue."""
    sqs = aws_client("sqs")
    dlq = make_queue("orders-dlq", MessageRetentionPeriod=14 * 24 * 3600)
    policy = {"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": MAX_RECEIVE_COUNT}
    source = make_queue("orders", VisibilityTimeout=0, RedrivePolicy=json.dumps(policy))
    return source, dlq


def receive(sqs, queue_url):
    """One receive, as a consumer that crashes before deleting: a 1 s long poll (a short poll may miss)."""
    return long_poll(sqs, queue_url, 1, AttributeNames=["ApproximateReceiveCount"])


def test_message_moves_to_the_dlq_on_the_receive_after_max_receive_count(aws_client, backend, queues):
    sqs = aws_client("sqs")
    source, dlq = queues
    sqs.send_message(QueueUrl=source, MessageBody="poison pill")

    receives = [receive(sqs, source) for _ in range(MAX_RECEIVE_COUNT + 1)]
    in_dlq = receive_until(sqs, dlq, 1, within=seconds(MESSAGE, backend), AttributeNames=["ApproximateReceiveCount"])
    rows = [
        [n, len(got), got[0]["Attributes"]["ApproximateReceiveCount"] if got else "-"]
        for n, got in enumerate(receives, 1)
    ]
    show_table(f"receives from the source queue, maxReceiveCount {MAX_RECEIVE_COUNT}",
               ["receive", "messages", "ApproximateReceiveCount"], rows)  # fmt: skip

    assert [len(got) for got in receives] == [1, 1, 1, 0]  # N receives succeed, receive N+1 finds nothing
    assert [got[0]["Attributes"]["ApproximateReceiveCount"] for got in receives[:3]] == ["1", "2", "3"]
    assert [m["Body"] for m in in_dlq] == ["poison pill"]


def test_a_deleted_message_never_reaches_the_dlq(aws_client, backend, queues):
    sqs = aws_client("sqs")
    source, dlq = queues
    sqs.send_message(QueueUrl=source, MessageBody="processed fine")

    [message] = receive(sqs, source)
    sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])

    assert nothing_more(sqs, source, backend) == []
    assert nothing_more(sqs, dlq, backend) == []


@pytest.mark.diverges(
    "ministack",
    "answers InvalidAction (ListDeadLetterSourceQueues not implemented); AWS lists the queues whose RedrivePolicy "
    "names this DLQ",
    evidence=(
        "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sqs/aws.sdk.kotlin.services.sqs/"
        "list-dead-letter-source-queues.html"
    ),
)
def test_the_dlq_lists_its_source_queues(aws_client, queues):
    source, dlq = queues

    sources = aws_client("sqs").list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]

    assert [url.rsplit("/", 1)[-1] for url in sources] == [source.rsplit("/", 1)[-1]]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "StartMessageMoveTask is not implemented (moto: an error, MiniStack: InvalidAction); AWS moves the DLQ's "
    "messages back to their source queue",
    evidence=(
        "localstack/localstack:tests/aws/services/sqs/test_sqs_move_task.snapshot.json"
        "#test_move_task_workflow_with_default_destination"
    ),
)
def test_redrive_moves_messages_from_the_dlq_back_to_the_source(aws_client, backend, queues):
    sqs = aws_client("sqs")
    source, dlq = queues
    sqs.send_message(QueueUrl=source, MessageBody="fixed consumer, try again")
    for _ in range(MAX_RECEIVE_COUNT + 1):
        receive(sqs, source)
    # there, and visible again
    in_dlq = receive_until(sqs, dlq, 1, within=seconds(MESSAGE, backend), VisibilityTimeout=0)
    assert len(in_dlq) == 1

    task = sqs.start_message_move_task(SourceArn=queue_arn(sqs, dlq))  # no DestinationArn: back to the source
    redriven = receive_until(sqs, source, 1, within=seconds(MESSAGE, backend))

    assert task["TaskHandle"]
    assert [m["Body"] for m in redriven] == ["fixed consumer, try again"]
