"""ISO 8601 timestamps as string sort keys: begins_with picks a year, month or day; BETWEEN picks a range.
The order is plain byte order, so it only matches time order while every key uses the same format."""

from __future__ import annotations

import pytest

from labkit.data import load_json
from labkit.dynamodb import create_table, put_items
from labkit.report import show_table

TIMES = load_json("dynamodb/iso8601_timestamps.json")
EVERY_TIMESTAMP = TIMES["note_examples"] + TIMES["ours"]
NOTE = TIMES["note_prefixes"]
DEVICE = "sensor-1"


@pytest.fixture
def readings(dynamodb, unique_name):
    """One device's readings: partition key device, sort key at (an ISO 8601 string)."""
    name = unique_name("readings")
    create_table(dynamodb, name, partition_key=("device", "S"), sort_key=("at", "S"))
    put_items(dynamodb, name, [{"device": DEVICE, "at": at} for at in EVERY_TIMESTAMP])
    return name


def query_at(dynamodb, table, condition, **values):
    response = dynamodb.query(
        TableName=table,
        ConsistentRead=True,  # sees the readings the fixture has just written
        KeyConditionExpression=f"device = :d AND {condition}",
        ExpressionAttributeNames={"#at": "at"},  # AT is a reserved word in DynamoDB expressions
        ExpressionAttributeValues={":d": {"S": DEVICE}, **{f":{k}": {"S": v} for k, v in values.items()}},
    )
    return [item["at"]["S"] for item in response["Items"]]


def test_begins_with_a_year_finds_that_year(dynamodb, readings):
    assert query_at(dynamodb, readings, "begins_with(#at, :p)", p="2021") == [
        "2021-01-05T08:00:00Z",
        "2021-11-02T10:30:00Z",
        "2021-11-21",
        "2021-11-21T09:15:00Z",
        "2021-11-21T23:04:54Z",
        "2021-12-31T23:59:59Z",
    ]


def test_begins_with_a_month_finds_that_month(dynamodb, readings):
    found = query_at(dynamodb, readings, "begins_with(#at, :p)", p=NOTE["month"])

    assert found == ["2021-11-02T10:30:00Z", "2021-11-21", "2021-11-21T09:15:00Z", "2021-11-21T23:04:54Z"]


def test_begins_with_a_day_finds_that_day(dynamodb, readings):
    found = query_at(dynamodb, readings, "begins_with(#at, :p)", p="2021-11-21")

    assert found == ["2021-11-21", "2021-11-21T09:15:00Z", "2021-11-21T23:04:54Z"]


def test_the_notes_day_prefix_has_en_dashes_and_matches_nothing(dynamodb, readings):
    assert NOTE["day"] == "2021\u201311\u201321" != "2021-11-21"  # U+2013 EN DASH, not U+002D HYPHEN-MINUS

    assert query_at(dynamodb, readings, "begins_with(#at, :p)", p=NOTE["day"]) == []


def test_the_notes_year_prefix_2019_finds_2019_not_2021(dynamodb, readings):
    """The note: "Want data from 2021? Just look for strings starting with 2019" (a typo for 2021)."""
    assert query_at(dynamodb, readings, "begins_with(#at, :p)", p=NOTE["year"]) == ["2019-06-01T00:00:00Z"]


def test_between_picks_a_time_range_inclusive(dynamodb, readings):
    found = query_at(dynamodb, readings, "#at BETWEEN :a AND :b", a="2021-11-02T10:30:00Z", b="2021-11-21T09:15:00Z")

    assert found == ["2021-11-02T10:30:00Z", "2021-11-21", "2021-11-21T09:15:00Z"]  # both ends included


def test_basic_format_sorts_among_the_wrong_year(dynamodb, readings):
    """20150311T122706Z is 11 March 2015, but byte order puts it after December 2015 ('-' < '0')."""
    order = query_at(dynamodb, readings, "#at >= :a", a="0")
    show_table(
        "sort-key order of every reading (byte order of the strings)",
        ["#", "at"],
        [[n + 1, at] for n, at in enumerate(order)],
    )

    assert order[:3] == ["2015-12-21T17:42:34Z", "20150311T122706Z", "2016-02-15"]


def test_basic_format_falls_outside_a_between_for_its_own_year(dynamodb, readings):
    found = query_at(dynamodb, readings, "#at BETWEEN :a AND :b", a="2015-01-01", b="2015-12-31T23:59:59Z")

    assert found == ["2015-12-21T17:42:34Z"]  # March 2015, written 20150311T122706Z, is missing
