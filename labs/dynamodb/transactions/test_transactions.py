"""TransactWriteItems applies every action or none. When one condition fails the whole transaction is
cancelled, and CancellationReasons says, item by item, which one."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.dynamodb import create_table, from_item, put_items, to_item
from labkit.report import show_table


@pytest.fixture
def balances(dynamodb, unique_name):
    name = unique_name("balances")
    create_table(dynamodb, name, partition_key=("account", "S"))
    put_items(dynamodb, name, [{"account": "alice", "balance": 100}, {"account": "bob", "balance": 50}])
    return name


def transfer(dynamodb, table, amount, source="alice", target="bob"):
    """Take amount from source (only if it has that much) and give it to target (only if it exists)."""
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": to_item({"account": source}),
                    "UpdateExpression": "SET balance = balance - :amount",
                    "ConditionExpression": "balance >= :amount",
                    "ExpressionAttributeValues": to_item({":amount": amount}),
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": to_item({"account": target}),
                    "UpdateExpression": "SET balance = balance + :amount",
                    "ConditionExpression": "attribute_exists(account)",
                    "ExpressionAttributeValues": to_item({":amount": amount}),
                }
            },
        ]
    )


def balances_of(dynamodb, table):
    items = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    return {from_item(item)["account"]: int(from_item(item)["balance"]) for item in items}


def test_transfer_moves_the_amount_between_two_balances(dynamodb, balances):
    transfer(dynamodb, balances, 30)

    assert balances_of(dynamodb, balances) == {"alice": 70, "bob": 80}


def test_a_failed_condition_leaves_both_balances_unchanged(dynamodb, balances):
    with pytest.raises(ClientError) as raised:
        transfer(dynamodb, balances, 500)  # alice has 100: the debit's condition fails

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert balances_of(dynamodb, balances) == {"alice": 100, "bob": 50}  # bob's credit did not happen either


def test_cancellation_reasons_say_which_item_failed(dynamodb, balances):
    with pytest.raises(ClientError) as raised:
        transfer(dynamodb, balances, 30, target="carol")  # alice can pay, but carol has no account
    reasons = raised.value.response["CancellationReasons"]
    actions = ["debit alice", "credit carol"]
    show_table("CancellationReasons, one per action", ["action", "Code"], [
        [action, reason["Code"]] for action, reason in zip(actions, reasons, strict=False)])  # fmt: skip

    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed"]
    assert balances_of(dynamodb, balances) == {"alice": 100, "bob": 50}


def puts(table, count):
    return [
        {"Put": {"TableName": table, "Item": to_item({"account": f"acct-{n:03}", "balance": 0})}} for n in range(count)
    ]


def test_one_transaction_takes_100_items_not_the_notes_25(dynamodb, balances):
    dynamodb.transact_write_items(TransactItems=puts(balances, 100))

    assert dynamodb.scan(TableName=balances, Select="COUNT", ConsistentRead=True)["Count"] == 2 + 100


def test_a_transaction_of_101_items_is_rejected(dynamodb, balances):
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=puts(balances, 101))

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert dynamodb.scan(TableName=balances, Select="COUNT", ConsistentRead=True)["Count"] == 2
