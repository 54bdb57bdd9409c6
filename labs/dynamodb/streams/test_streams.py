"""A DynamoDB stream records every change to a table's items: INSERT, MODIFY, REMOVE. The view type
decides what each record carries: the keys, the item after, the item before, or both."""

from __future__ import annotations

import pytest

from labkit.dynamodb import create_table, to_item
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


def enable_stream(dynamodb, table, view_type):
    spec = {"StreamEnabled": True, "StreamViewType": view_type}
    return dynamodb.update_table(TableName=table, StreamSpecification=spec)["TableDescription"]["LatestStreamArn"]


def stream_records(aws_client, dynamodb, table):
    """Every record in the table's stream so far, shard by shard from the oldest (TRIM_HORIZON)."""
    streams = aws_client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return records


def play(dynamodb, table):
    """Insert a player, change the score, delete the player."""
    dynamodb.put_item(TableName=table, Item=to_item({"player": "ada", "score": 1}))
    dynamodb.put_item(TableName=table, Item=to_item({"player": "ada", "score": 2}))
    dynamodb.delete_item(TableName=table, Key=to_item({"player": "ada"}))


def test_insert_modify_remove_records_carry_old_and_new_images(aws_client, dynamodb, make_table):
    table = make_table("NEW_AND_OLD_IMAGES")
    play(dynamodb, table)

    records = stream_records(aws_client, dynamodb, table)
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
def test_view_type_decides_which_images_a_record_carries(aws_client, dynamodb, make_table, view_type):
    table = make_table(view_type)
    play(dynamodb, table)

    modify = [r for r in stream_records(aws_client, dynamodb, table) if r["eventName"] == "MODIFY"]

    assert len(modify) == 1
    assert modify[0]["dynamodb"]["Keys"] == to_item({"player": "ada"})  # every view type has the keys
    assert {"NewImage", "OldImage"} & set(modify[0]["dynamodb"]) == IMAGES[view_type]
    assert modify[0]["dynamodb"]["StreamViewType"] == view_type


def test_stream_is_not_retroactive(aws_client, dynamodb, make_table):
    table = make_table()
    dynamodb.put_item(TableName=table, Item=to_item({"player": "before", "score": 1}))
    enable_stream(dynamodb, table, "KEYS_ONLY")
    dynamodb.put_item(TableName=table, Item=to_item({"player": "after", "score": 1}))

    records = stream_records(aws_client, dynamodb, table)

    assert [r["dynamodb"]["Keys"]["player"]["S"] for r in records] == ["after"]
    assert dynamodb.scan(TableName=table, Select="COUNT")["Count"] == 2  # both items are in the table
