"""DynamoDB set-up shared by the labs: a table from a short key description, items in plain Python."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

KeyPart = tuple[str, str]  # (attribute name, "S" | "N" | "B")


def to_item(plain: Mapping[str, Any]) -> dict[str, Any]:
    """{"Author": "Ann", "Pages": 3} -> {"Author": {"S": "Ann"}, "Pages": {"N": "3"}} (floats as Decimal)."""
    return {k: _serializer.serialize(Decimal(str(v)) if isinstance(v, float) else v) for k, v in plain.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The reverse of ``to_item``: numbers come back as Decimal, as boto3 returns them."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def create_table(
    client: Any,
    name: str,
    partition_key: KeyPart,
    sort_key: KeyPart | None = None,
    *,
    extra_attributes: Iterable[KeyPart] = (),
    **options: Any,
) -> None:
    """Create an on-demand table and wait until it is ACTIVE; ``options`` pass through (indexes, streams)."""
    key_schema = [{"AttributeName": partition_key[0], "KeyType": "HASH"}]
    attributes = {partition_key[0]: partition_key[1]}
    if sort_key:
        key_schema.append({"AttributeName": sort_key[0], "KeyType": "RANGE"})
        attributes[sort_key[0]] = sort_key[1]
    attributes.update(dict(extra_attributes))
    options.setdefault("BillingMode", "PAY_PER_REQUEST")
    created = client.create_table(
        TableName=name,
        KeySchema=key_schema,
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        **options,
    )
    if created["TableDescription"].get("TableStatus") != "ACTIVE":  # AWS answers CREATING; wait for ACTIVE
        wait_until_active(client, name)


def wait_until_active(client: Any, name: str, *, max_wait: int = 60, delay: int = 1) -> None:
    """Poll DescribeTable every ``delay`` s (the ``table_exists`` waiter) until ACTIVE, for up to ``max_wait`` s."""
    attempts = max(1, max_wait // delay)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": delay, "MaxAttempts": attempts})


def put_items(client: Any, table: str, items: Iterable[Mapping[str, Any]]) -> int:
    """Write plain-Python items with BatchWriteItem (25 a call, unprocessed items retried); returns the count."""
    requests = [{"PutRequest": {"Item": to_item(item)}} for item in items]
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table: requests[start : start + 25]}
        for attempt in range(8):
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(0.05 * 2**attempt)  # back off as AWS asks when it throttles a batch
        else:
            raise RuntimeError(f"{table}: items still unprocessed after 8 BatchWriteItem attempts")
    return len(requests)
