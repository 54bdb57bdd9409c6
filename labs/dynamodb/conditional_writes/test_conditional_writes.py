"""A write with a ConditionExpression happens only if the item, as stored now, passes it; otherwise the
call fails with ConditionalCheckFailedException and nothing changes. A version attribute turns that into
optimistic locking."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.dynamodb import create_table, from_item, to_item
from labkit.report import show_table


@pytest.fixture
def accounts(dynamodb, unique_name):
    name = unique_name("accounts")
    create_table(dynamodb, name, partition_key=("username", "S"))
    return name


@pytest.fixture
def documents(dynamodb, unique_name):
    name = unique_name("documents")
    create_table(dynamodb, name, partition_key=("doc_id", "S"))
    dynamodb.put_item(TableName=name, Item=to_item({"doc_id": "d1", "body": "first draft", "version": 1}))
    return name


def read(dynamodb, table, **key):
    return from_item(dynamodb.get_item(TableName=table, Key=to_item(key), ConsistentRead=True)["Item"])


def create_only(dynamodb, table, item):
    dynamodb.put_item(TableName=table, Item=to_item(item), ConditionExpression="attribute_not_exists(username)")


def save_if_unchanged(dynamodb, table, body, read_version):
    """Write only if nobody saved since we read: the stored version must still be the one we read."""
    dynamodb.update_item(
        TableName=table,
        Key=to_item({"doc_id": "d1"}),
        UpdateExpression="SET body = :body, version = :next",
        ConditionExpression="version = :read",
        ExpressionAttributeValues=to_item({":body": body, ":next": read_version + 1, ":read": read_version}),
    )


def test_attribute_not_exists_makes_put_create_only(dynamodb, accounts):
    create_only(dynamodb, accounts, {"username": "ada", "email": "ada@example.com"})

    with pytest.raises(ClientError) as raised:
        create_only(dynamodb, accounts, {"username": "ada", "email": "impostor@example.com"})

    assert raised.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert read(dynamodb, accounts, username="ada")["email"] == "ada@example.com"  # the first one stands


def test_failed_condition_can_return_the_item_that_blocked_it(dynamodb, accounts):
    create_only(dynamodb, accounts, {"username": "ada", "email": "ada@example.com"})

    with pytest.raises(ClientError) as raised:
        dynamodb.put_item(
            TableName=accounts,
            Item=to_item({"username": "ada", "email": "impostor@example.com"}),
            ConditionExpression="attribute_not_exists(username)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    assert from_item(raised.value.response["Item"]) == {"username": "ada", "email": "ada@example.com"}


def test_condition_guards_an_update_against_going_below_zero(dynamodb, accounts):
    dynamodb.put_item(TableName=accounts, Item=to_item({"username": "ada", "credits": 5}))

    def spend(n):
        dynamodb.update_item(
            TableName=accounts,
            Key=to_item({"username": "ada"}),
            UpdateExpression="SET credits = credits - :n",
            ConditionExpression="credits >= :n",
            ExpressionAttributeValues=to_item({":n": n}),
        )

    spend(3)
    with pytest.raises(ClientError) as raised:
        spend(3)  # only 2 left

    assert raised.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert read(dynamodb, accounts, username="ada")["credits"] == 2


def test_two_writers_read_version_1_and_only_the_first_save_wins(dynamodb, documents):
    alice_read = read(dynamodb, documents, doc_id="d1")["version"]
    bob_read = read(dynamodb, documents, doc_id="d1")["version"]

    save_if_unchanged(dynamodb, documents, "alice's edit", alice_read)
    with pytest.raises(ClientError) as raised:
        save_if_unchanged(dynamodb, documents, "bob's edit", bob_read)

    assert (alice_read, bob_read) == (1, 1)
    assert raised.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert read(dynamodb, documents, doc_id="d1") == {"doc_id": "d1", "body": "alice's edit", "version": 2}


def test_the_losing_writer_rereads_and_then_saves(dynamodb, documents):
    bob_read = read(dynamodb, documents, doc_id="d1")["version"]
    save_if_unchanged(dynamodb, documents, "alice's edit", read(dynamodb, documents, doc_id="d1")["version"])

    steps = []
    try:
        save_if_unchanged(dynamodb, documents, "bob's edit", bob_read)
    except ClientError as exc:
        steps.append(["bob saves with version 1", exc.response["Error"]["Code"]])
        bob_read = read(dynamodb, documents, doc_id="d1")["version"]  # re-read: sees alice's version 2
        save_if_unchanged(dynamodb, documents, "alice's edit + bob's edit", bob_read)
        steps.append([f"bob re-reads version {bob_read}, merges, saves", "ok"])
    show_table("optimistic locking", ["step", "result"], steps)

    assert [result for _, result in steps] == ["ConditionalCheckFailedException", "ok"]
    assert read(dynamodb, documents, doc_id="d1") == {
        "doc_id": "d1",
        "body": "alice's edit + bob's edit",
        "version": 3,
    }
