"""A custom resource: CloudFormation calls a Lambda function (the ServiceToken) on create, update and delete,
and waits for the function's answer at the ResponseURL. The answer's Data becomes the resource's attributes
(Fn::GetAtt), its PhysicalResourceId the resource's Ref, and a FAILED answer fails the resource.

CloudFormation must run the function itself: the lab needs lambda-execution (MiniStack, or AWS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit.data import fixture_path
from labkit.ops import settled_status, stack_outputs, stack_parameters
from labkit.report import show_table

TEMPLATE = fixture_path("cloudformation/custom_greeting.yaml").read_text(encoding="utf-8")
PROVIDER = Path(__file__).with_name("greeting_resource.py")

pytestmark = pytest.mark.needs("lambda-execution")


@pytest.fixture
def service_token(lambda_function):
    """The provider function's ARN: what a custom resource's ServiceToken names."""
    return lambda_function(PROVIDER, handler="greeting_resource.lambda_handler", timeout=15).arn


def create(cloudformation, stack, service_token, name):
    """Start the create; the stack id (it still describes the stack once deleted)."""
    return cloudformation.create_stack(
        StackName=stack, TemplateBody=TEMPLATE, Parameters=stack_parameters(ServiceToken=service_token, Name=name)
    )["StackId"]


def statuses(cloudformation, stack_id, resource):
    pages = cloudformation.get_paginator("describe_stack_events").paginate(StackName=stack_id)
    events = [e for page in pages for e in page["StackEvents"] if e["LogicalResourceId"] == resource]
    found = [(e["ResourceStatus"], e.get("ResourceStatusReason", "")) for e in reversed(events)]
    show_table(f"events of {resource}, oldest first", ["status", "reason"], found)
    return found


def test_the_functions_data_becomes_the_resources_attributes(cloudformation, service_token, unique_name):
    stack = create(cloudformation, unique_name("greeting"), service_token, "labs")

    assert settled_status(cloudformation, stack) == "CREATE_COMPLETE"
    assert stack_outputs(cloudformation, stack)["Message"] == "Hello, labs!"  # !GetAtt Greeting.Message


def test_the_physical_id_the_function_chose_is_the_resources_ref(cloudformation, service_token, unique_name):
    stack = create(cloudformation, unique_name("greeting"), service_token, "labs")
    settled_status(cloudformation, stack)

    greeting_id = stack_outputs(cloudformation, stack)["GreetingId"]
    (summary,) = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert greeting_id.startswith("greeting-") and summary["PhysicalResourceId"] == greeting_id


def test_a_failed_answer_fails_the_resource_and_rolls_the_stack_back(cloudformation, service_token, unique_name):
    stack = create(cloudformation, unique_name("greeting"), service_token, "")  # the function refuses an empty name

    assert settled_status(cloudformation, stack) == "ROLLBACK_COMPLETE"
    failed = [reason for status, reason in statuses(cloudformation, stack, "Greeting") if status == "CREATE_FAILED"]
    assert len(failed) == 1 and "Name must not be empty" in failed[0]  # the function's Reason is shown


def test_deleting_the_stack_calls_the_function_with_delete(cloudformation, service_token, unique_name):
    stack = create(cloudformation, unique_name("greeting"), service_token, "labs")
    settled_status(cloudformation, stack)

    cloudformation.delete_stack(StackName=stack)

    assert settled_status(cloudformation, stack) == "DELETE_COMPLETE"
    assert [status for status, _ in statuses(cloudformation, stack, "Greeting")][-2:] == [
        "DELETE_IN_PROGRESS", "DELETE_COMPLETE"
    ]  # fmt: skip
