"""Query reads one partition, scan reads the whole table; filters run after the read, on the server."""

from __future__ import annotations

from collections import Counter

import pytest
from botocore.exceptions import ClientError

from labkit.data import load_json
from labkit.dynamodb import create_table, from_item, put_items
from labkit.report import show_table

BOOKS = load_json("dynamodb/library_books.json")
AUTHOR = "Haruki Murakami"


@pytest.fixture
def library_table(aws_client, unique_name):
    """The library catalogue's table, empty: Author is the partition key, Title the sort key."""
    name = unique_name("library")
    create_table(aws_client("dynamodb"), name, partition_key=("Author", "S"), sort_key=("Title", "S"))
    return name


@pytest.fixture
def library(aws_client, library_table):
    """The library catalogue with its 16 books."""
    put_items(aws_client("dynamodb"), library_table, BOOKS)
    return library_table


def books_by(author):
    return [book for book in BOOKS if book["Author"] == author]


def test_query_reads_only_the_items_of_one_partition(aws_client, library):
    response = aws_client("dynamodb").query(
        TableName=library,
        ConsistentRead=True,
        KeyConditionExpression="Author = :author",
        ExpressionAttributeValues={":author": {"S": AUTHOR}},
    )

    expected = len(books_by(AUTHOR))
    assert (response["Count"], response["ScannedCount"]) == (expected, expected) == (4, 4)
    titles = [from_item(item)["Title"] for item in response["Items"]]
    assert titles == sorted(book["Title"] for book in books_by(AUTHOR))  # in sort-key order


def test_scan_reads_every_item_in_the_table(aws_client, library):
    response = aws_client("dynamodb").scan(TableName=library, ConsistentRead=True)

    assert response["ScannedCount"] == response["Count"] == len(BOOKS) == 16


def test_filter_lowers_count_but_not_scanned_count(aws_client, library):
    dynamodb = aws_client("dynamodb")
    japanese = {":language": {"S": "Japanese"}}

    unfiltered = dynamodb.scan(TableName=library, ConsistentRead=True)
    filtered = dynamodb.scan(
        TableName=library,
        ConsistentRead=True,
        FilterExpression="#l = :language",
        ExpressionAttributeNames={"#l": "Language"},
        ExpressionAttributeValues=japanese,
    )
    show_table(
        "scan, with and without FilterExpression Language = Japanese",
        ["request", "ScannedCount (read)", "Count (returned)"],
        [
            ["no filter", unfiltered["ScannedCount"], unfiltered["Count"]],
            ["filter", filtered["ScannedCount"], filtered["Count"]],
        ],
    )

    assert filtered["ScannedCount"] == unfiltered["ScannedCount"] == 16
    assert filtered["Count"] == 4


def test_filter_runs_on_the_server_so_only_matches_are_returned(aws_client, library):
    """The note (002) calls FilterExpression "client side filtering": the response already holds only matches."""
    response = aws_client("dynamodb").query(
        TableName=library,
        ConsistentRead=True,
        KeyConditionExpression="Author = :author",
        FilterExpression="#y > :year",
        ExpressionAttributeNames={"#y": "Year"},
        ExpressionAttributeValues={":author": {"S": AUTHOR}, ":year": {"N": "2000"}},
    )

    assert response["ScannedCount"] == 4  # the whole partition was read (and paid for) ...
    assert len(response["Items"]) == response["Count"] == 3  # ... but only matches crossed the wire
    assert all(int(from_item(item)["Year"]) > 2000 for item in response["Items"])


