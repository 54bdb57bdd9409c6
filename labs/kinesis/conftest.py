"""Shared setup for the Kinesis labs: ``make_stream`` creates a provisioned stream and waits until it is ACTIVE."""

from __future__ import annotations

import pytest

WAIT = {"Delay": 1, "MaxAttempts": 60}  # moto is ACTIVE at once; AWS and LocalStack take a few seconds


@pytest.fixture
def make_stream(aws_client, unique_name):
    """``make_stream("clicks", shards=4)`` -> the new stream's name, once it is ACTIVE."""
    kinesis = aws_client("kinesis")

    def make(prefix: str = "stream", *, shards: int = 1) -> str:
        name = unique_name(prefix)
        kinesis.create_stream(StreamName=name, ShardCount=shards, StreamModeDetails={"StreamMode": "PROVISIONED"})
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=WAIT)
        return name

    return make
