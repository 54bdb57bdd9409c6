"""CloudFormation: one template shaped by Parameters, Mappings and Conditions; an export another stack imports;
change sets previewed before they run; and an exporting stack that cannot go while it is imported."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, WaiterError

from labkit.data import fixture_path
from labkit.report import show_table

PRODUCER = fixture_path("cloudformation/producer.yaml").read_text(encoding="utf-8")
CONSUMER = fixture_path("cloudformation/consumer.yaml").read_text(encoding="utf-8")
RETENTION = {"dev": "345600", "prod": "1209600"}  # the template's EnvSettings mapping


def parameters(**values):
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def outputs(cloudformation, stack):
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def status(cloudformation, stack):
    return cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


@pytest.fixture
def cloudformation(aws_client):
    return aws_client("cloudformation")


@pytest.fixture
def deploy(cloudformation):
    """``deploy(name, template, Env="prod")``: create a stack and wait until it is complete."""

    def create(name, template, **values):
        cloudformation.create_stack(StackName=name, TemplateBody=template, Parameters=parameters(**values))
        cloudformation.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 2})
        return name

    return create


@pytest.fixture
def producer(deploy, unique_name):
    return deploy(unique_name("producer"), PRODUCER, Env="dev")


def retention_of(aws_client, queue_url):
    attributes = aws_client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["MessageRetentionPeriod"])
    return attributes["Attributes"]["MessageRetentionPeriod"]


def change_list(cloudformation, stack, change_set):
    cloudformation.get_waiter("change_set_create_complete").wait(
        StackName=stack, ChangeSetName=change_set, WaiterConfig={"Delay": 2}
    )
    described = cloudformation.describe_change_set(StackName=stack, ChangeSetName=change_set)
    changes = sorted(
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in described["Changes"]
    )
    show_table(f"change set {change_set}", ["action", "resource"], changes)
    return described, changes


# --- one template, shaped by its inputs -----------------------------------------------------------------------


def test_find_in_map_picks_the_dev_retention_and_tier(cloudformation, aws_client, producer):
    out = outputs(cloudformation, producer)

    assert status(cloudformation, producer) == "CREATE_COMPLETE"
    assert retention_of(aws_client, out["QueueUrl"]) == RETENTION["dev"] == "345600"
    assert out["Tier"] == "standard"


def test_sub_names_the_parameter_and_get_att_fills_it_with_the_queue_arn(cloudformation, aws_client, producer):
    out = outputs(cloudformation, producer)

    parameter = aws_client("ssm").get_parameter(Name=f"/labs/{producer}/queue-arn")["Parameter"]
    assert parameter["Value"] == out["QueueArn"]
    assert out["QueueArn"].startswith("arn:aws:sqs:") and out["QueueArn"].endswith(out["QueueUrl"].rsplit("/", 1)[1])


def test_a_false_condition_creates_neither_the_bucket_nor_its_output(cloudformation, aws_client, producer):
    assert aws_client("s3").list_buckets()["Buckets"] == []
    assert "ArchiveBucketName" not in outputs(cloudformation, producer)


@pytest.mark.diverges(
    ("moto", "moto-server"), "lists the skipped resource as a blank entry; AWS lists only created resources"
)
def test_stack_resources_list_only_what_the_conditions_let_through(cloudformation, producer):
    resources = cloudformation.list_stack_resources(StackName=producer)["StackResourceSummaries"]

    assert sorted(r["LogicalResourceId"] for r in resources) == ["Queue", "QueueArnParameter"]


def test_the_prod_parameter_adds_the_bucket_and_the_longer_retention(cloudformation, aws_client, deploy, unique_name):
    stack = deploy(unique_name("producer"), PRODUCER, Env="prod")
    out = outputs(cloudformation, stack)

    assert [b["Name"] for b in aws_client("s3").list_buckets()["Buckets"]] == [out["ArchiveBucketName"]]
    assert retention_of(aws_client, out["QueueUrl"]) == RETENTION["prod"] == "1209600"
    assert out["Tier"] == "premium"


@pytest.mark.diverges(
    ("moto", "moto-server"), "crashes in the mapping lookup (KeyError; HTTP 500 on the server); AWS: ValidationError"
)
def test_a_value_outside_allowed_values_is_refused(cloudformation, unique_name):
    with pytest.raises(ClientError) as raised:
        cloudformation.create_stack(
            StackName=unique_name("bad"), TemplateBody=PRODUCER, Parameters=parameters(Env="qa")
        )

    assert raised.value.response["Error"]["Code"] == "ValidationError"


# --- exports and imports --------------------------------------------------------------------------------------


def test_exported_outputs_are_listed_by_name_for_the_region(cloudformation, producer):
    out = outputs(cloudformation, producer)
    exports = {e["Name"]: e["Value"] for e in cloudformation.list_exports()["Exports"]}

    assert exports == {f"{producer}-QueueUrl": out["QueueUrl"], f"{producer}-QueueArn": out["QueueArn"]}


def test_a_second_stack_imports_the_exported_queue_arn(cloudformation, aws_client, deploy, producer, unique_name):
    consumer = deploy(unique_name("consumer"), CONSUMER, ProducerStack=producer)
    arn = outputs(cloudformation, producer)["QueueArn"]

    assert outputs(cloudformation, consumer) == {"ImportedQueueArn": arn}
    assert aws_client("ssm").get_parameter(Name=f"/labs/{consumer}/imported-queue-arn")["Parameter"]["Value"] == arn


@pytest.mark.diverges(("moto", "moto-server"), "ListImports is not implemented; AWS names the importing stacks")
def test_list_imports_names_the_stack_that_imports_an_export(cloudformation, deploy, producer, unique_name):
    consumer = deploy(unique_name("consumer"), CONSUMER, ProducerStack=producer)

    assert cloudformation.list_imports(ExportName=f"{producer}-QueueArn")["Imports"] == [consumer]


@pytest.mark.diverges(("moto", "moto-server"), "deletes the exporting stack; AWS fails the delete (DELETE_FAILED)")
def test_an_exporting_stack_cannot_be_deleted_while_another_stack_imports_it(
    cloudformation, deploy, producer, unique_name
):
    deploy(unique_name("consumer"), CONSUMER, ProducerStack=producer)

    cloudformation.delete_stack(StackName=producer)  # accepted: deletion is asynchronous ...
    with pytest.raises(WaiterError) as raised:  # ... and then fails
        cloudformation.get_waiter("stack_delete_complete").wait(StackName=producer, WaiterConfig={"Delay": 2})

    assert raised.value.last_response["Stacks"][0]["StackStatus"] == "DELETE_FAILED"
    assert f"{producer}-QueueArn" in {e["Name"] for e in cloudformation.list_exports()["Exports"]}


def test_once_the_importer_is_gone_the_exporter_can_be_deleted(cloudformation, deploy, producer, unique_name):
    consumer = deploy(unique_name("consumer"), CONSUMER, ProducerStack=producer)

    for stack in (consumer, producer):
        cloudformation.delete_stack(StackName=stack)
        cloudformation.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 2})

    assert cloudformation.list_exports()["Exports"] == []


# --- change sets: the preview before the change ---------------------------------------------------------------


def test_a_create_change_set_builds_nothing_until_it_is_executed(cloudformation, aws_client, unique_name):
    stack = unique_name("previewed")
    cloudformation.create_change_set(
        StackName=stack, ChangeSetName="create", ChangeSetType="CREATE", TemplateBody=PRODUCER
    )
    described, _ = change_list(cloudformation, stack, "create")

    assert status(cloudformation, stack) == "REVIEW_IN_PROGRESS"
    assert described["ExecutionStatus"] == "AVAILABLE"
    assert aws_client("sqs").list_queues().get("QueueUrls", []) == []  # nothing built yet

    cloudformation.execute_change_set(StackName=stack, ChangeSetName="create")
    cloudformation.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig={"Delay": 2})
    assert len(aws_client("sqs").list_queues()["QueueUrls"]) == 1


@pytest.mark.diverges(("moto", "moto-server"), "previews the bucket its false condition skips; AWS leaves it out")
def test_a_create_change_set_lists_only_the_resources_the_conditions_allow(cloudformation, unique_name):
    stack = unique_name("previewed")
    cloudformation.create_change_set(
        StackName=stack, ChangeSetName="create", ChangeSetType="CREATE", TemplateBody=PRODUCER
    )

    _, changes = change_list(cloudformation, stack, "create")
    assert changes == [("Add", "Queue"), ("Add", "QueueArnParameter")]


@pytest.mark.diverges(
    ("moto", "moto-server"), "lists every resource as Add, unchanged ones too; AWS: Add ArchiveBucket, Modify Queue"
)
def test_an_update_change_set_previews_the_bucket_to_add_and_the_queue_to_modify(cloudformation, producer):
    cloudformation.create_change_set(
        StackName=producer, ChangeSetName="to-prod", TemplateBody=PRODUCER, Parameters=parameters(Env="prod")
    )

    _, changes = change_list(cloudformation, producer, "to-prod")
    assert changes == [("Add", "ArchiveBucket"), ("Modify", "Queue")]
    assert status(cloudformation, producer) == "CREATE_COMPLETE"  # previewing changed nothing


@pytest.mark.diverges(
    ("moto", "moto-server"), "re-creates every resource and fails (ParameterAlreadyExists); AWS updates in place"
)
def test_executing_the_update_change_set_applies_the_prod_settings(cloudformation, aws_client, producer):
    cloudformation.create_change_set(
        StackName=producer, ChangeSetName="to-prod", TemplateBody=PRODUCER, Parameters=parameters(Env="prod")
    )
    change_list(cloudformation, producer, "to-prod")
    cloudformation.execute_change_set(StackName=producer, ChangeSetName="to-prod")
    cloudformation.get_waiter("stack_update_complete").wait(StackName=producer, WaiterConfig={"Delay": 2})

    out = outputs(cloudformation, producer)
    assert out["Tier"] == "premium"
    assert retention_of(aws_client, out["QueueUrl"]) == RETENTION["prod"]
    assert [b["Name"] for b in aws_client("s3").list_buckets()["Buckets"]] == [out["ArchiveBucketName"]]
