"""A DynamoDB stream feeds a Lambda function through an event source mapping. Every write to the table becomes
a stream record (INSERT, MODIFY or REMOVE) carrying the images the stream's view type asks for; the mapping
reads the stream in batches of at most BatchSize records, from the oldest record kept (TRIM_HORIZON) or from
the moment it starts reading (LATEST).

Every test runs the function for real (``lambda-execution``): ``pytest <this file> --backend ministack``.
On AWS a mapping starts reading within a minute or two; the waits allow five minutes.
"""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path

import pytest

from labkit.eventually import MAPPING, Patience, eventually
from labkit.report import show_table
from labkit.serverless import create_mapping

HERE = Path(__file__).parent
pytestmark = pytest.mark.needs("lambda-execution")

#: While waiting for a LATEST mapping to start reading, how long one probe write is given to come through.
ONE_PROBE: Patience = {"aws_seconds": 20.0, "emulator_seconds": 2.0}
STREAM_SNAPSHOTS = (
    "localstack/localstack:tests/aws/services/lambda_/event_source_mapping/"
    "test_lambda_integration_dynamodbstreams.snapshot.json"
)


@pytest.fixture
def streamed_table(aws_client, backend, unique_name, inbox, grant, lambda_function):
    """``streamed_table(view_type)`` -> (table name, stream ARN, seen inbox, start(position, batch_size)):
    a table with a stream, the recorder function, and ``start`` to map the stream to the function."""
    ddb, lam = aws_client("dynamodb"), aws_client("lambda")

    def build(view_type="NEW_AND_OLD_IMAGES"):
        name = unique_name("orders")
        created = ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
        )
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        stream = created["TableDescription"]["LatestStreamArn"]
        seen = inbox("seen")
        grant(["sqs:SendMessage"], [seen.arn])
        grant(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [stream])
        grant(["dynamodb:ListStreams"], ["*"])
        function = lambda_function(
            HERE / "stream_record_handler.py",
            handler="stream_record_handler.lambda_handler",
            environment={"SEEN_QUEUE_URL": seen.url},
        )

        def start(position, batch_size=100):
            return create_mapping(
                lam,
                backend,
                EventSourceArn=stream,
                FunctionName=function.name,
                StartingPosition=position,
                BatchSize=batch_size,
            )

        return name, stream, seen, start

    return build


def records_in(batches):
    return [record for batch in batches for record in batch]


def key_of(record):
    return record["dynamodb"]["Keys"]["id"]["S"]


def test_a_put_an_update_and_a_delete_arrive_as_insert_modify_and_remove_in_order(
    aws_client, aws_region, streamed_table
):
    ddb = aws_client("dynamodb")
    table, stream, seen, start = streamed_table("NEW_AND_OLD_IMAGES")
    start("TRIM_HORIZON")

    ddb.put_item(TableName=table, Item={"id": {"S": "o-1"}, "status": {"S": "placed"}})
    ddb.update_item(
        TableName=table,
        Key={"id": {"S": "o-1"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "shipped"}},
    )
    ddb.delete_item(TableName=table, Key={"id": {"S": "o-1"}})
    records = records_in(seen.take_until(lambda found: len(records_in(found)) >= 3, MAPPING))

    show_table("stream records", ["eventName", "OldImage status", "NewImage status"], [
        (r["eventName"], *(r["dynamodb"].get(i, {}).get("status", {}).get("S", "-") for i in ("OldImage", "NewImage")))
        for r in records
    ])  # fmt: skip
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert (insert.get("OldImage"), insert["NewImage"]["status"]) == (None, {"S": "placed"})
    assert (modify["OldImage"]["status"], modify["NewImage"]["status"]) == ({"S": "placed"}, {"S": "shipped"})
    assert (remove["OldImage"]["status"], remove.get("NewImage")) == ({"S": "shipped"}, None)
    assert {json.dumps(r["dynamodb"]["Keys"]) for r in records} == {'{"id": {"S": "o-1"}}'}
    assert {(r["eventSource"], r["eventSourceARN"], r["awsRegion"]) for r in records} == {
        ("aws:dynamodb", stream, aws_region)
    }
    assert {(r["eventVersion"], r["dynamodb"]["StreamViewType"]) for r in records} == {("1.1", "NEW_AND_OLD_IMAGES")}


