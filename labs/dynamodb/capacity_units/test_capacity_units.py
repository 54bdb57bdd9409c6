"""Two kinds of number, kept apart. The notes' arithmetic (RCU, WCU, partitions) is worked by capacity.py and
checked against the answers the notes wrote down: that is the lab's arithmetic, not DynamoDB's. What DynamoDB
itself reports is read from ReturnConsumedCapacity on real calls, and from DescribeTable."""

from __future__ import annotations

import pytest
from capacity import (
    consumed_by_one_read,
    consumed_by_one_write,
    partitions,
    read_capacity_units,
    write_capacity_units,
)

from labkit.dynamodb import create_table, to_item
from labkit.report import show_table

CONSUMPTION_DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html"

WCU_EXAMPLES = [  # (note's words, writes per second, item KB, transactional, the note's answer)
    ("write 10 objects per second of 2kb each ... = 20 WCU", 10, 2, False, 20),
    ("write 6 objects per second of 4.5 kb each ... = 30 wcu", 6, 4.5, False, 30),
    ("write 120 objects per minute of 2kb each ... = 4 wcu", 120 / 60, 2, False, 4),
    ("5 kb item size with transactional item writes 3 per second ... = 30 wcu", 3, 5, True, 30),
]
RCU_EXAMPLES = [  # (note's words, reads per second, item KB, consistency, the note's answer)
    ("10 consistent reads per seconds of 4 kb each = ... 10 RCU", 10, 4, "strong", 10),
    ("16 eventually consistent reads per seconds of 12 kb each = ... 24 RCU", 16, 12, "eventual", 24),
    ("10 strongly consistent reads per second of 6 kb each = ... 20 RCU", 10, 6, "strong", 20),
    ("5 kb item size with transactional item reads 5 per second = ... 20 RCU", 5, 5, "transactional", 20),
]
PARTITION_EXAMPLES = [  # (what it shows, RCU, WCU, GB, the formula by hand)
    ("small table: one partition", 1000, 500, 5, 1),  # 0.33 + 0.5 = 0.83 by capacity, 0.5 by size
    ("capacity decides: 6,000 RCU + 2,000 WCU", 6000, 2000, 5, 4),  # 2 + 2 = 4 by capacity, 0.5 by size
    ("size decides: 45 GB", 1000, 500, 45, 5),  # 0.83 by capacity, 4.5 by size
]


# --- the lab's arithmetic, checked against the answers the notes wrote down -------------------------------------


@pytest.mark.parametrize(
    ("note", "rate", "kb", "transactional", "expected"), WCU_EXAMPLES, ids=[e[0] for e in WCU_EXAMPLES]
)
def test_the_labs_wcu_arithmetic_gives_the_notes_answer(note, rate, kb, transactional, expected):
    assert write_capacity_units(rate, kb, transactional=transactional) == expected


@pytest.mark.parametrize(
    ("note", "rate", "kb", "consistency", "expected"), RCU_EXAMPLES, ids=[e[0] for e in RCU_EXAMPLES]
)
def test_the_labs_rcu_arithmetic_gives_the_notes_answer(note, rate, kb, consistency, expected):
    assert read_capacity_units(rate, kb, consistency) == expected


@pytest.mark.parametrize(
    ("case", "rcu", "wcu", "gb", "expected"), PARTITION_EXAMPLES, ids=[e[0] for e in PARTITION_EXAMPLES]
)
def test_the_notes_partition_formula_takes_the_larger_of_capacity_and_size(case, rcu, wcu, gb, expected):
    """002's formula, worked; DynamoDB does not report partitions (next test), so nothing here is DynamoDB's."""
    assert partitions(rcu, wcu, gb) == expected


# --- what DynamoDB reports ----------------------------------------------------------------------------------------


@pytest.fixture
def table(dynamodb, unique_name):
    name = unique_name("capacity")
    create_table(dynamodb, name, partition_key=("id", "S"))
    return name


def test_describe_table_reports_no_partition_count(dynamodb, table):
    """Neither the API's table description nor a real DescribeTable has a field for partitions."""
    members = dynamodb.meta.service_model.shape_for("TableDescription").members  # the API model the SDK uses
    description = dynamodb.describe_table(TableName=table)["Table"]

    assert [name for name in members if "artition" in name] == []
    assert [key for key in description if "artition" in key] == []


def put(dynamodb, table, item):
    response = dynamodb.put_item(TableName=table, Item=to_item(item), ReturnConsumedCapacity="TOTAL")
    return response["ConsumedCapacity"]["CapacityUnits"]


def get(dynamodb, table, item, consistent):
    response = dynamodb.get_item(
        TableName=table,
        Key=to_item({"id": item["id"]}),
        ConsistentRead=consistent,
        ReturnConsumedCapacity="TOTAL",
    )
    return response["ConsumedCapacity"]["CapacityUnits"]


def reported(what, formula, dynamodb_says):
    show_table(what, ["the lab's formula", "DynamoDB reported"], [[formula, dynamodb_says]])
    return dynamodb_says


def test_a_write_under_1_kb_consumes_1_wcu(dynamodb, table, item_of_size):
    units = reported("PutItem of 500 bytes", consumed_by_one_write(500), put(dynamodb, table, item_of_size(500)))

    assert units == 1.0


def test_an_eventually_consistent_read_under_4_kb_consumes_half_an_rcu(dynamodb, table, item_of_size):
    item = item_of_size(3000)
    put(dynamodb, table, item)

    units = get(dynamodb, table, item, consistent=False)
    reported("eventually consistent GetItem of 3,000 bytes", consumed_by_one_read(3000, consistent=False), units)

    assert units == 0.5


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "reports 1.0 WCU for any PutItem; AWS bills 1 WCU per started KB: 5 for the note's 4.5 KB item",
    evidence=CONSUMPTION_DOCS,
)
def test_a_4_5_kb_write_consumes_5_wcu(dynamodb, table, item_of_size):
    size = 4608  # the note's 4.5 KB
    units = reported("PutItem of 4.5 KB", consumed_by_one_write(size), put(dynamodb, table, item_of_size(size)))

    assert units == 5.0


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "reports one figure for any GetItem (moto 0.5, MiniStack 1.0 when strong); AWS bills 1 RCU per started 4 KB: "
    "2 for the note's 6 KB item read strongly consistent",
    evidence=CONSUMPTION_DOCS,
)
def test_a_6_kb_strongly_consistent_read_consumes_2_rcu(dynamodb, table, item_of_size):
    item = item_of_size(6 * 1024)
    put(dynamodb, table, item)

    units = get(dynamodb, table, item, consistent=True)
    reported("strongly consistent GetItem of 6 KB", consumed_by_one_read(6 * 1024, consistent=True), units)

    assert units == 2.0
