"""Shared setup for the Kinesis labs: ``make_stream`` creates a provisioned stream, waits until it is ACTIVE, and
deletes it after the test (a long-running LocalStack is never reset, and it caps an account at 100 shards)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

WAIT = {"Delay": 0.25, "MaxAttempts": 240}  # at most 60 s; moto is ACTIVE at once, LocalStack in ~0.5 s, AWS in seconds


@pytest.fixture
def make_stream(aws_client, unique_name) -> Iterator:
    """``make_stream("clicks", shards=4)`` -> the new stream's name, once it is ACTIVE."""
    kinesis = aws_client("kinesis")
    made: list[str] = []

    def make(prefix: str = "stream", *, shards: int = 1) -> str:
        name = unique_name(prefix)
        kinesis.create_stream(StreamName=name, ShardCount=shards, StreamModeDetails={"StreamMode": "PROVISIONED"})
        made.append(name)
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=WAIT)
        return name

    yield make
    for name in made:
        with contextlib.suppress(kinesis.exceptions.ResourceNotFoundException):  # gone already: a reset backend
            kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
