"""A DMS migration, the way the note builds one: a replication instance in your VPC (spread over two zones), a source
endpoint (MySQL), a target endpoint (DynamoDB, reached through an IAM role DMS assumes), and a replication task
that names the tables to move (table mappings: selection and transformation rules) and how: a full load, the
changes only (CDC), or both. Task settings turn on data validation. Nothing behind the endpoints exists here: the
lab shows what DMS checks and stores, and what a task reports when there is no database to read."""

from __future__ import annotations

import json

import pytest

from labkit.errors import ALLOWED, error_code
from labkit.eventually import eventually, waiter_config
from labkit.report import show_table

#: Nobody answers at 192.0.2.10 (TEST-NET-1, reserved for documentation): the source database is not there.
SOURCE = {"EngineName": "mysql", "ServerName": "192.0.2.10", "Port": 3306, "Username": "admin",
          "Password": "not-a-secret-1"}  # fmt: skip

#: Every table of the ``shop`` schema, with the schema renamed ``store`` and the table names lower-cased on the target.
TABLE_MAPPINGS = {
    "rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "every-shop-table", "rule-action": "include",
         "object-locator": {"schema-name": "shop", "table-name": "%"}},
        {"rule-type": "transformation", "rule-id": "2", "rule-name": "schema-shop-to-store", "rule-action": "rename",
         "rule-target": "schema", "object-locator": {"schema-name": "shop"}, "value": "store"},
        {"rule-type": "transformation", "rule-id": "3", "rule-name": "lower-case-tables",
         "rule-action": "convert-lowercase", "rule-target": "table",
         "object-locator": {"schema-name": "shop", "table-name": "%"}},
    ]
}  # fmt: skip

#: The note's three choices, named as the console words them, and the API's names for them.
MIGRATION_TYPES = [
    pytest.param("full-load", id="migrate-existing-data"),
    pytest.param("cdc", id="replicate-data-changes-only"),
    pytest.param("full-load-and-cdc", id="migrate-existing-data-and-replicate-ongoing-changes"),
]

NEVER_READY = "keeps every task 'creating': it never becomes 'ready'"
TASK = "botocore:dms/2016-01-01#ReplicationTask"
VALIDATION_DOC = (
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.DataValidation.html"
)


def by_arn(kind, arn):
    return [{"Name": f"{kind}-arn", "Values": [arn]}]


@pytest.fixture
def dynamodb_role(aws_client, unique_name) -> str:
    """The role DMS assumes to write to DynamoDB (the note's steps: create it for the DMS service, note its ARN)."""
    iam = aws_client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "dms.amazonaws.com"}, "Action": "sts:AssumeRole"}]}  # fmt: skip
    name = unique_name("dms-dynamodb")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    writes = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ListTables"]}]}  # fmt: skip
    iam.put_role_policy(RoleName=name, PolicyName="write-target-tables", PolicyDocument=json.dumps(writes))
    return str(arn)


@pytest.fixture
def endpoints(dms, dynamodb_role, unique_name) -> dict[str, str]:
    """The MySQL source and the DynamoDB target: {"source": arn, "target": arn}."""
    source = dms.create_endpoint(EndpointIdentifier=unique_name("mysql"), EndpointType="source", **SOURCE)
    target = dms.create_endpoint(
        EndpointIdentifier=unique_name("dynamodb"), EndpointType="target", EngineName="dynamodb",
        DynamoDbSettings={"ServiceAccessRoleArn": dynamodb_role},
    )  # fmt: skip
    return {"source": source["Endpoint"]["EndpointArn"], "target": target["Endpoint"]["EndpointArn"]}


@pytest.fixture
def new_task(dms, replication_instance, endpoints, unique_name):
    """``new_task(MigrationType=..., **extra)``: a replication task from the source to the target with the lab's
    table mappings, as CreateReplicationTask answered."""

    def make(dms_client=None, **settings):
        settings.setdefault("MigrationType", "full-load")
        settings.setdefault("TableMappings", json.dumps(TABLE_MAPPINGS))
        return (dms_client or dms).create_replication_task(
            ReplicationTaskIdentifier=unique_name("shop"), SourceEndpointArn=endpoints["source"],
            TargetEndpointArn=endpoints["target"],
            ReplicationInstanceArn=replication_instance["ReplicationInstanceArn"], **settings,
        )["ReplicationTask"]  # fmt: skip

    return make


