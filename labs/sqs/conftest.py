"""Shared setup for the SQS labs: ``make_queue`` creates a uniquely named queue with the given attributes."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_queue(aws_client, unique_name):
    """``make_queue("orders", VisibilityTimeout=1)`` -> the new queue's URL; ``fifo=True`` adds ``.fifo``.
    Attribute values may be ints or bools; they are sent as SQS wants them (strings, "true"/"false")."""
    sqs = aws_client("sqs")

    def make(prefix: str = "queue", *, fifo: bool = False, **attributes) -> str:
        name = unique_name(prefix) + (".fifo" if fifo else "")
        values = {
            key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in attributes.items()
        }
        if fifo:
            values["FifoQueue"] = "true"
        return sqs.create_queue(QueueName=name, Attributes=values)["QueueUrl"]

    return make
