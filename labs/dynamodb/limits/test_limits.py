"""Hard limits that shape how items and batches are designed: an item is at most 400 KB (names plus
values), BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 requests."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.dynamodb import create_table, to_item

ITEM_LIMIT = 400 * 1024  # 409,600 bytes: DynamoDB's KB is 1,024 bytes
DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide"


@pytest.fixture
def table(dynamodb, unique_name):
    name = unique_name("limits")
    create_table(dynamodb, name, partition_key=("id", "S"))
    return name


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "rejects items over 405,000 bytes; AWS accepts up to 400 KB = 409,600 bytes",
    raises=ClientError,
    evidence=f"{DOCS}/Constraints.html ; {DOCS}/CapacityUnitCalculations.html",
)
def test_item_of_exactly_400_kb_is_accepted(dynamodb, table, item_of_size):
    dynamodb.put_item(TableName=table, Item=to_item(item_of_size(ITEM_LIMIT)))

    stored = dynamodb.get_item(TableName=table, Key=to_item({"id": "big"}), ConsistentRead=True)["Item"]
    assert len(stored["blob"]["S"]) == ITEM_LIMIT - len("id") - len("big") - len("blob")


def test_item_one_byte_over_400_kb_is_rejected(dynamodb, table, item_of_size):
    with pytest.raises(ClientError) as raised:
        dynamodb.put_item(TableName=table, Item=to_item(item_of_size(ITEM_LIMIT + 1)))

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_attribute_names_count_towards_the_item_size(dynamodb, table, item_size):
    """The same value fits under a short name and not under a long one: names are part of the 400 KB."""
    value = "x" * (ITEM_LIMIT - item_size({"id": "big", "b": ""}) - 8000)  # 8,000 bytes under the limit
    dynamodb.put_item(TableName=table, Item=to_item({"id": "big", "b": value}))

    with pytest.raises(ClientError) as raised:
        dynamodb.put_item(TableName=table, Item=to_item({"id": "big", "b": value, "n" * 9000: "y"}))

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def keys(count):
    return [to_item({"id": f"k{n:03}"}) for n in range(count)]


def test_batch_get_takes_100_keys(dynamodb, table):
    dynamodb.put_item(TableName=table, Item=to_item({"id": "k000"}))

    response = dynamodb.batch_get_item(RequestItems={table: {"Keys": keys(100), "ConsistentRead": True}})

    assert response["Responses"][table] == [to_item({"id": "k000"})]  # 100 asked, 1 exists
    assert not response["UnprocessedKeys"]


def test_batch_get_of_101_keys_is_rejected(dynamodb, table):
    with pytest.raises(ClientError) as raised:
        dynamodb.batch_get_item(RequestItems={table: {"Keys": keys(101)}})

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def writes(table, count):
    return {table: [{"PutRequest": {"Item": key}} for key in keys(count)]}


def test_batch_write_takes_25_requests(dynamodb, table):
    response = dynamodb.batch_write_item(RequestItems=writes(table, 25))

    assert not response["UnprocessedItems"]
    assert dynamodb.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"] == 25


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "accepts 26 write requests; AWS allows at most 25 a call",
    evidence="botocore:dynamodb/2012-08-10#WriteRequests",
)
def test_batch_write_of_26_requests_is_rejected(dynamodb, table):
    with pytest.raises(ClientError) as raised:
        dynamodb.batch_write_item(RequestItems=writes(table, 26))

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert dynamodb.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"] == 0
