"""Firehose buffers records and writes them to S3 as objects under ``<prefix>YYYY/MM/DD/HH/`` (UTC)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from labkit.eventually import eventually
from labkit.report import show_table

PREFIX = "clicks/"
OBJECT_NAME_DOC = "https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html"
BUFFERING_DOC = "https://docs.aws.amazon.com/goto/WebAPI/firehose-2015-08-04/BufferingHints"
CLICKS = [{"user": "u-1", "page": "/home"}, {"user": "u-2", "page": "/cart"}, {"user": "u-1", "page": "/pay"}]


def encoded(click):
    return (json.dumps(click) + "\n").encode("utf-8")  # Firehose adds no delimiter: the producer does


@pytest.fixture
def delivery(aws_client, unique_name, backend):
    """A bucket, a role Firehose may assume to write to it, and a Direct PUT stream to it; returns (stream, bucket)."""
    s3, iam, firehose = aws_client("s3"), aws_client("iam"), aws_client("firehose")
    bucket = unique_name("clickstream")
    s3.create_bucket(Bucket=bucket)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "firehose.amazonaws.com"}}]}  # fmt: skip
    role = iam.create_role(RoleName=unique_name("firehose"), AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    write = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucket*"],
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}  # fmt: skip
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="write-bucket", PolicyDocument=json.dumps(write))
    stream = unique_name("clicks")
    firehose.create_delivery_stream(
        DeliveryStreamName=stream,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": role["Arn"],
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "Prefix": PREFIX,
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        },
    )
    eventually(  # moto is ACTIVE at once; AWS takes a minute or so
        lambda: firehose.describe_delivery_stream(DeliveryStreamName=stream)["DeliveryStreamDescription"],
        backend,
        until=lambda description: description["DeliveryStreamStatus"] == "ACTIVE",
        aws_seconds=120,
        emulator_seconds=120,
        interval=1,
    )
    return stream, bucket


def delivered_objects(s3, bucket, backend, count):
    """The objects under PREFIX once ``count`` exist or the wait is over (2 s on emulators; on AWS a buffer
    interval of 60 s, plus margin)."""
    return eventually(
        lambda: s3.list_objects_v2(Bucket=bucket, Prefix=PREFIX).get("Contents", []),
        backend,
        until=lambda objects: len(objects) >= count,
        aws_seconds=120,
        emulator_seconds=2,
        interval=0.2,
    )


@pytest.mark.diverges(
    "localstack",
    "names objects <stream>-<date>-<uuid>, leaving out the stream version; AWS <stream>-1-<date>-<uuid>",
    evidence=OBJECT_NAME_DOC,
)
def test_records_land_under_the_prefix_and_a_utc_date_hour_path(aws_client, backend, delivery):
    firehose, s3 = aws_client("firehose"), aws_client("s3")
    stream, bucket = delivery
    before = datetime.now(UTC)

    firehose.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": encoded(c)} for c in CLICKS])
    objects = delivered_objects(s3, bucket, backend, 1)
    after = datetime.now(UTC)
    show_table("objects Firehose wrote", ["key", "bytes"], [[o["Key"], o["Size"]] for o in objects])

    hours = {f"{PREFIX}{moment:%Y/%m/%d/%H}/" for moment in (before, after)}
    pattern = re.compile(
        rf"^{re.escape(PREFIX)}\d{{4}}/\d{{2}}/\d{{2}}/\d{{2}}/{re.escape(stream)}-\d+-[\d-]{{19}}-[0-9a-f-]{{36}}$"
    )
    assert objects and all(pattern.match(o["Key"]) for o in objects)
    assert {o["Key"][: len(PREFIX) + 14] for o in objects} <= hours  # the UTC hour of delivery


def test_the_objects_hold_the_records_bytes_as_sent_with_nothing_added(aws_client, backend, delivery):
    firehose, s3 = aws_client("firehose"), aws_client("s3")
    stream, bucket = delivery
    sent = [encoded(c) for c in CLICKS]

    firehose.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": data} for data in sent])
    objects = delivered_objects(s3, bucket, backend, 1)
    content = b"".join(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in objects)

    assert len(content) == sum(len(data) for data in sent)  # no delimiter, header or padding added
    assert sorted(content.splitlines(keepends=True)) == sorted(sent)  # each record's bytes, once


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack", "ministack"),
    "writes one S3 object per record, at once; AWS buffers records until SizeInMBs or IntervalInSeconds is reached "
    "and writes the buffer as one object",
    evidence=BUFFERING_DOC,
)
def test_records_put_one_by_one_are_buffered_not_written_one_object_each(aws_client, backend, delivery):
    firehose, s3 = aws_client("firehose"), aws_client("s3")
    stream, bucket = delivery

    for click in CLICKS:
        firehose.put_record(DeliveryStreamName=stream, Record={"Data": encoded(click)})
    objects = delivered_objects(s3, bucket, backend, len(CLICKS))  # waits in case more than one object comes

    assert len(objects) < len(CLICKS)  # 3 records, far under 1 MiB, inside one 60 s interval: typically one object
