"""A rule on a custom event bus matches events by pattern (exact values, numeric ranges, prefixes) and sends
only the matching ones to its target, here an SQS queue. Events no rule matches are dropped."""

from __future__ import annotations

import json

import pytest

from labkit.eventually import MESSAGE, seconds
from labkit.messaging import allow_service_to_send, bodies, nothing_more, queue_arn, receive_expected, receive_until
from labkit.report import show_table

PATTERN = {
    "source": ["labs.shop"],
    "detail-type": ["OrderPlaced"],
    "detail": {"amount": [{"numeric": [">=", 100]}], "region": [{"prefix": "eu-"}]},
}
ORDERS = [
    {"id": "o-1", "amount": 150, "region": "eu-west-1"},  # matches
    {"id": "o-2", "amount": 99.5, "region": "eu-west-1"},  # too small
    {"id": "o-3", "amount": 500, "region": "us-east-1"},  # wrong region
    {"id": "o-4", "amount": 100, "region": "eu-central-1"},  # matches (>= 100)
]


@pytest.fixture
def routed_queue(aws_client, unique_name):
    """A custom bus, a rule with PATTERN on it, and a queue as the rule's target; returns (bus, queue url)."""
    events, sqs = aws_client("events"), aws_client("sqs")
    bus = events.create_event_bus(Name=unique_name("shop"))["EventBusArn"].rsplit("/", 1)[-1]
    rule_arn = events.put_rule(Name=unique_name("big-eu-orders"), EventBusName=bus, EventPattern=json.dumps(PATTERN))[
        "RuleArn"
    ]
    url = sqs.create_queue(QueueName=unique_name("big-eu-orders"))["QueueUrl"]
    allow_service_to_send(sqs, url, "events", rule_arn)
    rule = rule_arn.rsplit("/", 1)[-1]
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn(sqs, url)}])
    return bus, url


def put(events, bus, detail, source="labs.shop", detail_type="OrderPlaced"):
    entry = {"EventBusName": bus, "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}
    return events.put_events(Entries=[entry])


def test_a_rule_delivers_only_events_matching_its_numeric_and_prefix_pattern(aws_client, backend, routed_queue):
    events = aws_client("events")
    bus, queue = routed_queue

    for order in ORDERS:
        assert put(events, bus, order)["FailedEntryCount"] == 0
    delivered = bodies(receive_expected(aws_client("sqs"), queue, 2, backend))
    ids = sorted(event["detail"]["id"] for event in delivered)
    show_table("orders put on the bus", ["id", "amount", "region", "delivered"],
               [[o["id"], o["amount"], o["region"], "yes" if o["id"] in ids else "no"] for o in ORDERS])  # fmt: skip

    assert ids == ["o-1", "o-4"]


def test_the_target_receives_the_whole_event_envelope(aws_client, backend, routed_queue):
    events = aws_client("events")
    bus, queue = routed_queue

    put(events, bus, ORDERS[0])
    [event] = bodies(receive_until(aws_client("sqs"), queue, 1, within=seconds(MESSAGE, backend)))

    assert (event["source"], event["detail-type"], event["detail"]) == ("labs.shop", "OrderPlaced", ORDERS[0])
    assert {"version", "id", "time", "region", "resources"} <= event.keys()


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "the delivered event has no account field; AWS's envelope always has one",
    evidence=(
        "localstack/localstack:tests/aws/services/events/test_events_targets.snapshot.json"
        "#TestEventsTargetSqs::test_put_events_with_target_sqs"
    ),
)
def test_the_delivered_event_names_the_account(aws_client, backend, aws_account_id, routed_queue):
    bus, queue = routed_queue

    put(aws_client("events"), bus, ORDERS[0])
    [event] = bodies(receive_until(aws_client("sqs"), queue, 1, within=seconds(MESSAGE, backend)))

    assert event["account"] == aws_account_id


def test_an_event_from_another_source_is_dropped(aws_client, backend, routed_queue):
    events = aws_client("events")
    bus, queue = routed_queue

    accepted = put(events, bus, ORDERS[0], source="labs.warehouse")
    delivered = nothing_more(aws_client("sqs"), queue, backend)

    assert accepted["FailedEntryCount"] == 0  # the bus took it ...
    assert delivered == []  # ... and no rule matched, so it went nowhere


def event_for(detail):
    return {
        "id": "e-1",
        "account": "123456789012",
        "source": "labs.shop",
        "time": "2024-05-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail-type": "OrderPlaced",
        "detail": detail,
    }


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "TestEventPattern answers with no Result at all; AWS says true or false",
    evidence=(
        "localstack/localstack:tests/aws/services/events/test_events_patterns.snapshot.json"
        "#TestEventPattern::test_event_pattern_source"
    ),
)
@pytest.mark.parametrize(("order", "matches"), [(ORDERS[0], True), (ORDERS[1], False)], ids=["o-1", "o-2"])
def test_test_event_pattern_says_whether_an_event_matches(aws_client, order, matches):
    response = aws_client("events").test_event_pattern(
        EventPattern=json.dumps(PATTERN), Event=json.dumps(event_for(order))
    )

    assert response["Result"] is matches
