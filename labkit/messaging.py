"""Helpers for messaging labs (SQS as the sink of SNS, S3, EventBridge): bounded waits, ARNs and queue policies.

Delivery into a queue is synchronous in moto and asynchronous on LocalStack and AWS, so a lab never reads a
queue once and concludes: it receives until it has what it expects or a deadline passes. How long it waits for a
message that should arrive is ``labkit.eventually.MESSAGE`` (2 s on an emulator, a minute on AWS):
``receive_until(sqs, url, 1, within=seconds(MESSAGE, backend))``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from labkit.backends import Backend
from labkit.eventually import MESSAGE, eventually, seconds

#: How long ``receive_until``, ``drain`` and the Kinesis readers wait when not told (emulators deliver in
#: milliseconds).
DEFAULT_WITHIN = 2.0

VISIBLE, IN_FLIGHT, DELAYED = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


def long_poll(sqs: Any, queue_url: str, seconds: int = 1, **receive: Any) -> list[dict[str, Any]]:
    """One ``ReceiveMessage`` that waits up to ``seconds`` (a long poll asks every SQS server, so unlike a short
    poll it cannot miss a message that is there); the messages it returned."""
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=seconds, **receive)
    return list(response.get("Messages", []))


def counts(sqs: Any, queue_url: str, *names: str) -> tuple[int, ...]:
    """The queue's approximate counters as integers; by default (visible, in flight)."""
    wanted = list(names or (VISIBLE, IN_FLIGHT))
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=wanted)["Attributes"]
    return tuple(int(attributes[name]) for name in wanted)


def settled_counts(
    sqs: Any, queue_url: str, expected: tuple[int, ...], backend: Backend, *names: str
) -> tuple[int, ...]:
    """The counters once they equal ``expected``: SQS's ``Approximate*`` numbers lag on AWS, so there they are
    polled every second for up to a minute; an emulator is looked at once. Returns what was last seen, for the
    assertion."""
    return eventually(
        lambda: counts(sqs, queue_url, *names),
        backend,
        until=lambda found: found == expected,
        aws_seconds=MESSAGE["aws_seconds"],
        interval=1.0,
    )


