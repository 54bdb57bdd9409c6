"""A DynamoDB stream records every change to a table's items: INSERT, MODIFY, REMOVE. The view type
decides what each record carries: the keys, the item after, the item before, or both."""

from __future__ import annotations

import pytest

from labkit.dynamodb import create_table, to_item, wait_until_active
from labkit.eventually import eventually
from labkit.report import show_table

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
IMAGES = {
    "KEYS_ONLY": set(),
    "NEW_IMAGE": {"NewImage"},
    "OLD_IMAGE": {"OldImage"},
    "NEW_AND_OLD_IMAGES": {"NewImage", "OldImage"},
}


@pytest.fixture
def make_table(dynamodb, unique_name):
    def make(view_type=None):
        name = unique_name("players")
        options = {}
        if view_type:
            options["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
        create_table(dynamodb, name, partition_key=("player", "S"), **options)
        return name

    return make


def enable_stream(aws_client, dynamodb, table, view_type, backend):
    """Turn the stream on and wait until it is ENABLED (AWS: ENABLING first; writes before that go unrecorded)."""
    spec = {"StreamEnabled": True, "StreamViewType": view_type}
    arn = dynamodb.update_table(TableName=table, StreamSpecification=spec)["TableDescription"]["LatestStreamArn"]
    streams = aws_client("dynamodbstreams")
    enabled = eventually(
        lambda: streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLED",
        backend,
        aws_seconds=60,
        interval=1,
    )
    assert enabled, f"stream of {table} never became ENABLED"
    wait_until_active(dynamodb, table)


def stream_records(aws_client, dynamodb, table, backend, expected):
    """The records in the table's stream, each shard read from its oldest record (TRIM_HORIZON) by following
    NextShardIterator. An open shard always hands out a next iterator, so a shard is read until a page comes back
    empty; on AWS records can take a moment to show up, so it looks again until ``expected`` records are in."""
    streams = aws_client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    iterators, records = {}, []

    def read_on():
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            if shard["ShardId"] not in iterators:
                iterators[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        for shard_id, iterator in iterators.items():
            while iterator:
                page = streams.get_records(ShardIterator=iterator)
                records.extend(page["Records"])
                iterator = page.get("NextShardIterator")  # None once a closed shard is read to its end
                if not page["Records"]:
                    break
            iterators[shard_id] = iterator
        return len(records) >= expected

    eventually(read_on, backend, aws_seconds=30, interval=1)
    return records


def play(dynamodb, table):
    """Insert a player, change the score, delete the player."""
    dynamodb.put_item(TableName=table, Item=to_item({"player": "ada", "score": 1}))
    dynamodb.put_item(TableName=table, Item=to_item({"player": "ada", "score": 2}))
    dynamodb.delete_item(TableName=table, Key=to_item({"player": "ada"}))


def test_insert_modify_remove_records_carry_old_and_new_images(aws_client, dynamodb, make_table, backend):
    table = make_table("NEW_AND_OLD_IMAGES")
    play(dynamodb, table)

    records = stream_records(aws_client, dynamodb, table, backend, expected=3)
    seen = [
        (r["eventName"], r["dynamodb"].get("OldImage", {}).get("score"), r["dynamodb"].get("NewImage", {}).get("score"))
        for r in records
    ]
    show_table("stream records (NEW_AND_OLD_IMAGES)", ["eventName", "old score", "new score"], seen)

    assert seen == [
        ("INSERT", None, {"N": "1"}),
        ("MODIFY", {"N": "1"}, {"N": "2"}),
        ("REMOVE", {"N": "2"}, None),
    ]


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_view_type_decides_which_images_a_record_carries(aws_client, dynamodb, make_table, view_type, backend):
    table = make_table(view_type)
    play(dynamodb, table)

    records = stream_records(aws_client, dynamodb, table, backend, expected=3)
    modify = [r for r in records if r["eventName"] == "MODIFY"]

    assert len(modify) == 1
    assert modify[0]["dynamodb"]["Keys"] == to_item({"player": "ada"})  # every view type has the keys
    assert {"NewImage", "OldImage"} & set(modify[0]["dynamodb"]) == IMAGES[view_type]
    assert modify[0]["dynamodb"]["StreamViewType"] == view_type


def test_stream_is_not_retroactive(aws_client, dynamodb, make_table, backend):
    table = make_table()
    dynamodb.put_item(TableName=table, Item=to_item({"player": "before", "score": 1}))
    enable_stream(aws_client, dynamodb, table, "KEYS_ONLY", backend)
    dynamodb.put_item(TableName=table, Item=to_item({"player": "after", "score": 1}))

    records = stream_records(aws_client, dynamodb, table, backend, expected=1)

    assert [r["dynamodb"]["Keys"]["player"]["S"] for r in records] == ["after"]
    assert dynamodb.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"] == 2  # both are in the table
