"""Kinesis hashes a record's partition key with MD5 to a 128-bit number and stores the record in the shard whose
hash key range holds it. So one key always lands in one shard, where sequence numbers keep the order; a reader
can start from the oldest record (TRIM_HORIZON) or only see new ones (LATEST)."""

from __future__ import annotations

import hashlib

import pytest

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import read_records
from labkit.report import show_table

SHARDS = 4


@pytest.fixture
def stream(make_stream):
    return make_stream("clicks", shards=SHARDS)


def hash_key(partition_key: str) -> int:
    """What Kinesis does with a partition key: MD5, read as an unsigned 128-bit integer."""
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def shard_for(shards, partition_key):
    key = hash_key(partition_key)
    [shard] = [
        s["ShardId"]
        for s in shards
        if int(s["HashKeyRange"]["StartingHashKey"]) <= key <= int(s["HashKeyRange"]["EndingHashKey"])
    ]
    return shard


def shards_of(kinesis, stream):
    return kinesis.list_shards(StreamName=stream)["Shards"]


def iterator(kinesis, stream, shard_id, kind):
    return kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType=kind)["ShardIterator"]


def test_the_same_partition_key_always_lands_in_the_same_shard(aws_client, stream):
    kinesis = aws_client("kinesis")

    landed = {kinesis.put_record(StreamName=stream, Data=f"click {n}".encode(), PartitionKey="user-42")["ShardId"]
              for n in range(5)}  # fmt: skip

    assert landed == {shard_for(shards_of(kinesis, stream), "user-42")}


def test_each_key_lands_in_the_shard_whose_hash_range_holds_its_md5(aws_client, stream):
    kinesis = aws_client("kinesis")
    shards = shards_of(kinesis, stream)
    keys = [f"user-{n}" for n in range(12)]

    actual = {key: kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey=key)["ShardId"] for key in keys}
    expected = {key: shard_for(shards, key) for key in keys}
    show_table("partition key -> shard", ["key", "MD5 as integer", "shard (Kinesis)", "shard (computed)"],
               [[k, hash_key(k), actual[k], expected[k]] for k in keys])  # fmt: skip

    assert actual == expected
    assert len(set(actual.values())) > 1  # the keys spread over several shards


def test_sequence_numbers_increase_within_a_shard(aws_client, stream):
    kinesis = aws_client("kinesis")

    puts = [
        kinesis.put_record(StreamName=stream, Data=f"event {n}".encode(), PartitionKey="sensor-7") for n in range(5)
    ]
    sequence_numbers = [int(put["SequenceNumber"]) for put in puts]

    assert sequence_numbers == sorted(sequence_numbers) and len(set(sequence_numbers)) == 5


def test_trim_horizon_replays_the_shard_from_the_oldest_record(aws_client, backend, stream):
    kinesis = aws_client("kinesis")
    for n in range(3):
        shard_id = kinesis.put_record(StreamName=stream, Data=f"event {n}".encode(), PartitionKey="sensor-7")["ShardId"]

    first_read = read_records(
        kinesis, iterator(kinesis, stream, shard_id, "TRIM_HORIZON"), 3, within=seconds(MESSAGE, backend)
    )
    second_read = read_records(
        kinesis, iterator(kinesis, stream, shard_id, "TRIM_HORIZON"), 3, within=seconds(MESSAGE, backend)
    )

    assert [r["Data"] for r in first_read] == [b"event 0", b"event 1", b"event 2"]
    assert [r["Data"] for r in second_read] == [r["Data"] for r in first_read]  # reading removed nothing


def test_latest_sees_only_records_put_after_the_iterator(aws_client, backend, stream):
    kinesis = aws_client("kinesis")
    shard_id = kinesis.put_record(StreamName=stream, Data=b"before", PartitionKey="sensor-7")["ShardId"]

    latest = iterator(kinesis, stream, shard_id, "LATEST")
    kinesis.put_record(StreamName=stream, Data=b"after", PartitionKey="sensor-7")

    assert [r["Data"] for r in read_records(kinesis, latest, 1, within=seconds(MESSAGE, backend))] == [b"after"]