@pytest.mark.parametrize(
    ("view_type", "images"),
    [("KEYS_ONLY", set()), ("NEW_IMAGE", {"NewImage"}), ("OLD_IMAGE", {"OldImage"})],
)
def test_the_stream_view_type_decides_which_images_an_update_record_carries(
    aws_client, streamed_table, view_type, images
):
    ddb = aws_client("dynamodb")
    table, _, seen, start = streamed_table(view_type)
    start("TRIM_HORIZON")

    ddb.put_item(TableName=table, Item={"id": {"S": "o-2"}, "status": {"S": "placed"}})
    ddb.put_item(TableName=table, Item={"id": {"S": "o-2"}, "status": {"S": "paid"}})
    records = records_in(seen.take_until(lambda found: len(records_in(found)) >= 2, MAPPING))

    modify = next(r for r in records if r["eventName"] == "MODIFY")["dynamodb"]
    assert {"NewImage", "OldImage"} & set(modify) == images
    assert modify["Keys"] == {"id": {"S": "o-2"}}


def test_trim_horizon_delivers_the_records_written_before_the_mapping(aws_client, streamed_table):
    ddb = aws_client("dynamodb")
    table, _, seen, start = streamed_table()
    for n in range(3):
        ddb.put_item(TableName=table, Item={"id": {"S": f"early-{n}"}})

    start("TRIM_HORIZON")
    records = records_in(seen.take_until(lambda found: len(records_in(found)) >= 3, MAPPING))

    assert sorted(key_of(r) for r in records) == ["early-0", "early-1", "early-2"]


def test_latest_skips_the_records_written_before_the_mapping(aws_client, backend, streamed_table):
    ddb = aws_client("dynamodb")
    table, _, seen, start = streamed_table()
    ddb.put_item(TableName=table, Item={"id": {"S": "before"}})
    start("LATEST")

    # AWS: LATEST begins where the stream ends when the mapping starts reading, which can be a little after it
    # is Enabled; so write probes until one comes through, and keep everything that arrived.
    received, probes = [], count()

    def a_probe_came_through():
        ddb.put_item(TableName=table, Item={"id": {"S": f"after-{next(probes)}"}})
        received.extend(records_in(seen.take_until(lambda found: bool(found), ONE_PROBE)))
        return any(key_of(r).startswith("after-") for r in received)

    assert eventually(a_probe_came_through, backend, **MAPPING, interval=0.5)
    received.extend(records_in(seen.take_all()))
    assert "before" not in {key_of(r) for r in received}


def test_a_batch_holds_at_most_the_batch_size_records(aws_client, streamed_table):
    ddb = aws_client("dynamodb")
    table, _, seen, start = streamed_table()
    for n in range(5):
        ddb.put_item(TableName=table, Item={"id": {"S": f"o-{n}"}})

    start("TRIM_HORIZON", batch_size=2)
    batches = seen.take_until(lambda found: len(records_in(found)) >= 5, MAPPING)

    show_table("batches", ["batch", "records"], enumerate(map(len, batches), 1))
    assert all(1 <= len(batch) <= 2 for batch in batches)
    assert sorted(key_of(r) for r in records_in(batches)) == [f"o-{n}" for n in range(5)]


@pytest.mark.diverges(
    "ministack",
    "writes SizeBytes 0 in every stream record; AWS writes the record's size in bytes",
    evidence=f"{STREAM_SNAPSHOTS}#TestDynamoDBEventSourceMapping::test_dynamodb_event_source_mapping",
)
def test_a_record_says_its_size_in_bytes(aws_client, streamed_table):
    ddb = aws_client("dynamodb")
    table, _, seen, start = streamed_table("NEW_IMAGE")
    start("TRIM_HORIZON")

    ddb.put_item(TableName=table, Item={"id": {"S": "o-3"}, "note": {"S": "x" * 100}})
    [record] = records_in(seen.take_until(lambda found: len(records_in(found)) >= 1, MAPPING))

    assert record["dynamodb"]["SizeBytes"] > 100
