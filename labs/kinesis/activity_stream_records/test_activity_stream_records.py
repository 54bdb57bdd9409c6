"""The note's Aurora activity record travels through Kinesis and a consumer keeps only the READ events."""

from __future__ import annotations

import copy
import json

import activity_consumer
import pytest

from labkit.data import load_json
from labkit.eventually import MESSAGE, seconds
from labkit.messaging import read_records
from labkit.report import show_table

NOTE_RECORD = load_json("kinesis/aurora_activity_record.json")


def write_record():
    """The note's record turned into an UPDATE (class WRITE): made here, the note shows only the SELECT."""
    record = copy.deepcopy(NOTE_RECORD)
    [event] = record["databaseActivityEvents"]["databaseActivityEventList"]
    event.update(statementId=7, command="UPDATE", commandText="update my_table set x = 1;", rowCount=3)
    event["class"] = "WRITE"
    return record


@pytest.fixture
def stream(make_stream):
    return make_stream("activity", shards=1)


def put_and_read(kinesis, backend, stream, records):
    cluster = NOTE_RECORD["databaseActivityEvents"]["clusterId"]
    for record in records:
        kinesis.put_record(StreamName=stream, PartitionKey=cluster, Data=json.dumps(record).encode("utf-8"))
    [shard] = kinesis.list_shards(StreamName=stream)["Shards"]
    start = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
    return read_records(kinesis, start["ShardIterator"], len(records), within=seconds(MESSAGE, backend))


def test_the_notes_record_crosses_kinesis_unchanged(aws_client, backend, stream):
    [received] = put_and_read(aws_client("kinesis"), backend, stream, [NOTE_RECORD])

    assert json.loads(received["Data"]) == NOTE_RECORD
    assert received["PartitionKey"] == "cluster-4HNY5V4RRNPKKYB7ICFKE5JBQQ"


def test_the_consumer_keeps_only_read_events(aws_client, backend, stream):
    received = put_and_read(aws_client("kinesis"), backend, stream, [write_record(), NOTE_RECORD, write_record()])

    reads = activity_consumer.events_of_class(received, "READ")
    every_event = activity_consumer.activity_events(received)
    show_table("activity events read from the stream", ["statementId", "command", "class", "kept"],
               [[e["statementId"], e["command"], e["class"], e in reads] for e in every_event])  # fmt: skip

    assert len(every_event) == 3
    assert [(e["command"], e["objectName"], e["dbUserName"], e["rowCount"]) for e in reads] == [
        ("SELECT", "public.my_table", "rdsadmin", 10)
    ]


def test_the_consumer_refuses_a_record_that_is_still_encrypted():
    encrypted = {**NOTE_RECORD, "databaseActivityEvents": "AYADeJ...base64 ciphertext..."}

    with pytest.raises(ValueError, match="still encrypted"):
        activity_consumer.activity_events([{"Data": json.dumps(encrypted).encode("utf-8")}])