def test_limit_and_last_evaluated_key_page_through_every_item_exactly_once(aws_client, library):
    dynamodb = aws_client("dynamodb")
    pages, seen, start = [], Counter(), {}
    while True:
        page = dynamodb.scan(TableName=library, Limit=5, ConsistentRead=True, **start)
        pages.append(page["Count"])
        seen.update((item["Author"]["S"], item["Title"]["S"]) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    assert pages == [5, 5, 5, 1]
    assert set(seen) == {(book["Author"], book["Title"]) for book in BOOKS}
    assert set(seen.values()) == {1}  # nothing twice


def test_limit_counts_items_read_before_the_filter(aws_client, library):
    response = aws_client("dynamodb").scan(
        TableName=library,
        ConsistentRead=True,
        Limit=5,
        FilterExpression="#l = :language",
        ExpressionAttributeNames={"#l": "Language"},
        ExpressionAttributeValues={":language": {"S": "Korean"}},
    )

    assert response["ScannedCount"] == 5
    assert response["Count"] < 5
    assert "LastEvaluatedKey" in response  # more of the table is left to read, even if this page looked short


@pytest.mark.parametrize("condition", ["Author > :author", "begins_with(Author, :author)"])
def test_partition_key_condition_must_be_equality(aws_client, library_table, condition):
    with pytest.raises(ClientError) as raised:  # refused for the key schema alone: no items needed
        aws_client("dynamodb").query(
            TableName=library_table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues={":author": {"S": "H"}},
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_query_without_the_partition_key_is_rejected(aws_client, library_table):
    with pytest.raises(ClientError) as raised:
        aws_client("dynamodb").query(
            TableName=library_table,
            KeyConditionExpression="Title = :title",
            ExpressionAttributeValues={":title": {"S": "Emma"}},
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"


# --- parallel scan ----------------------------------------------------------------------------------------------


def scan_all(dynamodb, table, **options):
    """Every item of one scan, following LastEvaluatedKey; returns (items, item count of each page)."""
    items, pages, start = [], [], {}
    while True:
        page = dynamodb.scan(TableName=table, ConsistentRead=True, **options, **start)
        items += page["Items"]
        pages.append(page["Count"])
        if "LastEvaluatedKey" not in page:
            return items, pages
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_parallel_scan_segments_are_disjoint_and_cover_the_table(aws_client, library):
    dynamodb = aws_client("dynamodb")
    segments = {
        segment: {(item["Author"]["S"], item["Title"]["S"]) for item in scan_all(
            dynamodb, library, Segment=segment, TotalSegments=4)[0]}
        for segment in range(4)
    }  # fmt: skip
    show_table(
        "parallel scan, TotalSegments=4 (each segment is one worker's share)",
        ["Segment", "items"],
        [[segment, len(keys)] for segment, keys in segments.items()],
    )

    everything = {(book["Author"], book["Title"]) for book in BOOKS}
    assert set().union(*segments.values()) == everything  # together they cover the table
    assert sum(len(keys) for keys in segments.values()) == len(everything) == 16  # and no item is in two


# --- the 1 MB page ----------------------------------------------------------------------------------------------

MIB = 1024 * 1024  # DynamoDB's "1 MB" is binary: 1 MB = 1024 KB = 1,048,576 bytes
BLOB = 250_000  # bytes of payload per item: 5 items make 1.25 MB, more than one 1 MB page
BIG_ITEMS = 5


@pytest.fixture
def big_items(aws_client, unique_name, item_size):
    """A table of 5 items of about 250 KB each: too much for one 1 MB scan page."""
    name = unique_name("big")
    dynamodb = aws_client("dynamodb")
    create_table(dynamodb, name, partition_key=("id", "S"))
    items = [{"id": f"item-{n:02}", "blob": "x" * BLOB} for n in range(BIG_ITEMS)]
    put_items(dynamodb, name, items)
    return name, item_size(items[0])


def test_scan_page_stops_at_1_mb_and_says_where_to_go_on(aws_client, big_items):
    table, size = big_items
    dynamodb = aws_client("dynamodb")

    items, pages = scan_all(dynamodb, table)  # no Limit: only the 1 MB cap ends a page
    show_table(
        f"scan of {BIG_ITEMS} items of {size:,} bytes, no Limit",
        ["page", "items", "bytes"],
        [[n + 1, count, f"{count * size:,}"] for n, count in enumerate(pages)],
    )

    assert len(pages) > 1 and pages[0] < BIG_ITEMS  # the first page ended with a LastEvaluatedKey
    assert pages[0] * size <= MIB + size  # at most one item past the 1 MB line
    assert sorted(item["id"]["S"] for item in items) == [f"item-{n:02}" for n in range(BIG_ITEMS)]  # each once


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "stops a page at 1,000,000 bytes (3 items of 250 KB); AWS reads up to 1 MB = 1,048,576 bytes (4 or more)",
    evidence="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html"
    " ; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html",
)
def test_scan_page_reads_past_1_000_000_bytes_because_1_mb_is_1_mib(aws_client, big_items):
    table, size = big_items

    first = aws_client("dynamodb").scan(TableName=table, ConsistentRead=True)

    assert first["Count"] * size > 1_000_000  # 4 x 250,013 = 1,000,052 bytes still fit under 1,048,576
    assert first["Count"] * size <= MIB + size
