"""Shared setup for the Kinesis labs: ``make_stream`` creates a provisioned stream and waits until it is ACTIVE.
On backends that are never reset (LocalStack, AWS) the harness deletes it after the test: LocalStack caps an
account at 100 shards, so leftovers would soon make every Kinesis lab fail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

WAIT = {"Delay": 0.25, "MaxAttempts": 240}  # at most 60 s; moto is ACTIVE at once, LocalStack in ~0.5 s, AWS in seconds


@pytest.fixture
def wait_active(aws_client) -> Callable[[str], None]:
    """``wait_active(stream)``: until the stream is ACTIVE again (after a reshard or a mode switch: UPDATING)."""
    kinesis = aws_client("kinesis")
    return lambda name: kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=WAIT)


@pytest.fixture
def make_stream(aws_client, unique_name) -> Callable[..., str]:
    """``make_stream("clicks", shards=4)`` -> the new stream's name, once it is ACTIVE; ``on_demand=True`` makes an
    on-demand stream instead (no shard count: Kinesis chooses and scales the shards)."""
    kinesis = aws_client("kinesis")

    def make(prefix: str = "stream", *, shards: int = 1, on_demand: bool = False) -> str:
        name = unique_name(prefix)
        if on_demand:
            kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        else:
            kinesis.create_stream(StreamName=name, ShardCount=shards, StreamModeDetails={"StreamMode": "PROVISIONED"})
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=WAIT)
        return name

    return make
