"""A stream is provisioned (you choose the shards) or on demand (Kinesis does); a record is at most 1 MiB unless
the stream is raised to up to 10 MiB; PutRecords answers for every record in order, and a record it could not
take is reported in the answer while the call itself succeeds."""

from __future__ import annotations

import hashlib

import pytest

from labkit.errors import error_code
from labkit.eventually import MESSAGE, seconds
from labkit.messaging import read_records
from labkit.report import show_table

MIB = 1024 * 1024
ON_DEMAND_ONLY = (
    "https://docs.aws.amazon.com/kinesis/latest/APIReference/API%5FUpdateShardCount.html ; "
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/kinesis/aws.sdk.kotlin.services.kinesis.model/"
    "-validation-exception"
)
LARGE_RECORDS_DOC = "https://docs.aws.amazon.com/streams/latest/dev/large-records.html"
PUT_RECORDS_DOCS = (
    "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsResultEntry.html ; "
    "https://docs.aws.amazon.com/sdk-for-sap-abap/v1/api/latest/kns/operation/PUTRECORDS.html"
)


def summary(kinesis, stream):
    return kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]


def shard_for(shards, partition_key):
    """The shard whose hash key range holds MD5(partition_key): where Kinesis must put the record."""
    key = int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)
    ranges = {s["ShardId"]: s["HashKeyRange"] for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]}
    [shard] = [i for i, r in ranges.items() if int(r["StartingHashKey"]) <= key <= int(r["EndingHashKey"])]
    return shard


