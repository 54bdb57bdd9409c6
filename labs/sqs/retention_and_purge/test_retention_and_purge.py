"""A queue keeps a message for its MessageRetentionPeriod (4 days unless set, 60 s to 14 days); PurgeQueue
deletes every message at once, in flight or not, and a second purge within 60 seconds is refused."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.messaging import long_poll, nothing_more, settled_counts
from labkit.report import show_table

FOUR_DAYS = 4 * 24 * 3600  # 345600
FOURTEEN_DAYS = 14 * 24 * 3600  # 1209600
RANGE_EVIDENCE = (
    "https://docs.aws.amazon.com/cli/v1/reference/sqs/set-queue-attributes.html ; "
    "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
    "#TestSqsProvider::test_set_unsupported_attribute_fifo[sqs]"
)
PURGE_RECORDED = (
    "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json"
    "#TestSqsProvider::test_successive_purge_calls_fail[sqs]"
)


def retention(sqs, queue):
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
    return int(attributes["MessageRetentionPeriod"])


def test_a_new_queue_keeps_messages_for_4_days(aws_client, make_queue):
    queue = make_queue("defaults")

    assert retention(aws_client("sqs"), queue) == FOUR_DAYS == 345600


def test_a_retention_of_14_days_is_accepted_and_stored(aws_client, make_queue):
    queue = make_queue("dlq-like", MessageRetentionPeriod=FOURTEEN_DAYS)

    assert retention(aws_client("sqs"), queue) == FOURTEEN_DAYS == 1209600


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "creates the queue; AWS takes a MessageRetentionPeriod from 60 to 1,209,600 seconds and answers a value outside "
    "it with InvalidAttributeValue",
    evidence=RANGE_EVIDENCE,
)
@pytest.mark.parametrize("seconds", [FOURTEEN_DAYS + 1, 59], ids=["one-second-over-14-days", "under-a-minute"])
def test_a_retention_outside_60_s_to_14_days_is_refused(aws_client, make_queue, seconds):
    with pytest.raises(ClientError) as raised:
        make_queue("too-long", MessageRetentionPeriod=seconds)

    assert raised.value.response["Error"]["Code"] == "InvalidAttributeValue"


def test_purge_deletes_every_message_in_flight_or_not(aws_client, backend, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("purged")
    sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": str(n), "MessageBody": f"job {n}"} for n in range(3)])
    in_flight = long_poll(sqs, queue, MaxNumberOfMessages=1)  # one of the three is now being worked on
    before = settled_counts(sqs, queue, (2, 1), backend)

    sqs.purge_queue(QueueUrl=queue)
    after = settled_counts(sqs, queue, (0, 0), backend)  # AWS: "takes up to 60 seconds"
    show_table("PurgeQueue", ["", "visible", "in flight"], [["before", *before], ["after", *after]])

    assert len(in_flight) == 1 and before == (2, 1)
    assert after == (0, 0)
    assert nothing_more(sqs, queue, backend) == []


@pytest.mark.diverges(
    ("localstack", "ministack"),
    "accepts a second PurgeQueue at once; AWS allows one purge a minute and answers "
    "AWS.SimpleQueueService.PurgeQueueInProgress (HTTP 403)",
    evidence=PURGE_RECORDED,
)
def test_a_second_purge_within_60_seconds_is_refused(aws_client, make_queue):
    sqs = aws_client("sqs")
    queue = make_queue("purged-twice")
    sqs.send_message(QueueUrl=queue, MessageBody="job 1")

    first = error_code(sqs.purge_queue, QueueUrl=queue)
    second = error_code(sqs.purge_queue, QueueUrl=queue)

    assert first == "allowed"
    assert second == "AWS.SimpleQueueService.PurgeQueueInProgress"
