"""A global table (version 2019.11.21) is one table with a replica in each of several regions, added to an
existing table with UpdateTable's ReplicaUpdates. Every replica takes writes, and DynamoDB copies each write
to the others, asynchronously."""

from __future__ import annotations

import pytest

from labkit.data import load_json
from labkit.dynamodb import create_table, from_item, put_items, to_item, wait_until_active
from labkit.eventually import eventually

HAN_KANG = [book for book in load_json("dynamodb/library_books.json") if book["Author"] == "Han Kang"]
#: moto answers UpdateTable but ignores ReplicaUpdates: no replica, no second region, no copying.
pytestmark = pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores UpdateTable's ReplicaUpdates (no replica is made); AWS creates the replica and replicates writes",
    evidence="botocore:dynamodb/2012-08-10#ReplicationGroupUpdate ; botocore:dynamodb/2012-08-10#UpdateTable",
)


@pytest.fixture
def other_region(aws_region):
    return "us-west-2" if aws_region != "us-west-2" else "us-east-1"


def replica_regions(dynamodb, table):
    description = dynamodb.describe_table(TableName=table)["Table"]
    return {r["RegionName"]: r["ReplicaStatus"] for r in description.get("Replicas", [])}


@pytest.fixture
def make_global(dynamodb, other_region, backend):
    """``make_global(table)``: add a replica of ``table`` in the other region and wait until it is ACTIVE."""
    made = []

    def make(table):
        dynamodb.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": other_region}}])
        made.append(table)
        active = eventually(
            lambda: replica_regions(dynamodb, table).get(other_region) == "ACTIVE",
            backend,
            aws_seconds=1800,
            interval=15,
        )
        assert active, f"the replica of {table} in {other_region} never became ACTIVE"
        wait_until_active(dynamodb, table, max_wait=1800, delay=5)

    yield make
    if backend.track_resources:  # a backend that keeps state (AWS): remove the replica before the table goes
        for table in made:
            dynamodb.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": other_region}}])
            eventually(lambda t=table: other_region not in replica_regions(dynamodb, t), backend, aws_seconds=1800)


@pytest.fixture
def shelf(dynamodb, unique_name):
    name = unique_name("global-shelf")
    create_table(dynamodb, name, partition_key=("Author", "S"), sort_key=("Title", "S"))
    return name


def read(client, table, title, backend):
    """The book from ``client``'s region; on AWS, looks again until replication has brought it."""
    key = to_item({"Author": "Han Kang", "Title": title})
    found = eventually(
        lambda: client.get_item(TableName=table, Key=key).get("Item"), backend, aws_seconds=60, interval=1
    )
    return from_item(found) if found else None


def test_a_replica_makes_the_table_a_global_table(dynamodb, shelf, make_global, other_region):
    make_global(shelf)

    description = dynamodb.describe_table(TableName=shelf)["Table"]

    assert description["GlobalTableVersion"] == "2019.11.21"
    assert replica_regions(dynamodb, shelf)[other_region] == "ACTIVE"


def test_the_replica_is_a_table_of_the_same_name_in_the_other_region(
    aws_client, dynamodb, shelf, make_global, other_region
):
    make_global(shelf)

    there = aws_client("dynamodb", region_name=other_region).describe_table(TableName=shelf)["Table"]

    assert there["TableStatus"] == "ACTIVE"
    assert there["KeySchema"] == dynamodb.describe_table(TableName=shelf)["Table"]["KeySchema"]


def test_a_write_in_one_region_is_read_in_the_other(aws_client, dynamodb, shelf, make_global, other_region, backend):
    make_global(shelf)

    dynamodb.put_item(TableName=shelf, Item=to_item({"Author": "Han Kang", "Title": "Greek Lessons"}))

    assert read(aws_client("dynamodb", region_name=other_region), shelf, "Greek Lessons", backend) == {
        "Author": "Han Kang",
        "Title": "Greek Lessons",
    }


def test_the_replica_takes_writes_too(aws_client, dynamodb, shelf, make_global, other_region, backend):
    make_global(shelf)

    there = aws_client("dynamodb", region_name=other_region)
    there.put_item(TableName=shelf, Item=to_item({"Author": "Han Kang", "Title": "We Do Not Part"}))

    assert read(dynamodb, shelf, "We Do Not Part", backend) == {"Author": "Han Kang", "Title": "We Do Not Part"}


def test_a_table_that_already_holds_items_can_become_global(
    aws_client, dynamodb, shelf, make_global, other_region, backend
):
    """The note says a table must be EMPTY to become global: that was the 2017 version; the current one copies."""
    put_items(dynamodb, shelf, HAN_KANG)

    make_global(shelf)

    there = aws_client("dynamodb", region_name=other_region)
    vegetarian = {"Author": "Han Kang", "Title": "The Vegetarian", "Language": "Korean", "Year": 2007}
    assert read(there, shelf, "The Vegetarian", backend) == vegetarian