def describe_task(dms, arn):
    return dms.describe_replication_tasks(Filters=by_arn("replication-task", arn))["ReplicationTasks"][0]


# --- the replication instance and where it lives ----------------------------------------------------------------------


def test_a_replication_instance_is_creating_then_available(dms, subnet_group, unique_name, backend):
    created = dms.create_replication_instance(
        ReplicationInstanceIdentifier=unique_name("replicator"), ReplicationInstanceClass="dms.t3.micro",
        ReplicationSubnetGroupIdentifier=subnet_group, PubliclyAccessible=False,
    )["ReplicationInstance"]  # fmt: skip
    arn = created["ReplicationInstanceArn"]

    dms.get_waiter("replication_instance_available").wait(
        Filters=by_arn("replication-instance", arn), WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )

    assert created["ReplicationInstanceStatus"] == "creating"
    found = dms.describe_replication_instances(Filters=by_arn("replication-instance", arn))["ReplicationInstances"]
    assert found[0]["ReplicationInstanceStatus"] == "available"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "reports the subnet group in a made-up vpc-12345 with one subnet in us-east-1a, whatever subnets it was given",
    evidence="botocore:dms/2016-01-01#ReplicationSubnetGroup",
)
def test_a_replication_subnet_group_lies_in_the_vpc_and_zones_of_its_subnets(dms, subnet_group, migration_vpc):
    group = dms.describe_replication_subnet_groups(
        Filters=[{"Name": "replication-subnet-group-id", "Values": [subnet_group]}]
    )["ReplicationSubnetGroups"][0]

    assert group["VpcId"] == migration_vpc["vpc"]
    assert sorted(s["SubnetAvailabilityZone"]["Name"] for s in group["Subnets"]) == sorted(migration_vpc["zones"])


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "accepts a subnet group in one zone; AWS answers ReplicationSubnetGroupDoesNotCoverEnoughAZs",
    evidence="botocore:dms/2016-01-01#CreateReplicationSubnetGroup",
)
def test_a_subnet_group_in_a_single_zone_is_refused(dms, migration_vpc, unique_name):
    one_zone = [migration_vpc["subnets"][0], migration_vpc["subnets"][2]]

    code = error_code(
        dms.create_replication_subnet_group, ReplicationSubnetGroupIdentifier=unique_name("one-zone"),
        ReplicationSubnetGroupDescription="one zone only", SubnetIds=one_zone,
    )  # fmt: skip

    assert code == "ReplicationSubnetGroupDoesNotCoverEnoughAZs"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates a Multi-AZ instance pinned to one zone; AWS refuses AvailabilityZone with MultiAZ",
    evidence="botocore:dms/2016-01-01#CreateReplicationInstanceMessage",
)
def test_a_multi_az_instance_cannot_be_pinned_to_a_zone(dms, subnet_group, migration_vpc, unique_name):
    code = error_code(
        dms.create_replication_instance, ReplicationInstanceIdentifier=unique_name("replicator"),
        ReplicationInstanceClass="dms.t3.micro", ReplicationSubnetGroupIdentifier=subnet_group, MultiAZ=True,
        AvailabilityZone=migration_vpc["zones"][0],
    )  # fmt: skip

    assert code != ALLOWED  # the rule is documented; the error code is not


# --- endpoints and connections ----------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "reports the connection test 'successful' though nothing answers at the source's address",
    evidence="botocore:dms/2016-01-01#Connection",
)
def test_a_connection_test_to_a_database_that_is_not_there_fails(dms, replication_instance, endpoints, backend):
    instance = replication_instance["ReplicationInstanceArn"]

    dms.test_connection(ReplicationInstanceArn=instance, EndpointArn=endpoints["source"])

    filters = by_arn("endpoint", endpoints["source"]) + by_arn("replication-instance", instance)
    connection = eventually(
        lambda: dms.describe_connections(Filters=filters)["Connections"][0],
        backend,
        until=lambda found: found["Status"] != "testing",
        aws_seconds=15 * 60,
        emulator_seconds=2,
        interval=10,
    )
    assert connection["Status"] == "failed"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "deletes an endpoint a task still uses; AWS answers InvalidResourceStateFault",
    evidence="botocore:dms/2016-01-01#DeleteEndpoint",
)
def test_an_endpoint_a_task_uses_cannot_be_deleted(dms, new_task, endpoints):
    new_task()

    assert error_code(dms.delete_endpoint, EndpointArn=endpoints["source"]) == "InvalidResourceStateFault"


