"""A consumer registered with RegisterStreamConsumer (CREATING, then ACTIVE) reads with SubscribeToShard: Kinesis
pushes the shard's records to it, with its own 2 MB/s per shard, so two consumers each get every record."""

from __future__ import annotations

import pytest

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import pushed_records, wait_for_consumer
from labkit.report import show_table

READINGS = [b"reading 1", b"reading 2", b"reading 3"]


@pytest.fixture
def stream_arn(aws_client, make_stream):
    kinesis = aws_client("kinesis")
    stream = make_stream("sensors", shards=1)
    return kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "registers the consumer ACTIVE at once; AWS answers CREATING and makes it ACTIVE a few seconds later",
    evidence=(
        "https://docs.aws.amazon.com/zh_cn/kinesis/latest/APIReference/API_RegisterStreamConsumer.html ; "
        "https://repost.aws/pt/questions/QU6yfTfobmTQmfIUPvg4H6AA/registerstreamconsumer-how-to-get-updated-consumer-status"
    ),
)
def test_a_new_consumer_is_creating_before_it_is_active(aws_client, backend, stream_arn):
    kinesis = aws_client("kinesis")

    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="dashboard")["Consumer"]
    later = wait_for_consumer(kinesis, consumer["ConsumerARN"], backend)

    assert consumer["ConsumerStatus"] == "CREATING"
    assert later == "ACTIVE"


def test_an_active_consumer_is_listed_with_its_stream(aws_client, backend, stream_arn):
    kinesis = aws_client("kinesis")
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="dashboard")["Consumer"]

    status = wait_for_consumer(kinesis, consumer["ConsumerARN"], backend)
    listed = kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"]

    assert status == "ACTIVE"
    assert [(c["ConsumerName"], c["ConsumerARN"], c["ConsumerStatus"]) for c in listed] == [
        ("dashboard", consumer["ConsumerARN"], "ACTIVE")
    ]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "SubscribeToShard is not implemented; AWS pushes the shard's records to the consumer as SubscribeToShardEvents",
    evidence="localstack/localstack:tests/aws/services/kinesis/test_kinesis.snapshot.json#TestKinesis::test_subscribe_to_shard",
)
def test_each_consumer_gets_every_record_pushed_to_it(aws_client, backend, stream_arn):
    kinesis = aws_client("kinesis")
    consumers = {}
    for name in ("dashboard", "archiver"):
        arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)["Consumer"]["ConsumerARN"]
        consumers[name] = arn
    for arn in consumers.values():
        wait_for_consumer(kinesis, arn, backend)
    for reading in READINGS:
        kinesis.put_record(StreamARN=stream_arn, Data=reading, PartitionKey="sensor-7")
    [shard] = kinesis.list_shards(StreamARN=stream_arn)["Shards"]

    pushed = {name: pushed_records(kinesis, arn, shard["ShardId"], len(READINGS), within=seconds(MESSAGE, backend))
              for name, arn in consumers.items()}  # fmt: skip
    show_table("records pushed by SubscribeToShard", ["consumer", "records"],
               [[n, ", ".join(r["Data"].decode() for r in got)] for n, got in pushed.items()])  # fmt: skip

    assert {name: [r["Data"] for r in got] for name, got in pushed.items()} == {
        "dashboard": READINGS,
        "archiver": READINGS,
    }