def queue_arn(sqs: Any, queue_url: str) -> str:
    """The ARN of the queue at ``queue_url``."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])


def receive_until(
    sqs: Any, queue_url: str, count: int, *, within: float = DEFAULT_WITHIN, **receive: Any
) -> list[dict[str, Any]]:
    """Receive messages until ``count`` have arrived or ``within`` seconds have passed; return what came.

    Each call long-polls for one second, so the wait ends soon after the messages arrive and runs at most a
    second past the deadline. Never for less: a receive with no wait answers at once, and the last part of a
    second would become a loop of them (a short poll also asks only some of SQS's servers). Extra keyword
    arguments go to every ``ReceiveMessage`` call (for example ``MessageAttributeNames=["All"]``). Messages are
    not deleted: they stay in flight for the queue's visibility timeout.
    """
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    while len(messages) < count and time.monotonic() < deadline:
        response = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(10, count - len(messages)),
            WaitTimeSeconds=1,
            **receive,
        )
        messages.extend(response.get("Messages", []))
    return messages


def receive_expected(
    sqs: Any, queue_url: str, expected: int, backend: Backend, *, grace: float = 1.0, **receive: Any
) -> list[dict[str, Any]]:
    """What a queue receives when ``expected`` messages should arrive and no more: waits for those (patiently on
    AWS, where delivery from SNS, S3 or EventBridge takes a moment), then ``grace`` seconds more for any that
    should not come, so a filter that lets too much through shows up in the count. A backend that delivers in the
    publishing call has every message there already: one more receive, with no wait, finds any stray."""
    messages = receive_until(sqs, queue_url, expected, within=seconds(MESSAGE, backend), **receive)
    return messages + nothing_more(sqs, queue_url, backend, grace=grace, **receive)


def nothing_more(
    sqs: Any, queue_url: str, backend: Backend, *, grace: float = 1.0, **receive: Any
) -> list[dict[str, Any]]:
    """What a queue still hands out when nothing more should be there (a refused batch, a purge, a duplicate, an
    event no rule matched): long polls for ``grace`` seconds (a short poll asks only some of SQS's servers, and
    a delivery from another service may be on its way). A backend whose queues change within the call that
    changes them (moto) has everything there already: one receive of up to 10, with no wait, finds any stray."""
    if backend.delivers_in_the_call:
        strays = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, **receive)
        return list(strays.get("Messages", []))
    return receive_until(sqs, queue_url, 10, within=grace, **receive)


def drain(
    sqs: Any, queue_url: str, count: int, *, within: float = DEFAULT_WITHIN, **receive: Any
) -> list[dict[str, Any]]:
    """Like ``receive_until``, but delete each message as it arrives (a consumer that finishes its work), so a
    FIFO message group is never blocked by a message this helper still holds. Returns them in arrival order."""
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    while len(messages) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        batch = receive_until(sqs, queue_url, count - len(messages), within=min(remaining, 1.0), **receive)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)
    return messages


def read_records(
    kinesis: Any, shard_iterator: str, count: int, *, within: float = DEFAULT_WITHIN
) -> list[dict[str, Any]]:
    """Follow a Kinesis shard iterator until ``count`` records have come or ``within`` seconds have passed.

    On AWS a ``GetRecords`` call may return nothing even when records exist further on, so a reader keeps
    following ``NextShardIterator``; this does that, pausing 0.25 s between pages that leave it short (a shard
    serves at most five ``GetRecords`` calls a second).
    """
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    iterator: str | None = shard_iterator
    while iterator and len(records) < count and time.monotonic() < deadline:
        response = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        records.extend(response["Records"])
        iterator = response.get("NextShardIterator")
        if len(records) < count:
            time.sleep(0.25)
    return records


def pushed_records(
    kinesis: Any, consumer_arn: str, shard_id: str, count: int, *, within: float = DEFAULT_WITHIN
) -> list[dict[str, Any]]:
    """The records ``SubscribeToShard`` pushes to an enhanced fan-out consumer from the start of a shard
    (TRIM_HORIZON), until ``count`` have come or ``within`` seconds have passed; the subscription is then closed.
    Records arrive in ``SubscribeToShardEvent`` events over one long-lived response (AWS keeps it up to 5 minutes)."""
    response = kinesis.subscribe_to_shard(
        ConsumerARN=consumer_arn, ShardId=shard_id, StartingPosition={"Type": "TRIM_HORIZON"}
    )
    stream = response["EventStream"]
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    try:
        for event in stream:
            records.extend(event.get("SubscribeToShardEvent", {}).get("Records", []))
            if len(records) >= count or time.monotonic() >= deadline:
                break
    finally:
        stream.close()
    return records


def wait_for_consumer(kinesis: Any, consumer_arn: str, backend: Backend, status: str = "ACTIVE") -> str:
    """Poll ``DescribeStreamConsumer`` every 0.25 s until the consumer has ``status`` (a new one is CREATING for a
    few seconds on AWS); returns the status last seen. Up to a minute on AWS, 2 s on an emulator (:data:`MESSAGE`)."""

    def look() -> str:
        return str(kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]["ConsumerStatus"])

    return eventually(look, backend, until=lambda found: found == status, **MESSAGE, interval=0.25)


def allow_service_to_send(sqs: Any, queue_url: str, service: str, source_arn: str) -> None:
    """Give ``service`` (``"sns"``, ``"s3"``, ``"events"``) permission to send to the queue, from ``source_arn``
    only. AWS needs this queue policy before it delivers; moto does not check it, but the lab stays honest."""
    arn = queue_arn(sqs, queue_url)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"allow-{service}",
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})


def bodies(messages: list[dict[str, Any]]) -> list[Any]:
    """The JSON-decoded body of each message, in order."""
    return [json.loads(message["Body"]) for message in messages]