def test_an_on_demand_stream_needs_no_shard_count_and_takes_records(aws_client, backend, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("on-demand", on_demand=True)  # CreateStream without ShardCount

    put = kinesis.put_record(StreamName=stream, Data=b"click 1", PartitionKey="user-42")
    start = kinesis.get_shard_iterator(StreamName=stream, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")
    records = read_records(kinesis, start["ShardIterator"], 1, within=seconds(MESSAGE, backend))
    described = summary(kinesis, stream)
    show_table("an on-demand stream", ["StreamMode", "OpenShardCount (Kinesis chose)"],
               [[described["StreamModeDetails"]["StreamMode"], described["OpenShardCount"]]])  # fmt: skip

    assert described["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert described["OpenShardCount"] >= 1
    assert [r["Data"] for r in records] == [b"click 1"]


@pytest.mark.diverges(
    ("ministack", "localstack"),
    "MiniStack rebuilds the shards as asked, LocalStack answers ResourceInUseException; AWS supports UpdateShardCount "
    "only in provisioned mode and answers ValidationException for an on-demand stream",
    evidence=ON_DEMAND_ONLY,
)
def test_an_on_demand_stream_refuses_update_shard_count(aws_client, make_stream, wait_active):
    kinesis = aws_client("kinesis")
    stream = make_stream("on-demand", on_demand=True)
    shards = summary(kinesis, stream)["OpenShardCount"]

    code = error_code(kinesis.update_shard_count, StreamName=stream, TargetShardCount=shards * 2,
                      ScalingType="UNIFORM_SCALING")  # fmt: skip
    wait_active(stream)  # a backend that started an update anyway must finish it before the stream can go

    assert code == "ValidationException"


@pytest.mark.diverges(
    "ministack",
    "answers InvalidAction (UpdateStreamMode not implemented); AWS switches a stream between the two capacity modes",
    evidence="https://docs.aws.amazon.com/goto/WebAPI/kinesis-2013-12-02/UpdateStreamMode",
)
def test_switched_to_provisioned_the_stream_takes_update_shard_count(aws_client, make_stream, wait_active):
    kinesis = aws_client("kinesis")
    stream = make_stream("switched", on_demand=True)
    arn = summary(kinesis, stream)["StreamARN"]

    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    wait_active(stream)  # UPDATING, then ACTIVE again
    shards = summary(kinesis, stream)["OpenShardCount"]
    code = error_code(kinesis.update_shard_count, StreamName=stream, TargetShardCount=shards * 2,
                      ScalingType="UNIFORM_SCALING")  # fmt: skip
    wait_active(stream)

    assert summary(kinesis, stream)["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert code == "allowed"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "stores a PutRecord of 1 MiB + 1 byte; on AWS a stream's records are at most 1 MiB unless its maximum record "
    "size is raised",
    evidence=LARGE_RECORDS_DOC,
)
def test_a_default_stream_takes_a_1_mib_record_and_refuses_a_bigger_one(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("records")
    key = "k"  # the limit counts the partition key too, so the record that fits leaves room for it

    fits = error_code(kinesis.put_record, StreamName=stream, Data=b"x" * (MIB - len(key)), PartitionKey=key)
    too_big = error_code(kinesis.put_record, StreamName=stream, Data=b"x" * (MIB + 1), PartitionKey=key)
    show_table("PutRecord on a new stream", ["data bytes", "answer"], [[MIB - 1, fits], [MIB + 1, too_big]])

    assert fits == "allowed"
    assert too_big != "allowed"  # refused; see the README for the code each backend gives


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "has no UpdateMaxRecordSize (LocalStack: AccessDeniedException) or keeps refusing 1 MiB + 1; AWS lets a stream's "
    "maximum record size go up to 10 MiB",
    evidence=LARGE_RECORDS_DOC,
)
def test_a_stream_raised_to_2_mib_takes_a_record_over_1_mib(aws_client, make_stream, wait_active):
    kinesis = aws_client("kinesis")
    stream = make_stream("large-records")

    kinesis.update_max_record_size(StreamARN=summary(kinesis, stream)["StreamARN"], MaxRecordSizeInKiB=2048)
    wait_active(stream)
    put = error_code(kinesis.put_record, StreamName=stream, Data=b"x" * (MIB + 1), PartitionKey="k")

    assert put == "allowed"


def test_put_records_answers_for_each_record_in_request_order(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("batch", shards=4)
    keys = [f"user-{n}" for n in range(12)]

    response = kinesis.put_records(StreamName=stream, Records=[{"Data": k.encode(), "PartitionKey": k} for k in keys])
    shards = kinesis.list_shards(StreamName=stream)["Shards"]

    assert response["FailedRecordCount"] == 0
    assert len(response["Records"]) == len(keys)
    assert [r["ShardId"] for r in response["Records"]] == [shard_for(shards, k) for k in keys]  # answer i: record i
    assert all(r["SequenceNumber"] and "ErrorCode" not in r for r in response["Records"])


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "never throttles, so every record succeeds; AWS takes 1,000 records a second per shard and reports the rest in "
    "the answer with ErrorCode ProvisionedThroughputExceededException, the call itself succeeding",
    evidence=PUT_RECORDS_DOCS,
)
def test_put_records_reports_throttled_records_without_failing_the_call(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("throttled", shards=1)  # one shard: 1,000 records a second

    answers = [kinesis.put_records(StreamName=stream, Records=[{"Data": b"tick", "PartitionKey": str(n)}
               for n in range(500)]) for _ in range(3)]  # fmt: skip  # 1,500 records at once
    failed = [r for a in answers for r in a["Records"] if "ErrorCode" in r]
    show_table("3 x PutRecords of 500 into one shard", ["call", "FailedRecordCount"],
               [[n, a["FailedRecordCount"]] for n, a in enumerate(answers, 1)])  # fmt: skip

    assert all(a["ResponseMetadata"]["HTTPStatusCode"] == 200 for a in answers)
    assert sum(a["FailedRecordCount"] for a in answers) == len(failed) > 0
    assert {r["ErrorCode"] for r in failed} == {"ProvisionedThroughputExceededException"}
    assert not any("SequenceNumber" in r for r in failed)  # a failed record was not stored: the producer retries it
