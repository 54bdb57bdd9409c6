"""Set types hold each value once and are never empty; a binary value is raw bytes to you and base64 only on
the wire; a ProjectionExpression picks the attributes a read returns, names reserved words through
ExpressionAttributeNames, and does not lower what the read costs."""

from __future__ import annotations

import base64
import json

import pytest

from labkit.dynamodb import create_table, from_item, to_item
from labkit.errors import error_code
from labkit.report import show_table

DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide"
SET_RULES = f"{DOCS}/HowItWorks.NamingRulesDataTypes.html"  # each value unique; no empty sets
# An AWS re:Post answer quoting those rules for the refusal "Input collection [0, 1, 0] contains duplicates".
DUPLICATES_REFUSED = (
    "https://repost.aws/questions/QUYa5oWJ84S6am0x3aIQcbtg/"
    "dynamodb-add-string-set-of-0-1-0-get-error-input-collection-0-1-0-contains-duplicates"
)
KAFKA = {"Author": "Haruki Murakami", "Title": "Kafka on the Shore", "Language": "Japanese", "Year": 2002}
COVER = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF])  # a PNG signature, a NUL, a 0xFF


@pytest.fixture
def books(dynamodb, unique_name):
    """The library's table (Author + Title) holding one book."""
    name = unique_name("books")
    create_table(dynamodb, name, partition_key=("Author", "S"), sort_key=("Title", "S"))
    dynamodb.put_item(TableName=name, Item=to_item(KAFKA))
    return name


def key(book):
    return to_item({"Author": book["Author"], "Title": book["Title"]})


def read(dynamodb, table, **options):
    return dynamodb.get_item(TableName=table, Key=key(KAFKA), ConsistentRead=True, **options)["Item"]


# --- sets -----------------------------------------------------------------------------------------------------


def test_adding_to_a_string_set_keeps_each_value_once(dynamodb, books):
    dynamodb.update_item(
        TableName=books,
        Key=key(KAFKA),
        UpdateExpression="SET Tags = :first",
        ExpressionAttributeValues={":first": {"SS": ["surreal", "cats"]}},
    )
    dynamodb.update_item(
        TableName=books,
        Key=key(KAFKA),
        UpdateExpression="ADD Tags :more",
        ExpressionAttributeValues={":more": {"SS": ["cats", "music"]}},
    )

    assert sorted(read(dynamodb, books)["Tags"]["SS"]) == ["cats", "music", "surreal"]  # "cats" once


def test_delete_takes_values_out_of_a_number_set(dynamodb, books):
    dynamodb.update_item(
        TableName=books,
        Key=key(KAFKA),
        UpdateExpression="SET Editions = :all",
        ExpressionAttributeValues={":all": {"NS": ["2002", "2005", "2015"]}},
    )
    dynamodb.update_item(
        TableName=books,
        Key=key(KAFKA),
        UpdateExpression="DELETE Editions :gone",
        ExpressionAttributeValues={":gone": {"NS": ["2005"]}},
    )

    assert sorted(int(n) for n in read(dynamodb, books)["Editions"]["NS"]) == [2002, 2015]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "stores a string set given a value twice; AWS refuses it: each value in a set must be unique",
    evidence=f"{SET_RULES} ; {DUPLICATES_REFUSED}",
)
def test_a_set_given_the_same_value_twice_is_refused(dynamodb, books):
    item = {**key(KAFKA), "Tags": {"SS": ["cats", "cats"]}}

    assert error_code(dynamodb.put_item, TableName=books, Item=item) == "ValidationException"


@pytest.mark.parametrize(
    "set_type",
    [
        "SS",
        "NS",
        pytest.param(
            "BS",
            marks=pytest.mark.diverges(
                ("moto", "moto-server"), "stores an empty binary set; AWS supports no empty sets", evidence=SET_RULES
            ),
        ),
    ],
)
def test_an_empty_set_is_refused(dynamodb, books, set_type):
    item = {**key(KAFKA), "Empty": {set_type: []}}

    assert error_code(dynamodb.put_item, TableName=books, Item=item) == "ValidationException"


# --- binary -----------------------------------------------------------------------------------------------------


def test_the_sdk_sends_binary_as_base64_and_gives_back_the_raw_bytes(dynamodb, books):
    """The note says binary must be converted to Base64: the SDK does that on the wire; you pass raw bytes."""
    sent = []
    dynamodb.meta.events.register("before-send.dynamodb.PutItem", lambda request, **_: sent.append(request.body))
    dynamodb.put_item(TableName=books, Item=to_item({**KAFKA, "Cover": COVER, "Thumbnails": {COVER[:4], COVER[4:]}}))

    on_the_wire = json.loads(sent[0])["Item"]["Cover"]
    stored = read(dynamodb, books)
    show_table(
        "Cover", ["you pass", "on the wire (JSON)", "you get back"], [[COVER, on_the_wire, stored["Cover"]["B"]]]
    )

    assert on_the_wire == {"B": base64.b64encode(COVER).decode()}
    assert stored["Cover"]["B"] == COVER  # raw bytes again, not base64 text
    assert sorted(stored["Thumbnails"]["BS"]) == sorted([COVER[:4], COVER[4:]])  # a binary set, BS


# --- projections and reserved words ------------------------------------------------------------------------------


def test_a_projection_returns_only_the_attributes_it_names(dynamodb, books):
    item = read(dynamodb, books, ProjectionExpression="Title, #l", ExpressionAttributeNames={"#l": "Language"})

    assert from_item(item) == {"Title": "Kafka on the Shore", "Language": "Japanese"}  # no Author, no Year


def test_a_reserved_word_in_an_expression_is_refused(dynamodb, books):
    """YEAR is one of DynamoDB's reserved words: an expression cannot name the attribute Year directly."""
    code = error_code(
        dynamodb.get_item, TableName=books, Key=key(KAFKA), ConsistentRead=True, ProjectionExpression="Title, Year"
    )

    assert code == "ValidationException"


def test_an_expression_attribute_name_stands_in_for_a_reserved_word(dynamodb, books):
    item = read(dynamodb, books, ProjectionExpression="Title, #y", ExpressionAttributeNames={"#y": "Year"})

    assert from_item(item) == {"Title": "Kafka on the Shore", "Year": 2002}


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "reports one figure for any read (1.0), whatever the item's size; AWS bills by the size of the item read: "
    "2 RCU for a 6 KB item read strongly consistent, with or without a projection",
    evidence="botocore:dynamodb/2012-08-10#Query",
)
def test_a_projection_does_not_lower_what_the_read_costs(dynamodb, books):
    dynamodb.put_item(TableName=books, Item=to_item({**KAFKA, "Summary": "x" * 6000}))  # about 6 KB in all

    def units(**projection):
        response = dynamodb.query(
            TableName=books,
            ConsistentRead=True,
            KeyConditionExpression="Author = :a",
            ExpressionAttributeValues={":a": {"S": KAFKA["Author"]}},
            ReturnConsumedCapacity="TOTAL",
            **projection,
        )
        return response["ConsumedCapacity"]["CapacityUnits"]

    whole, title_only = units(), units(ProjectionExpression="Title")
    show_table(
        "Query of one 6 KB item, strongly consistent", ["projection", "RCU"], [["none", whole], ["Title", title_only]]
    )

    assert whole == title_only == 2.0
