"""The note's library: Author + Title is the main way in; an LSI re-sorts one author's books by Year;
a GSI, added after the table exists, finds books by Language."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from labkit.data import load_json
from labkit.dynamodb import create_table, from_item, put_items, to_item
from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.report import show_table

BOOKS = load_json("dynamodb/library_books.json")
MURAKAMI = "Haruki Murakami"


@pytest.fixture
def library(dynamodb, unique_name):
    """Author (partition) + Title (sort), with a local index ByYear: same partition key, Year as sort key."""
    name = unique_name("library")
    create_table(
        dynamodb,
        name,
        partition_key=("Author", "S"),
        sort_key=("Title", "S"),
        extra_attributes=[("Year", "N")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "ByYear",
                "KeySchema": [
                    {"AttributeName": "Author", "KeyType": "HASH"},
                    {"AttributeName": "Year", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    put_items(dynamodb, name, BOOKS)
    return name


def add_language_index(dynamodb, backend, table, projection):
    """UpdateTable: a global index ByLanguage (Language, Title) on a table that already holds books."""
    dynamodb.update_table(
        TableName=table,
        AttributeDefinitions=[
            {"AttributeName": "Language", "AttributeType": "S"},
            {"AttributeName": "Title", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "ByLanguage",
                    "KeySchema": [
                        {"AttributeName": "Language", "KeyType": "HASH"},
                        {"AttributeName": "Title", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": projection},
                }
            }
        ],
    )
    return eventually(  # emulators are ACTIVE at once; AWS backfills the index first
        lambda: dynamodb.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", []),
        backend,
        until=lambda indexes: [index["IndexStatus"] for index in indexes] == ["ACTIVE"],
        aws_seconds=300,
        emulator_seconds=300,
        interval=1,
    )


def by_language(dynamodb, table, language, **options):
    return dynamodb.query(
        TableName=table,
        IndexName="ByLanguage",
        KeyConditionExpression="#l = :l",
        ExpressionAttributeNames={"#l": "Language"},
        ExpressionAttributeValues={":l": {"S": language}},
        **options,
    )


def test_lsi_sorts_one_authors_books_by_another_key(dynamodb, library):
    response = dynamodb.query(
        TableName=library,
        IndexName="ByYear",
        ConsistentRead=True,  # an LSI allows it: the read sees the books just written
        KeyConditionExpression="Author = :a",
        ExpressionAttributeValues={":a": {"S": MURAKAMI}},
    )
    books = [from_item(item) for item in response["Items"]]
    show_table("Murakami through the LSI ByYear", ["Year", "Title"], [[b["Year"], b["Title"]] for b in books])

    assert [(int(b["Year"]), b["Title"]) for b in books] == [
        (1987, "Norwegian Wood"),
        (2002, "Kafka on the Shore"),
        (2009, "1Q84"),
        (2017, "Killing Commendatore"),
    ]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates a local index keyed on another partition key; AWS refuses: an LSI begins with the table's partition key",
    evidence="botocore:dynamodb/2012-08-10#CreateTable ; unverified: the error code of the refusal",
)
def test_an_lsi_must_use_the_tables_partition_key(dynamodb, unique_name):
    by_language = {
        "IndexName": "ByLanguage",
        "KeySchema": [{"AttributeName": "Language", "KeyType": "HASH"}, {"AttributeName": "Title", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"},
    }

    code = error_code(
        create_table,
        dynamodb,
        unique_name("library"),
        partition_key=("Author", "S"),
        sort_key=("Title", "S"),
        extra_attributes=[("Language", "S")],
        LocalSecondaryIndexes=[by_language],
    )

    assert code == "ValidationException"  # a different partition key needs a global index


def test_update_table_has_no_way_to_add_an_lsi(dynamodb, library):
    members = dynamodb.meta.service_model.operation_model("UpdateTable")  # the API model the SDK uses
    assert "GlobalSecondaryIndexUpdates" in members.input_shape.members
    assert not [name for name in members.input_shape.members if "Local" in name]

    with pytest.raises(ParamValidationError):  # refused before it leaves the SDK: the API has no such field
        dynamodb.update_table(TableName=library, LocalSecondaryIndexUpdates=[])


def test_gsi_added_to_an_existing_table_finds_books_by_language(dynamodb, library, backend):
    indexes = add_language_index(dynamodb, backend, library, "ALL")

    response = by_language(dynamodb, library, "Japanese")

    assert [index["IndexName"] for index in indexes] == ["ByLanguage"]
    assert sorted(from_item(item)["Title"] for item in response["Items"]) == sorted(
        book["Title"] for book in BOOKS if book["Language"] == "Japanese"
    )
    assert response["Count"] == 4


def test_keys_only_projection_returns_only_the_table_and_index_keys(dynamodb, library, backend):
    add_language_index(dynamodb, backend, library, "KEYS_ONLY")

    items = by_language(dynamodb, library, "Korean")["Items"]

    assert len(items) == 3
    assert {frozenset(item) for item in items} == {frozenset({"Author", "Title", "Language"})}  # no Year


def test_consistent_read_on_a_gsi_is_rejected(dynamodb, library, backend):
    add_language_index(dynamodb, backend, library, "ALL")

    with pytest.raises(ClientError) as raised:
        by_language(dynamodb, library, "English", ConsistentRead=True)

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_consistent_read_on_an_lsi_is_allowed(dynamodb, library):
    response = dynamodb.query(
        TableName=library,
        IndexName="ByYear",
        ConsistentRead=True,
        KeyConditionExpression="Author = :a AND #y > :y",
        ExpressionAttributeNames={"#y": "Year"},
        ExpressionAttributeValues={":a": {"S": "Jane Austen"}, ":y": {"N": "1812"}},
    )

    assert [from_item(item)["Title"] for item in response["Items"]] == ["Pride and Prejudice", "Emma", "Persuasion"]


# --- a sparse index -------------------------------------------------------------------------------------------


@pytest.fixture
def lending_library(dynamodb, unique_name):
    """The library with a global index OnLoan keyed on Borrower, an attribute no book has until it is lent."""
    name = unique_name("lending")
    create_table(
        dynamodb,
        name,
        partition_key=("Author", "S"),
        sort_key=("Title", "S"),
        extra_attributes=[("Borrower", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "OnLoan",
                "KeySchema": [{"AttributeName": "Borrower", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    put_items(dynamodb, name, BOOKS)
    return name


def lend(dynamodb, table, author, title, borrower):
    dynamodb.update_item(
        TableName=table,
        Key=to_item({"Author": author, "Title": title}),
        UpdateExpression="SET Borrower = :b",
        ExpressionAttributeValues={":b": {"S": borrower}},
    )


def give_back(dynamodb, table, author, title):
    dynamodb.update_item(
        TableName=table, Key=to_item({"Author": author, "Title": title}), UpdateExpression="REMOVE Borrower"
    )


def on_loan(dynamodb, table, backend, titles):
    """Scan the index OnLoan; on AWS (a GSI is updated asynchronously) until it holds ``titles``. Returns the scan."""
    scan = {}

    def look():
        scan.update(dynamodb.scan(TableName=table, IndexName="OnLoan"))
        return sorted(from_item(item)["Title"] for item in scan["Items"]) == titles

    eventually(look, backend, aws_seconds=30, interval=1)
    return scan


def test_a_sparse_index_holds_only_the_items_that_have_its_key(dynamodb, lending_library, backend):
    lend(dynamodb, lending_library, MURAKAMI, "1Q84", "ada")
    lend(dynamodb, lending_library, "Han Kang", "Human Acts", "grace")

    scan = on_loan(dynamodb, lending_library, backend, ["1Q84", "Human Acts"])

    assert sorted(from_item(item)["Title"] for item in scan["Items"]) == ["1Q84", "Human Acts"]
    assert scan["ScannedCount"] == 2  # the index holds 2 of the 16 books: scanning it reads only those


def test_removing_the_key_attribute_takes_the_item_out_of_the_index(dynamodb, lending_library, backend):
    lend(dynamodb, lending_library, MURAKAMI, "1Q84", "ada")
    lend(dynamodb, lending_library, "Han Kang", "Human Acts", "grace")
    give_back(dynamodb, lending_library, MURAKAMI, "1Q84")

    scan = on_loan(dynamodb, lending_library, backend, ["Human Acts"])

    assert [from_item(item)["Title"] for item in scan["Items"]] == ["Human Acts"]
