"""Simple vs composite primary keys; PutItem replaces a whole item, UpdateItem merges, ADD is a counter."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.dynamodb import create_table, from_item, to_item
from labkit.report import show_table


@pytest.fixture
def users(dynamodb, unique_name):
    """Simple primary key: the partition key user_id alone identifies an item (002's users table)."""
    name = unique_name("users")
    create_table(dynamodb, name, partition_key=("user_id", "S"))
    return name


@pytest.fixture
def user_games(dynamodb, unique_name):
    """Composite primary key: user_id (partition) + game_id (sort), 002's users-games table."""
    name = unique_name("user-games")
    create_table(dynamodb, name, partition_key=("user_id", "S"), sort_key=("game_id", "S"))
    return name


def get(dynamodb, table, **key):
    return from_item(dynamodb.get_item(TableName=table, Key=to_item(key), ConsistentRead=True)["Item"])


def test_simple_key_holds_one_item_per_partition_key_value(dynamodb, users):
    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "name": "Ada"}))
    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "name": "Grace"}))

    assert dynamodb.scan(TableName=users, ConsistentRead=True)["Count"] == 1


def test_composite_key_holds_many_items_per_partition_key_value(dynamodb, user_games):
    for game in ("chess", "go", "chess"):  # the second chess has the same (user_id, game_id): same item
        dynamodb.put_item(TableName=user_games, Item=to_item({"user_id": "u1", "game_id": game}))

    response = dynamodb.query(
        TableName=user_games,
        ConsistentRead=True,
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": "u1"}},
    )
    assert [item["game_id"]["S"] for item in response["Items"]] == ["chess", "go"]


def test_composite_key_needs_both_parts_to_get_an_item(dynamodb, user_games):
    dynamodb.put_item(TableName=user_games, Item=to_item({"user_id": "u1", "game_id": "chess"}))

    with pytest.raises(ClientError) as raised:
        dynamodb.get_item(TableName=user_games, Key=to_item({"user_id": "u1"}))

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_put_with_the_same_key_replaces_the_whole_item(dynamodb, users):
    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "name": "Ada", "email": "ada@example.com"}))
    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "name": "Ada Lovelace"}))

    assert get(dynamodb, users, user_id="u1") == {"user_id": "u1", "name": "Ada Lovelace"}  # email is gone


def test_update_item_merges_attributes_into_the_item(dynamodb, users):
    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "name": "Ada", "email": "ada@example.com"}))
    dynamodb.update_item(
        TableName=users,
        Key=to_item({"user_id": "u1"}),
        UpdateExpression="SET city = :c",
        ExpressionAttributeValues={":c": {"S": "London"}},
    )

    assert get(dynamodb, users, user_id="u1") == {
        "user_id": "u1",
        "name": "Ada",
        "email": "ada@example.com",  # kept
        "city": "London",  # added
    }


def test_add_counts_up_from_nothing_and_returns_each_new_value(dynamodb, users):
    new_values = [
        dynamodb.update_item(
            TableName=users,
            Key=to_item({"user_id": "u1"}),
            UpdateExpression="ADD logins :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )["Attributes"]["logins"]["N"]
        for _ in range(10)
    ]

    assert new_values == [str(n) for n in range(1, 11)]  # no item, no attribute: ADD starts from 0
    assert get(dynamodb, users, user_id="u1")["logins"] == 10


def test_read_modify_write_loses_an_update_that_add_keeps(dynamodb, users):
    """Two writers each saw logins = 0. Writing back "what I read + 1" loses one; ADD loses none."""
    key = to_item({"user_id": "u1"})
    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "logins": 0}))
    seen_by_a = get(dynamodb, users, user_id="u1")["logins"]
    seen_by_b = get(dynamodb, users, user_id="u1")["logins"]
    for seen in (seen_by_a, seen_by_b):
        dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "logins": seen + 1}))
    after_put = get(dynamodb, users, user_id="u1")["logins"]

    dynamodb.put_item(TableName=users, Item=to_item({"user_id": "u1", "logins": 0}))
    for _writer in ("a", "b"):
        dynamodb.update_item(
            TableName=users,
            Key=key,
            UpdateExpression="ADD logins :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    after_add = get(dynamodb, users, user_id="u1")["logins"]
    show_table(
        "two writers, each adding one login",
        ["how", "logins after both"],
        [["read, +1, put back", after_put], ["UpdateItem ADD :one", after_add]],
    )

    assert (after_put, after_add) == (1, 2)
