"""An SNS FIFO topic (name ending in .fifo) fans out to SQS FIFO queues: every queue gets each message group's
messages in the order they were published, a duplicate publish is accepted but delivered once, and the
MessageGroupId travels with the message."""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.eventually import MESSAGE, seconds
from labkit.messaging import drain
from labkit.report import show_table

TRUCKS = [("truck-1", "loaded"), ("truck-2", "loaded"), ("truck-1", "departed"),
          ("truck-2", "departed"), ("truck-1", "arrived"), ("truck-2", "arrived")]  # fmt: skip
FIFO_RECORDED = (
    "localstack/localstack:tests/aws/services/sns/test_sns.snapshot.json"
    "#TestSNSSubscriptionSQSFifo::test_publish_to_fifo_topic_to_sqs_queue_no_content_dedup[True]"
)
VALIDATIONS_RECORDED = (
    "localstack/localstack:tests/aws/services/sns/test_sns.snapshot.json"
    "#TestSNSSubscriptionSQSFifo::test_validations_for_fifo"
)
MOTO_FIFO = pytest.mark.diverges(
    ("moto", "moto-server"),
    "refuses the publish (InvalidParameterValue: the queue should have ContentBasedDeduplication) because it does "
    "not pass SNS's deduplication id on to the queue; AWS hands the queue the MessageDeduplicationId and "
    "MessageGroupId it made or was given",
    evidence=FIFO_RECORDED,
)


@pytest.fixture
def fifo_topic(aws_client, unique_name):
    """A FIFO topic that deduplicates on the message body (SHA-256), so publishers need no deduplication id."""
    attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    return aws_client("sns").create_topic(Name=unique_name("deliveries") + ".fifo", Attributes=attributes)["TopicArn"]


def events_by_group(messages):
    by_group = {}
    for message in messages:
        by_group.setdefault(message["Attributes"]["MessageGroupId"], []).append(message["Body"].split()[1])
    return by_group


@MOTO_FIFO
def test_every_fifo_queue_gets_each_group_in_publish_order(aws_client, backend, fifo_topic, subscribe_queue):
    sns, sqs = aws_client("sns"), aws_client("sqs")
    queues = {name: subscribe_queue(fifo_topic, name, fifo=True, RawMessageDelivery="true")
              for name in ("billing", "tracking")}  # fmt: skip

    for group, event in TRUCKS:
        sns.publish(TopicArn=fifo_topic, Message=f"{group} {event}", MessageGroupId=group)
    received = {name: drain(sqs, url, len(TRUCKS), within=seconds(MESSAGE, backend), AttributeNames=["MessageGroupId"])
                for name, url in queues.items()}  # fmt: skip
    show_table("events per queue and group, in the order received", ["queue", "group", "events"],
               [[q, g, ", ".join(e)] for q, m in received.items() for g, e in events_by_group(m).items()])  # fmt: skip

    in_order = {"truck-1": ["loaded", "departed", "arrived"], "truck-2": ["loaded", "departed", "arrived"]}
    assert {name: events_by_group(messages) for name, messages in received.items()} == {
        "billing": in_order,
        "tracking": in_order,
    }


@MOTO_FIFO
def test_a_duplicate_publish_is_accepted_but_delivered_once(aws_client, backend, fifo_topic, subscribe_queue):
    sns, sqs = aws_client("sns"), aws_client("sqs")
    queue = subscribe_queue(fifo_topic, "payments", fifo=True, RawMessageDelivery="true")

    publishes = [sns.publish(TopicArn=fifo_topic, Message=body, MessageGroupId="payments")
                 for body in ("pay 10 EUR", "pay 10 EUR", "pay 20 EUR")]  # fmt: skip
    received = drain(sqs, queue, 2, within=seconds(MESSAGE, backend))
    received += drain(sqs, queue, 1, within=1.0)  # a moment more, for a duplicate that should not come

    assert all(p["MessageId"] for p in publishes)  # the second "pay 10 EUR" is not refused ...
    assert [m["Body"] for m in received] == ["pay 10 EUR", "pay 20 EUR"]  # ... it is just not delivered


@pytest.mark.diverges(
    "ministack",
    "subscribes a FIFO queue to a standard topic; AWS refuses with InvalidParameter (FIFO SQS Queues can not be "
    "subscribed to standard SNS topics)",
    evidence=VALIDATIONS_RECORDED,
)
def test_a_fifo_queue_cannot_subscribe_to_a_standard_topic(aws_client, unique_name, subscribe_queue):
    standard = aws_client("sns").create_topic(Name=unique_name("standard"))["TopicArn"]

    code = error_code(subscribe_queue, standard, "ordered", fifo=True)

    assert code == "InvalidParameter"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "answers MissingParameter (moto) or InvalidParameterException (MiniStack); AWS's code is InvalidParameter "
    "(The MessageGroupId parameter is required for FIFO topics)",
    evidence=VALIDATIONS_RECORDED,
)
def test_a_publish_to_a_fifo_topic_needs_a_message_group_id(aws_client, fifo_topic):
    code = error_code(aws_client("sns").publish, TopicArn=fifo_topic, Message="which group?")

    assert code == "InvalidParameter"
