"""The notes' capacity arithmetic, worked by capacity.py, and what DynamoDB reports for real calls."""

from __future__ import annotations

import pytest
from capacity import (
    consumed_by_one_read,
    consumed_by_one_write,
    read_capacity_units,
    write_capacity_units,
)

from labkit.dynamodb import create_table, to_item

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


@pytest.mark.parametrize(
    ("note", "rate", "kb", "transactional", "expected"), WCU_EXAMPLES, ids=[e[0] for e in WCU_EXAMPLES]
)
def test_wcu_matches_the_notes_worked_example(note, rate, kb, transactional, expected):
    assert write_capacity_units(rate, kb, transactional=transactional) == expected


@pytest.mark.parametrize(
    ("note", "rate", "kb", "consistency", "expected"), RCU_EXAMPLES, ids=[e[0] for e in RCU_EXAMPLES]
)
def test_rcu_matches_the_notes_worked_example(note, rate, kb, consistency, expected):
    assert read_capacity_units(rate, kb, consistency) == expected


@pytest.fixture
def table(dynamodb, unique_name):
    name = unique_name("capacity")
    create_table(dynamodb, name, partition_key=("id", "S"))
    return name


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


def test_a_write_under_1_kb_consumes_1_wcu(dynamodb, table, item_of_size):
    assert put(dynamodb, table, item_of_size(500)) == consumed_by_one_write(500) == 1.0


def test_an_eventually_consistent_read_under_4_kb_consumes_half_an_rcu(dynamodb, table, item_of_size):
    item = item_of_size(3000)
    put(dynamodb, table, item)

    assert get(dynamodb, table, item, consistent=False) == consumed_by_one_read(3000, consistent=False) == 0.5


@pytest.mark.diverges(("moto", "moto-server"), "reports 1.0 WCU for any PutItem; AWS bills 3 WCU for a 3 KB item")
def test_a_3_kb_write_consumes_3_wcu(dynamodb, table, item_of_size):
    assert put(dynamodb, table, item_of_size(3 * 1024)) == consumed_by_one_write(3 * 1024) == 3.0


@pytest.mark.diverges(("moto", "moto-server"), "reports 0.5 RCU for any GetItem; AWS bills 2 RCU for 6 KB, strong")
def test_a_6_kb_strongly_consistent_read_consumes_2_rcu(dynamodb, table, item_of_size):
    item = item_of_size(6 * 1024)
    put(dynamodb, table, item)

    assert get(dynamodb, table, item, consistent=True) == consumed_by_one_read(6 * 1024, consistent=True) == 2.0
