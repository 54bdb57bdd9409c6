"""Shared setup for the SNS labs: ``subscribe_queue`` makes an SQS queue, lets the topic send to it, subscribes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from labkit.messaging import allow_service_to_send, queue_arn


@pytest.fixture
def subscribe_queue(aws_client, unique_name) -> Callable[..., str]:
    """``subscribe_queue(topic_arn, "billing", RawMessageDelivery="true")`` -> the new queue's URL. ``fifo=True``
    makes a FIFO queue (``.fifo``, no content-based deduplication of its own). The queue policy lets only this
    topic send to it: AWS needs that before it delivers (the emulators here do not check it)."""
    sqs, sns = aws_client("sqs"), aws_client("sns")

    def make(topic_arn: str, prefix: str = "subscriber", *, fifo: bool = False, **subscription: str) -> str:
        name = unique_name(prefix) + (".fifo" if fifo else "")
        url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"} if fifo else {})["QueueUrl"]
        allow_service_to_send(sqs, url, "sns", topic_arn)
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn(sqs, url), Attributes=subscription)
        return str(url)

    return make
