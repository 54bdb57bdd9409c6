"""SplitShard and MergeShards never change a shard in place: they close the parent(s) (an ending sequence
number appears) and open children that name their parents. Retention is 24 hours unless raised, up to 8760."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import read_records
from labkit.report import show_table

WAIT = {"Delay": 0.25, "MaxAttempts": 240}  # at most 60 s, polled often: LocalStack updates in ~0.5 s
RESHARD_DOC = "https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html"
KEEPS_PARENTS = pytest.mark.diverges(
    "ministack",
    "deletes the parent shard(s) and their records at once; on AWS a parent is closed, stays listed and keeps its "
    "records until they expire",
    evidence=RESHARD_DOC,
)


def shards_by_id(kinesis, stream):
    return {shard["ShardId"]: shard for shard in kinesis.list_shards(StreamName=stream)["Shards"]}


def hash_range(shard):
    return int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])


def is_closed(shard):
    return "EndingSequenceNumber" in shard["SequenceNumberRange"]


@KEEPS_PARENTS
def test_split_shard_closes_the_parent_and_opens_two_children(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("split", shards=1)
    [parent] = shards_by_id(kinesis, stream).values()
    low, high = hash_range(parent)

    kinesis.split_shard(StreamName=stream, ShardToSplit=parent["ShardId"], NewStartingHashKey=str((low + high) // 2))
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig=WAIT)
    shards = shards_by_id(kinesis, stream)
    children = sorted((s for s in shards.values() if s.get("ParentShardId") == parent["ShardId"]), key=hash_range)
    show_table("after SplitShard", ["shard", "parent", "closed"],
               [[i, s.get("ParentShardId", "-"), is_closed(s)] for i, s in shards.items()])  # fmt: skip

    assert is_closed(shards[parent["ShardId"]])
    assert len(children) == 2 and not any(is_closed(child) for child in children)
    assert hash_range(children[0])[0] == low and hash_range(children[1])[1] == high  # together: the parent's range
    assert hash_range(children[0])[1] + 1 == hash_range(children[1])[0] == (low + high) // 2


@KEEPS_PARENTS
def test_merge_shards_closes_both_parents_and_opens_one_child(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("merge", shards=2)
    first, second = sorted(shards_by_id(kinesis, stream).values(), key=hash_range)

    kinesis.merge_shards(StreamName=stream, ShardToMerge=first["ShardId"], AdjacentShardToMerge=second["ShardId"])
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig=WAIT)
    shards = shards_by_id(kinesis, stream)
    [child] = [s for s in shards.values() if s.get("ParentShardId") == first["ShardId"]]

    assert is_closed(shards[first["ShardId"]]) and is_closed(shards[second["ShardId"]])
    assert child["AdjacentParentShardId"] == second["ShardId"]
    assert hash_range(child) == (hash_range(first)[0], hash_range(second)[1]) == (0, 2**128 - 1)


@KEEPS_PARENTS
def test_records_written_before_a_split_stay_readable_in_the_closed_parent(aws_client, backend, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("split-read", shards=1)
    [parent] = shards_by_id(kinesis, stream).values()
    for n in range(3):
        kinesis.put_record(StreamName=stream, Data=f"before split {n}".encode(), PartitionKey="sensor-7")
    low, high = hash_range(parent)

    kinesis.split_shard(StreamName=stream, ShardToSplit=parent["ShardId"], NewStartingHashKey=str((low + high) // 2))
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig=WAIT)
    start = kinesis.get_shard_iterator(StreamName=stream, ShardId=parent["ShardId"], ShardIteratorType="TRIM_HORIZON")
    records = read_records(kinesis, start["ShardIterator"], 3, within=seconds(MESSAGE, backend))

    assert [r["Data"] for r in records] == [b"before split 0", b"before split 1", b"before split 2"]


def test_retention_is_24_hours_by_default(aws_client, make_stream):
    stream = make_stream("retention")

    summary = aws_client("kinesis").describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]

    assert summary["RetentionPeriodHours"] == 24


def test_a_retention_of_8760_hours_far_beyond_the_notes_7_days_is_accepted_and_stored(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("retention")

    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=8760)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig=WAIT)
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]

    assert summary["RetentionPeriodHours"] == 8760 == 365 * 24  # the notes' "7 days" would be 168


@pytest.mark.diverges(
    "ministack",
    "answers ValidationException; AWS's IncreaseStreamRetentionPeriod documents InvalidArgumentException for a value "
    "it cannot take (and no ValidationException) and a maximum of 8760 hours",
    evidence="https://docs.aws.amazon.com/goto/WebAPI/kinesis/IncreaseStreamRetentionPeriod",
)
def test_retention_above_8760_hours_is_rejected(aws_client, make_stream):
    stream = make_stream("retention")

    with pytest.raises(ClientError) as raised:
        aws_client("kinesis").increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=8761)

    assert raised.value.response["Error"]["Code"] == "InvalidArgumentException"
