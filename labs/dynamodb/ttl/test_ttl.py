"""TTL: a Number attribute holding epoch seconds marks when an item expires. DynamoDB deletes expired
items later, in the background, so until then readers must filter them out themselves."""

from __future__ import annotations

import time

import pytest
import requests
from botocore.exceptions import ClientError

from labkit.dynamodb import create_table, from_item, put_items, to_item
from labkit.eventually import eventually
from labkit.report import show_table

TTL_ATTRIBUTE = "expires_at"


@pytest.fixture
def sessions(dynamodb, unique_name):
    """Sessions with TTL on expires_at: one expired an hour ago, one expiring in an hour."""
    name = unique_name("sessions")
    create_table(dynamodb, name, partition_key=("session_id", "S"))
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )
    now = int(time.time())
    put_items(
        dynamodb,
        name,
        [{"session_id": "expired", TTL_ATTRIBUTE: now - 3600}, {"session_id": "live", TTL_ATTRIBUTE: now + 3600}],
    )
    return name


def ttl_status(dynamodb, table):
    description = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    return description["TimeToLiveStatus"], description.get("AttributeName")


def test_ttl_on_the_named_attribute_is_accepted_and_stored(dynamodb, sessions, backend):
    # AWS: ENABLING first; "it can take up to one hour for the change to fully process" (UpdateTimeToLive).
    status = eventually(lambda: ttl_status(dynamodb, sessions)[0] == "ENABLED", backend, aws_seconds=3600, interval=30)

    assert status
    assert ttl_status(dynamodb, sessions) == ("ENABLED", TTL_ATTRIBUTE)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "accepts a second UpdateTimeToLive at once; AWS refuses any further change for the hour the first one takes",
    evidence="botocore:dynamodb/2012-08-10#UpdateTimeToLive",
)
def test_a_second_ttl_change_within_the_hour_is_refused(dynamodb, sessions):
    with pytest.raises(ClientError) as raised:
        dynamodb.update_time_to_live(
            TableName=sessions, TimeToLiveSpecification={"Enabled": False, "AttributeName": TTL_ATTRIBUTE}
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_an_expired_item_can_still_be_read(dynamodb, sessions):
    item = dynamodb.get_item(TableName=sessions, Key=to_item({"session_id": "expired"}), ConsistentRead=True)["Item"]

    assert from_item(item)[TTL_ATTRIBUTE] < time.time()  # expired, and still there


def test_readers_filter_out_expired_items_with_ttl_greater_than_now(dynamodb, sessions):
    now = int(time.time())
    everything = dynamodb.scan(TableName=sessions, ConsistentRead=True)
    unexpired = dynamodb.scan(
        TableName=sessions,
        ConsistentRead=True,
        FilterExpression="#ttl > :now",
        ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
        ExpressionAttributeValues={":now": {"N": str(now)}},
    )
    show_table(
        f"scan of sessions at {now}",
        ["filter", "items"],
        [["none", everything["Count"]], [f"{TTL_ATTRIBUTE} > :now", unexpired["Count"]]],
    )

    assert sorted(item["session_id"]["S"] for item in everything["Items"]) == ["expired", "live"]
    assert [item["session_id"]["S"] for item in unexpired["Items"]] == ["live"]


def run_ttl_sweep(backend):
    """Ask the emulator to delete expired items now, where it has a way (LocalStack); AWS has none."""
    if backend.lacks("localstack-internals") is None:
        requests.delete(f"{backend.endpoint_url}/_aws/dynamodb/expired", timeout=10).raise_for_status()
    elif backend.name == "ministack":
        pytest.skip("MiniStack deletes expired items in a background sweep once a minute, with no way to ask for it")
    elif not backend.is_emulator:
        pytest.skip("AWS deletes expired items in the background, typically within days: too slow for a test")


@pytest.mark.needs("dynamodb")
@pytest.mark.diverges(
    ("moto", "moto-server"),
    "stores the TTL setting but never deletes expired items; AWS deletes them in the background",
    evidence="botocore:dynamodb/2012-08-10#UpdateTimeToLive",
)
def test_expired_item_is_deleted_by_the_ttl_process(dynamodb, sessions, backend):
    run_ttl_sweep(backend)

    expired = to_item({"session_id": "expired"})
    # An emulator deletes at once (LocalStack, when asked) or never (moto): one look, no waiting.
    assert eventually(
        lambda: "Item" not in dynamodb.get_item(TableName=sessions, Key=expired, ConsistentRead=True), backend
    )
    assert "Item" in dynamodb.get_item(TableName=sessions, Key=to_item({"session_id": "live"}))


@pytest.mark.needs("localstack-internals", "dynamodb")
def test_localstack_deletes_expired_items_when_asked(dynamodb, sessions, backend):
    response = requests.delete(f"{backend.endpoint_url}/_aws/dynamodb/expired", timeout=10)

    assert response.status_code == 200
    remaining = dynamodb.scan(TableName=sessions, ConsistentRead=True)["Items"]
    assert [item["session_id"]["S"] for item in remaining] == ["live"]
