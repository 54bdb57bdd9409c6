"""A table is billed either on demand (PAY_PER_REQUEST: per request, no capacity to set) or provisioned (you set
read and write capacity units). The mode can be switched later: to on demand at most four times in 24 hours,
back to provisioned at any time, with capacity units given again."""

from __future__ import annotations

import pytest

from labkit.dynamodb import create_table, wait_until_active
from labkit.errors import error_code
from labkit.report import show_table

SWITCHING = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/switching.capacitymode.html"
CONSTRAINTS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html"
SNAPSHOTS = "localstack/localstack:tests/aws/services/dynamodb/test_dynamodb.snapshot.json"
ON_DEMAND_AS_RECORDED = f"{SNAPSHOTS}#test_gsi_with_billing_mode[PAY_PER_REQUEST]"
CAPACITY = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


@pytest.fixture
def make_table(dynamodb, unique_name):
    def make(billing_mode, **options):
        name = unique_name("billing")
        create_table(dynamodb, name, partition_key=("id", "S"), BillingMode=billing_mode, **options)
        return name

    return make


def describe(dynamodb, table):
    return dynamodb.describe_table(TableName=table)["Table"]


def billing(dynamodb, table):
    """(billing mode, read units, write units) as DescribeTable reports them."""
    description = describe(dynamodb, table)
    throughput = description.get("ProvisionedThroughput", {})
    mode = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")  # no summary: provisioned
    return mode, throughput.get("ReadCapacityUnits"), throughput.get("WriteCapacityUnits")


def switch(dynamodb, table, billing_mode, **options):
    """UpdateTable to ``billing_mode`` and wait for ACTIVE (AWS: UPDATING for up to several minutes)."""
    dynamodb.update_table(TableName=table, BillingMode=billing_mode, **options)
    wait_until_active(dynamodb, table, max_wait=1800, delay=5)


def test_an_on_demand_table_reports_zero_capacity_units(dynamodb, make_table):
    table = make_table("PAY_PER_REQUEST")

    assert billing(dynamodb, table) == ("PAY_PER_REQUEST", 0, 0)


def test_an_on_demand_table_refuses_capacity_units(dynamodb, make_table):
    code = error_code(make_table, "PAY_PER_REQUEST", ProvisionedThroughput=CAPACITY)

    assert code == "ValidationException"


def test_a_provisioned_table_needs_capacity_units(dynamodb, make_table):
    assert error_code(make_table, "PROVISIONED") == "ValidationException"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "keeps reporting 5 read and 5 write units after the switch; AWS reports 0 for an on-demand table",
    evidence=ON_DEMAND_AS_RECORDED,
)
def test_a_provisioned_table_switches_to_on_demand(dynamodb, make_table):
    table = make_table("PROVISIONED", ProvisionedThroughput=CAPACITY)
    before = billing(dynamodb, table)

    switch(dynamodb, table, "PAY_PER_REQUEST")
    after = billing(dynamodb, table)
    show_table("one table, switched", ["", "mode", "RCU", "WCU"], [["before", *before], ["after", *after]])

    assert before == ("PROVISIONED", 5, 5)
    assert after == ("PAY_PER_REQUEST", 0, 0)
    assert "LastUpdateToPayPerRequestDateTime" in describe(dynamodb, table)["BillingModeSummary"]


def test_an_on_demand_table_switches_back_to_provisioned_at_once(dynamodb, make_table):
    table = make_table("PROVISIONED", ProvisionedThroughput=CAPACITY)
    switch(dynamodb, table, "PAY_PER_REQUEST")

    switch(dynamodb, table, "PROVISIONED", ProvisionedThroughput=CAPACITY)  # no waiting period this way round

    assert billing(dynamodb, table) == ("PROVISIONED", 5, 5)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "switches an on-demand table to provisioned with no capacity units given; AWS requires them",
    evidence="botocore:dynamodb/2012-08-10#UpdateTable"
    " ; unverified: the error code of the refusal (the API reference says only that the values must be set)",
)
def test_switching_to_provisioned_needs_capacity_units(dynamodb, make_table):
    table = make_table("PAY_PER_REQUEST")

    assert error_code(dynamodb.update_table, TableName=table, BillingMode="PROVISIONED") == "ValidationException"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "allows any number of switches to on-demand; AWS allows four in a rolling 24 hours",
    evidence=f"{SWITCHING} ; {CONSTRAINTS} ; botocore:dynamodb/2012-08-10#LimitExceededException"
    " ; unverified: the error code of the fifth switch (the documentation gives only the rule)",
)
def test_a_fifth_switch_to_on_demand_within_24_hours_is_refused(dynamodb, make_table):
    table = make_table("PROVISIONED", ProvisionedThroughput=CAPACITY)
    for _ in range(4):
        switch(dynamodb, table, "PAY_PER_REQUEST")
        switch(dynamodb, table, "PROVISIONED", ProvisionedThroughput=CAPACITY)

    assert error_code(dynamodb.update_table, TableName=table, BillingMode="PAY_PER_REQUEST") == "LimitExceededException"