# --- the task ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("migration_type", MIGRATION_TYPES)
def test_each_migration_type_is_accepted_and_stored(dms, new_task, migration_type):
    task = new_task(MigrationType=migration_type)

    assert describe_task(dms, task["ReplicationTaskArn"])["MigrationType"] == migration_type


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates a task of migration type 'replicate-only'; AWS knows full-load, cdc and full-load-and-cdc",
    evidence="botocore:dms/2016-01-01#MigrationTypeValue",
)
def test_an_unknown_migration_type_is_refused(new_task):
    assert error_code(new_task, MigrationType="replicate-only") != ALLOWED  # the error code is not documented


def test_selection_and_transformation_rules_are_accepted_and_stored(dms, new_task):
    task = new_task()

    stored = json.loads(describe_task(dms, task["ReplicationTaskArn"])["TableMappings"])
    show_table(
        "table mappings", ["rule", "type", "action"],
        [[r["rule-name"], r["rule-type"], r["rule-action"]] for r in stored["rules"]],
    )  # fmt: skip
    assert stored == TABLE_MAPPINGS


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates a task whose table mappings are not JSON",
    evidence="botocore:dms/2016-01-01#CreateReplicationTaskMessage",
)
def test_table_mappings_that_are_not_json_are_refused(new_task):
    assert error_code(new_task, TableMappings="rules: every shop table") != ALLOWED  # the error code is not documented


@pytest.mark.diverges(("moto", "moto-server"), NEVER_READY, evidence=TASK)
def test_a_new_task_is_creating_then_ready(dms, new_task, backend):
    task = new_task()

    dms.get_waiter("replication_task_ready").wait(
        Filters=by_arn("replication-task", task["ReplicationTaskArn"]),
        WaiterConfig=waiter_config(backend, aws_seconds=15 * 60),
    )

    assert task["Status"] == "creating"
    assert describe_task(dms, task["ReplicationTaskArn"])["Status"] == "ready"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "stores the settings as sent; AWS answers with every setting, the defaults filled in",
    evidence=VALIDATION_DOC,
)
def test_the_task_settings_come_back_with_the_validation_defaults_filled_in(dms, new_task):
    task = new_task(ReplicationTaskSettings=json.dumps({"ValidationSettings": {"EnableValidation": True}}))

    settings = json.loads(describe_task(dms, task["ReplicationTaskArn"])["ReplicationTaskSettings"])
    validation = settings.get("ValidationSettings", {})
    show_table("ValidationSettings", ["setting", "value"], sorted(validation.items()))
    assert validation.get("EnableValidation") is True
    assert (validation.get("FailureMaxCount"), validation.get("TableFailureMaxCount")) == (10000, 1000)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    f"{NEVER_READY}; once started it reports a finished full load (100 %, 1 table loaded) with no database behind "
    "its endpoints",
    evidence=f"{TASK} ; botocore:dms/2016-01-01#ReplicationTaskStats",
)
def test_a_started_task_with_no_source_database_loads_no_table(dms, new_task, backend):
    arn = new_task()["ReplicationTaskArn"]
    eventually(
        lambda: describe_task(dms, arn)["Status"] == "ready",
        backend,
        aws_seconds=900,
        emulator_seconds=2,
        interval=10,
        status=True,
    )

    dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")

    task = eventually(
        lambda: describe_task(dms, arn),
        backend,
        until=lambda t: t["Status"] in ("failed", "stopped"),
        aws_seconds=20 * 60,
        emulator_seconds=2,
        interval=10,
        status=True,
    )
    stats = task.get("ReplicationTaskStats", {})
    show_table("after the start", ["status", "tables loaded", "full load %"],
               [[task["Status"], stats.get("TablesLoaded", 0), stats.get("FullLoadProgressPercent", 0)]])  # fmt: skip
    assert stats.get("TablesLoaded", 0) == 0
