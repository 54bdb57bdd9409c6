"""StackSets: one template deployed as a stack in each target account and region. The stack set lives in the
administrator account; each stack instance refers to a real stack; every change runs as an operation to wait
for. Self-managed permissions: an administration role that CloudFormation assumes, and an execution role it
assumes in turn in each target account. Here the one account is both administrator and target."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from botocore.exceptions import ClientError

from labkit.data import fixture_path
from labkit.eventually import eventually
from labkit.ops import POLL, describe_stack, settled_status, stack_parameters

TEMPLATE = fixture_path("cloudformation/stack_set_queue.yaml").read_text(encoding="utf-8")
MODEL = "botocore:cloudformation/2010-05-15"
FINAL = {"SUCCEEDED", "FAILED", "STOPPED"}

pytestmark = pytest.mark.diverges(
    "ministack",
    "has no StackSets: CreateStackSet answers InvalidAction 'Unknown action'",
    evidence=f"{MODEL}#CreateStackSet",
)
# LocalStack reports every operation SUCCEEDED but deploys no stack and then cannot find the stack set.
STUB = "localstack"


@pytest.fixture
def roles(aws_client, aws_account_id, unique_name):
    """(administration role ARN, execution role name): CloudFormation assumes the first, which assumes the
    second in each target account to create the stack there."""
    iam = aws_client("iam")
    execution = unique_name("stackset-exec")
    admin = iam.create_role(
        RoleName=unique_name("stackset-admin"),
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
             "Action": "sts:AssumeRole"}]}),
    )["Role"]  # fmt: skip
    iam.put_role_policy(
        RoleName=admin["RoleName"], PolicyName="assume-execution",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::*:role/{execution}"}]}),
    )  # fmt: skip
    iam.create_role(
        RoleName=execution,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": admin["Arn"]}, "Action": "sts:AssumeRole"}]}),
    )  # fmt: skip
    iam.put_role_policy(
        RoleName=execution, PolicyName="deploy-the-template",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudformation:*", "sqs:*", "sns:*"], "Resource": "*"}]}),
    )  # fmt: skip
    for name in (admin["RoleName"], execution):
        iam.get_waiter("role_exists").wait(RoleName=name, WaiterConfig={"Delay": 1})
    return admin["Arn"], execution


@pytest.fixture
def stack_set(cloudformation, aws_account_id, aws_region, roles, unique_name):
    """A self-managed stack set whose template makes one queue (named after the set); removed afterwards with
    whatever instances are left (the harness does not know stack sets)."""
    name = unique_name("queues")
    admin_arn, execution = roles
    cloudformation.create_stack_set(
        StackSetName=name, TemplateBody=TEMPLATE, Parameters=stack_parameters(QueueName=name),
        PermissionModel="SELF_MANAGED", AdministrationRoleARN=admin_arn, ExecutionRoleName=execution,
    )  # fmt: skip
    yield name
    with contextlib.suppress(ClientError):
        if cloudformation.list_stack_instances(StackSetName=name)["Summaries"]:
            run(cloudformation, name, cloudformation.delete_stack_instances(
                StackSetName=name, Accounts=[aws_account_id], Regions=[aws_region], RetainStacks=False))  # fmt: skip
    with contextlib.suppress(ClientError):
        cloudformation.delete_stack_set(StackSetName=name)


def run(cloudformation, name, started):
    """Wait for a stack set operation (it starts QUEUED or RUNNING) to end; its description."""
    while True:
        operation = cloudformation.describe_stack_set_operation(StackSetName=name, OperationId=started["OperationId"])
        if operation["StackSetOperation"]["Status"] in FINAL:
            return operation["StackSetOperation"]
        time.sleep(POLL)


@pytest.fixture
def deployed(cloudformation, aws_account_id, aws_region, stack_set):
    """The stack set with one instance, in this account and region, once the operation has ended."""
    operation = run(cloudformation, stack_set, cloudformation.create_stack_instances(
        StackSetName=stack_set, Accounts=[aws_account_id], Regions=[aws_region],
        OperationPreferences={"FailureToleranceCount": 0, "MaxConcurrentCount": 1},
    ))  # fmt: skip
    return stack_set, operation


def queue_exists(aws_client, name):
    return aws_client("sqs").list_queues(QueueNamePrefix=name).get("QueueUrls", []) != []


@pytest.mark.diverges(STUB, "cannot find the stack set it just created", evidence=f"{MODEL}#DescribeStackSet")
def test_a_self_managed_stack_set_is_accepted_and_stored(cloudformation, roles, stack_set):
    described = cloudformation.describe_stack_set(StackSetName=stack_set)["StackSet"]

    assert (described["Status"], described["PermissionModel"]) == ("ACTIVE", "SELF_MANAGED")
    assert (described["AdministrationRoleARN"], described["ExecutionRoleName"]) == roles


def test_creating_stack_instances_is_an_operation_that_ends_succeeded(deployed):
    _, operation = deployed

    assert (operation["Action"], operation["Status"]) == ("CREATE", "SUCCEEDED")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "lists the instance, but its StackId describes no stack; AWS: a stack StackSet-<set>-<id> in the target",
    evidence=f"{MODEL}#StackInstanceSummary ; {MODEL}#CreateStackInstances",
)
@pytest.mark.diverges(
    STUB, "deploys nothing and then answers that the stack set does not exist", evidence=f"{MODEL}#ListStackInstances"
)
def test_each_instance_is_a_real_stack_in_its_account_and_region(
    cloudformation, aws_client, aws_account_id, aws_region, deployed
):
    name, _ = deployed
    (instance,) = cloudformation.list_stack_instances(StackSetName=name)["Summaries"]

    assert (instance["Account"], instance["Region"], instance["Status"]) == (aws_account_id, aws_region, "CURRENT")
    stack = describe_stack(cloudformation, instance["StackId"])
    assert stack["StackName"].startswith(f"StackSet-{name}-")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert queue_exists(aws_client, name)  # the template's queue, made by the instance's stack


@pytest.mark.diverges(STUB, "deploys nothing, so the stack set looks empty", evidence=f"{MODEL}#DeleteStackSet")
def test_a_stack_set_with_instances_cannot_be_deleted(cloudformation, deployed):
    name, _ = deployed

    with pytest.raises(ClientError) as raised:
        cloudformation.delete_stack_set(StackSetName=name)
    assert raised.value.response["Error"]["Code"] == "StackSetNotEmptyException"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "deletes the instance's stack and queue although RetainStacks is true",
    evidence=f"{MODEL}#DeleteStackInstancesInput",
)
@pytest.mark.diverges(STUB, "deploys nothing to retain", evidence=f"{MODEL}#ListStackInstances")
def test_retain_stacks_removes_the_instance_but_keeps_its_stack(
    cloudformation, aws_client, aws_account_id, aws_region, deployed
):
    name, _ = deployed
    (instance,) = cloudformation.list_stack_instances(StackSetName=name)["Summaries"]

    try:
        operation = run(cloudformation, name, cloudformation.delete_stack_instances(
            StackSetName=name, Accounts=[aws_account_id], Regions=[aws_region], RetainStacks=True))  # fmt: skip

        assert (operation["Action"], operation["Status"]) == ("DELETE", "SUCCEEDED")
        assert cloudformation.list_stack_instances(StackSetName=name)["Summaries"] == []
        assert settled_status(cloudformation, instance["StackId"]) == "CREATE_COMPLETE"  # the stack stays
        assert queue_exists(aws_client, name)
    finally:  # a retained stack belongs to no stack set any more: delete it ourselves
        with contextlib.suppress(ClientError):
            cloudformation.delete_stack(StackName=instance["StackId"])


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "lists the instance, but its StackId describes no stack",
    evidence=f"{MODEL}#StackInstanceSummary ; {MODEL}#DeleteStackInstancesInput",
)
@pytest.mark.diverges(STUB, "deploys nothing, so there is nothing to delete", evidence=f"{MODEL}#ListStackInstances")
def test_removing_an_instance_without_retain_deletes_its_stack(
    cloudformation, aws_client, backend, aws_account_id, aws_region, deployed
):
    name, _ = deployed
    (instance,) = cloudformation.list_stack_instances(StackSetName=name)["Summaries"]

    run(cloudformation, name, cloudformation.delete_stack_instances(
        StackSetName=name, Accounts=[aws_account_id], Regions=[aws_region], RetainStacks=False))  # fmt: skip

    assert cloudformation.list_stack_instances(StackSetName=name)["Summaries"] == []
    assert settled_status(cloudformation, instance["StackId"]) == "DELETE_COMPLETE"
    assert eventually(lambda: not queue_exists(aws_client, name), backend) is True  # ListQueues lags on AWS
