"""labkit.dynamodb: items in plain Python, a table waited for only while AWS says it is not ACTIVE yet, and
BatchWriteItem in batches of 25 with unprocessed items sent again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from labkit import dynamodb


class FakeDynamoDB:
    """Records calls; CreateTable answers ``status``; BatchWriteItem leaves the first ``unprocessed`` requests."""

    def __init__(self, status: str = "ACTIVE", unprocessed: int = 0) -> None:
        self.status, self.unprocessed = status, unprocessed
        self.created: list[dict[str, Any]] = []
        self.batches: list[int] = []
        self.waited: list[dict[str, Any]] = []

    def create_table(self, **params: Any) -> dict[str, Any]:
        self.created.append(params)
        return {"TableDescription": {"TableName": params["TableName"], "TableStatus": self.status}}

    def get_waiter(self, name: str) -> Any:
        assert name == "table_exists"
        fake = self

        class Waiter:
            def wait(self, **params: Any) -> None:
                fake.waited.append(params)

        return Waiter()

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        ((table, requests),) = RequestItems.items()
        self.batches.append(len(requests))
        held, self.unprocessed = requests[: self.unprocessed], 0
        return {"UnprocessedItems": {table: held} if held else {}}


def test_items_go_to_attribute_values_and_back():
    plain = {"id": "a", "pages": 3, "price": 9.5, "tags": {"x", "y"}, "cover": b"\x00\xff"}

    item = dynamodb.to_item(plain)

    assert item["pages"] == {"N": "3"} and item["price"] == {"N": "9.5"} and item["cover"] == {"B": b"\x00\xff"}
    assert sorted(item["tags"]["SS"]) == ["x", "y"]
    assert dynamodb.from_item(item) == {**plain, "pages": Decimal(3), "price": Decimal("9.5")}


def test_create_table_builds_the_key_schema_and_defaults_to_on_demand():
    client = FakeDynamoDB()

    dynamodb.create_table(client, "books", ("Author", "S"), ("Title", "S"), extra_attributes=[("Year", "N")])

    params = client.created[0]
    assert params["KeySchema"] == [
        {"AttributeName": "Author", "KeyType": "HASH"},
        {"AttributeName": "Title", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in params["AttributeDefinitions"]} == {
        "Author": "S",
        "Title": "S",
        "Year": "N",
    }
    assert params["BillingMode"] == "PAY_PER_REQUEST"


@pytest.mark.parametrize(("status", "waits"), [("ACTIVE", 0), ("CREATING", 1)])
def test_create_table_waits_only_while_the_table_is_not_active(status, waits):
    client = FakeDynamoDB(status=status)

    dynamodb.create_table(client, "books", ("id", "S"))

    assert len(client.waited) == waits


def test_wait_until_active_polls_every_delay_for_at_most_max_wait():
    client = FakeDynamoDB()

    dynamodb.wait_until_active(client, "books", max_wait=600, delay=20)

    assert client.waited == [{"TableName": "books", "WaiterConfig": {"Delay": 20, "MaxAttempts": 30}}]


def test_put_items_writes_25_a_call_and_sends_unprocessed_items_again(monkeypatch):
    monkeypatch.setattr(dynamodb.time, "sleep", lambda seconds: None)
    client = FakeDynamoDB(unprocessed=3)

    written = dynamodb.put_items(client, "books", [{"id": str(n)} for n in range(30)])

    assert written == 30
    assert client.batches == [25, 3, 5]  # the 3 unprocessed of the first batch go again before the next batch
