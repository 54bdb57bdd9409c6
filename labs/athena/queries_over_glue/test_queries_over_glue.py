"""Athena runs SQL over files in S3, with the schema and the partitions taken from the Glue Data Catalog. A query
is started, waited for (QUEUED, RUNNING, then SUCCEEDED or FAILED), and its rows are read with GetQueryResults
(and written to S3 as CSV). A WHERE on a partition key reads only the matching prefixes.

No emulator here computes a query: moto answers from a queue of canned results (empty unless a test fills it
through moto's own API), and MiniStack, without DuckDB installed, answers every SELECT with one 'mock_value'
row. Every assertion about the rows or the scanned bytes is AWS's, marked where an emulator falls short."""

from __future__ import annotations

import csv
import io

import pytest

from labkit import ops
from labkit.data import load_json
from labkit.report import show_table

FLIGHTS = load_json("athena/flights.json")
KEYS = FLIGHTS["partition_keys"]
CSV_STORAGE = {
    "Columns": FLIGHTS["columns"],
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {"field.delim": ","},
    },
}
DELAYS_1991 = (
    "SELECT carrier, count(*) AS flights, sum(depdelay) AS delay_minutes "
    "FROM flights WHERE year = '1991' GROUP BY carrier ORDER BY carrier"
)
RESULTS_DOC = "https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html"
PARTITIONS_DOC = "https://docs.aws.amazon.com/athena/latest/ug/partitions.html"
MODEL = "botocore:athena/2017-05-18"
NOT_RUN = {
    "moto": "runs no SQL: GetQueryResults returns the next canned result queued through moto's API, none here",
    "ministack": "answers a SELECT with one row 'mock_value' (its engine is 'mock' without DuckDB installed)",
}
NO_ENGINE = ("moto", "moto-server", "ministack")


def not_run(what):
    return f"{what}; moto {NOT_RUN['moto']}; MiniStack {NOT_RUN['ministack']}"


@pytest.fixture
def athena(aws_client):
    return aws_client("athena")


@pytest.fixture
def bucket(aws_client, unique_name):
    name = unique_name("athena")
    aws_client("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture
def flights(aws_client, bucket, unique_name):
    """The database name: a Glue database with the partitioned `flights` table (CSV under
    s3://<bucket>/flights/year=/month=/day=/), one object per partition, every partition registered."""
    glue, s3 = aws_client("glue"), aws_client("s3")
    database, location = unique_name("flights").replace("-", "_"), f"s3://{bucket}/flights/"
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": "flights", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "csv"},
            "PartitionKeys": [{"Name": key, "Type": "string"} for key in KEYS],
            "StorageDescriptor": {**CSV_STORAGE, "Location": location},
        },
    )  # fmt: skip
    for partition in FLIGHTS["partitions"]:
        body = "".join(",".join(str(value) for value in row) + "\n" for row in partition["rows"])
        key = f"flights/{ops.hive_prefix(KEYS, partition['values'])}data.csv"
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    inputs = [ops.partition_input(location, KEYS, p["values"], CSV_STORAGE) for p in FLIGHTS["partitions"]]
    response = glue.batch_create_partition(DatabaseName=database, TableName="flights", PartitionInputList=inputs)
    assert response.get("Errors", []) == []
    return database


def start(athena, database, bucket, sql):
    return athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Database": database},
        ResultConfiguration={"OutputLocation": f"s3://{bucket}/results/"},
    )["QueryExecutionId"]


def run(athena, database, bucket, sql):
    """Start a query and wait for its end; (query id, states seen, final description)."""
    query_id = start(athena, database, bucket, sql)
    states = ops.wait_for_query(athena, query_id)
    return query_id, states, athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]


def rows(athena, query_id):
    """Every row of the result, across pages, as lists of strings (a SELECT's first row holds the column names)."""
    pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
    return [[cell.get("VarCharValue") for cell in row["Data"]] for page in pages for row in page["ResultSet"]["Rows"]]


def test_a_query_runs_in_the_background_and_ends_succeeded(athena, flights, bucket):
    _, states, _ = run(athena, flights, bucket, DELAYS_1991)
    show_table("query states seen", ["state"], [[s] for s in states])

    assert states[-1] == "SUCCEEDED"
    order = ["QUEUED", "RUNNING", "SUCCEEDED"]
    assert [order.index(s) for s in states] == sorted(order.index(s) for s in states)  # never goes back


@pytest.mark.diverges(
    NO_ENGINE, not_run("AWS computes the rows"), evidence=f"{MODEL}#GetQueryResults ; {PARTITIONS_DOC}"
)
def test_the_results_are_the_header_then_the_rows_athena_computed(athena, flights, bucket):
    query_id, _, _ = run(athena, flights, bucket, DELAYS_1991)

    found = rows(athena, query_id)
    show_table("delays in 1991", found[0] if found else [], found[1:])
    assert found == FLIGHTS["delays_in_1991"]  # AA 3 flights 25 min, DL 1 5, UA 1 40: 1992's flights left out


@pytest.mark.diverges(
    NO_ENGINE,
    not_run("AWS writes <query id>.csv to the output location"),
    evidence=f"{RESULTS_DOC} ; {MODEL}#ResultConfiguration",
)
def test_the_results_are_also_written_to_s3_as_csv_named_after_the_query(athena, aws_client, flights, bucket):
    query_id, _, described = run(athena, flights, bucket, DELAYS_1991)

    location = described["ResultConfiguration"]["OutputLocation"]
    assert location == f"s3://{bucket}/results/{query_id}.csv"
    body = aws_client("s3").get_object(Bucket=bucket, Key=f"results/{query_id}.csv")["Body"].read().decode()
    assert list(csv.reader(io.StringIO(body))) == FLIGHTS["delays_in_1991"]


@pytest.mark.diverges(
    NO_ENGINE,
    "reports no bytes scanned that depend on the partitions read (moto: none; MiniStack: the size of its answer)",
    evidence=f"{PARTITIONS_DOC} ; {MODEL}#QueryExecutionStatistics",
)
def test_a_where_on_a_partition_key_scans_less_than_the_whole_table(athena, flights, bucket):
    scanned = {}
    for label, sql in {"all years": "SELECT count(*) FROM flights",
                       "year = '1991'": "SELECT count(*) FROM flights WHERE year = '1991'"}.items():  # fmt: skip
        _, _, described = run(athena, flights, bucket, sql)
        scanned[label] = described["Statistics"]["DataScannedInBytes"]
    show_table("bytes scanned", ["query", "DataScannedInBytes"], scanned.items())

    assert 0 < scanned["year = '1991'"] < scanned["all years"]  # 1992's prefix is never read


@pytest.mark.diverges(
    NO_ENGINE,
    "ends a query on a table that does not exist SUCCEEDED; AWS ends it FAILED, with the reason",
    evidence=f"{MODEL}#QueryExecutionState ; {MODEL}#QueryExecutionStatus",
)
def test_a_query_on_a_missing_table_ends_failed_with_a_reason(athena, flights, bucket):
    _, states, described = run(athena, flights, bucket, "SELECT * FROM no_such_table")

    assert states[-1] == "FAILED"
    assert "no_such_table" in described["Status"]["StateChangeReason"].lower()
