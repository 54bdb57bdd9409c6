"""S3 Select: SQL over one CSV object, filtered on the server, only the matching rows sent back."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.data import fixture_path

SELECT_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-glacier-select-sql-reference-select.html"
AGGREGATE_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-select-sql-reference-aggregate.html"

pytestmark = pytest.mark.diverges(
    ("localstack", "ministack"),
    "has no SelectObjectContent (LocalStack: InternalFailure, not emulated / not in the license plan; MiniStack: "
    "MethodNotAllowed); AWS runs the query for accounts that used S3 Select before it closed to new customers",
    evidence=SELECT_DOC,
    raises=ClientError,
)

CSV = fixture_path("s3/cities.csv").read_bytes()  # name,city,age; ann/paris/30, bob/rome/40, cid/paris/50


@pytest.fixture
def cities(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cities.csv", Body=CSV)
    return bucket


def select(s3, bucket, sql, key="cities.csv"):
    """The query's output as text (CSV out), gathered from the event stream's Records events."""
    response = s3.select_object_content(
        Bucket=bucket,
        Key=key,
        Expression=sql,
        ExpressionType="SQL",
        InputSerialization={"CSV": {"FileHeaderInfo": "USE"}},  # first line names the columns
        OutputSerialization={"CSV": {}},
    )
    return b"".join(e["Records"]["Payload"] for e in response["Payload"] if "Records" in e).decode()


def test_select_star_returns_every_row_without_the_header(s3, cities):
    assert select(s3, cities, "SELECT * FROM s3object s") == "ann,paris,30\nbob,rome,40\ncid,paris,50\n"


def test_where_keeps_only_the_matching_rows(s3, cities):
    assert select(s3, cities, "SELECT * FROM s3object s WHERE s.city = 'paris'") == "ann,paris,30\ncid,paris,50\n"


def test_a_projection_returns_only_the_named_columns(s3, cities):
    assert select(s3, cities, "SELECT s.name FROM s3object s WHERE s.city = 'paris'") == "ann\ncid\n"


def test_count_star_counts_the_rows(s3, cities):
    assert select(s3, cities, "SELECT COUNT(*) FROM s3object s") == "3\n"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "fails on WHERE when the table is spelled S3Object (it expects lowercase s3object); AWS's own reference "
    "spells it S3Object",
    evidence=SELECT_DOC,
)
def test_the_table_name_s3object_is_case_insensitive(s3, cities):
    assert select(s3, cities, "SELECT s.name FROM S3Object s WHERE s.city = 'rome'") == "bob\n"


@pytest.mark.diverges(
    ("moto", "moto-server"), "ignores LIMIT and returns all 3 rows; AWS returns 1", evidence=SELECT_DOC
)
def test_limit_caps_the_rows(s3, cities):
    assert select(s3, cities, "SELECT * FROM s3object s LIMIT 1") == "ann,paris,30\n"


@pytest.mark.diverges(
    ("moto", "moto-server"), "SUM(CAST(...)) returns 6, not the sum; AWS returns 120", evidence=AGGREGATE_DOC
)
def test_sum_adds_a_cast_column(s3, cities):
    assert select(s3, cities, "SELECT SUM(CAST(s.age AS INT)) FROM s3object s") == "120\n"


@pytest.mark.diverges(
    ("moto", "moto-server"), "a CAST in WHERE matches nothing; AWS compares numbers", evidence=SELECT_DOC
)
def test_where_compares_a_cast_column_as_a_number(s3, cities):
    assert select(s3, cities, "SELECT s.name FROM s3object s WHERE CAST(s.age AS INT) > 35") == "bob\ncid\n"
