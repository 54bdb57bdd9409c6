"""One SNS publish reaches every subscribed queue; a filter policy lets a subscriber take only what it wants;
raw message delivery hands over the bare message instead of SNS's JSON envelope."""

from __future__ import annotations

import json

import pytest

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import receive_expected, receive_until
from labkit.report import show_table

ORDER = {"kind": {"DataType": "String", "StringValue": "order"}, "amount": {"DataType": "Number", "StringValue": "150"}}
SMALL_ORDER = {
    "kind": {"DataType": "String", "StringValue": "order"},
    "amount": {"DataType": "Number", "StringValue": "20"},
}
REFUND = {
    "kind": {"DataType": "String", "StringValue": "refund"},
    "amount": {"DataType": "Number", "StringValue": "150"},
}


@pytest.fixture
def topic(aws_client, unique_name):
    return aws_client("sns").create_topic(Name=unique_name("orders"))["TopicArn"]


@pytest.fixture
def subscribed_queue(subscribe_queue, topic):
    """``subscribed_queue("billing", RawMessageDelivery="true")``: a new queue subscribed to the topic."""
    return lambda prefix, **attributes: subscribe_queue(topic, prefix, **attributes)


def test_one_publish_reaches_every_subscribed_queue(aws_client, backend, topic, subscribed_queue):
    sqs = aws_client("sqs")
    queues = {name: subscribed_queue(name) for name in ("billing", "shipping", "analytics")}

    published = aws_client("sns").publish(TopicArn=topic, Message="order 42 placed")
    received = {name: receive_expected(sqs, url, 1, backend) for name, url in queues.items()}
    show_table("one publish, three queues", ["queue", "messages", "SNS MessageId"],
               [[n, len(m), json.loads(m[0]["Body"])["MessageId"]] for n, m in received.items()])  # fmt: skip

    assert {name: len(messages) for name, messages in received.items()} == {"billing": 1, "shipping": 1, "analytics": 1}
    assert {json.loads(m[0]["Body"])["MessageId"] for m in received.values()} == {published["MessageId"]}


def test_by_default_the_queue_receives_the_sns_json_envelope(aws_client, backend, topic, subscribed_queue):
    queue = subscribed_queue("enveloped")

    aws_client("sns").publish(TopicArn=topic, Message="order 42 placed", Subject="orders", MessageAttributes=ORDER)
    [message] = receive_until(aws_client("sqs"), queue, 1, within=seconds(MESSAGE, backend))
    envelope = json.loads(message["Body"])

    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == topic
    assert envelope["Message"] == "order 42 placed"  # the payload is one field of the envelope
    assert envelope["MessageAttributes"]["kind"] == {"Type": "String", "Value": "order"}


def test_raw_delivery_hands_over_the_bare_message_and_its_attributes(aws_client, backend, topic, subscribed_queue):
    queue = subscribed_queue("raw", RawMessageDelivery="true")

    aws_client("sns").publish(TopicArn=topic, Message="order 42 placed", MessageAttributes=ORDER)
    [message] = receive_until(
        aws_client("sqs"), queue, 1, within=seconds(MESSAGE, backend), MessageAttributeNames=["All"]
    )

    assert message["Body"] == "order 42 placed"
    assert message["MessageAttributes"]["kind"] == {"DataType": "String", "StringValue": "order"}
    assert message["MessageAttributes"]["amount"] == {"DataType": "Number", "StringValue": "150"}


def test_an_attribute_filter_policy_delivers_only_matching_messages(aws_client, backend, topic, subscribed_queue):
    sqs = aws_client("sqs")
    policy = {"kind": ["order"], "amount": [{"numeric": [">", 100]}]}
    everything = subscribed_queue("everything")
    big_orders = subscribed_queue("big-orders", FilterPolicy=json.dumps(policy))

    for body, attributes in [("big order", ORDER), ("small order", SMALL_ORDER), ("refund", REFUND)]:
        aws_client("sns").publish(TopicArn=topic, Message=body, MessageAttributes=attributes)
    all_three = receive_expected(sqs, everything, 3, backend)
    filtered = receive_expected(sqs, big_orders, 1, backend)  # and a moment more for anything that should not come

    assert len(all_three) == 3
    assert [json.loads(m["Body"])["Message"] for m in filtered] == ["big order"]


def test_a_message_body_filter_policy_matches_fields_of_the_json_payload(aws_client, backend, topic, subscribed_queue):
    sqs = aws_client("sqs")
    policy = {"order": {"country": ["NL", "BE"]}}
    benelux = subscribed_queue("benelux", FilterPolicy=json.dumps(policy), FilterPolicyScope="MessageBody")

    for country in ("NL", "DE", "BE"):
        aws_client("sns").publish(TopicArn=topic, Message=json.dumps({"order": {"id": 1, "country": country}}))
    received = receive_expected(sqs, benelux, 2, backend)

    countries = sorted(json.loads(json.loads(m["Body"])["Message"])["order"]["country"] for m in received)
    assert countries == ["BE", "NL"]
