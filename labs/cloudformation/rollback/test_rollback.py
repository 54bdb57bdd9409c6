"""CloudFormation rolls a failed create back: what it made before the failure is deleted and the stack ends
ROLLBACK_COMPLETE. With OnFailure=DO_NOTHING it stops where it failed (CREATE_FAILED) and keeps what it made."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.data import fixture_path
from labkit.ops import exists, resource_statuses, settled_status
from labkit.report import show_table

TEMPLATE = fixture_path("cloudformation/rollback.yaml").read_text(encoding="utf-8")
ON_FAILURE = "botocore:cloudformation/2010-05-15#CreateStackInput"
RECORDED = "localstack/localstack:tests/aws/services/cloudformation/api/test_stacks.snapshot.json"
NO_ROLLBACK = ("moto", "moto-server")  # moto creates resources inside CreateStack and never rolls back
STOPS_AT_FAILURE = "localstack"  # LocalStack ends a failed create at CREATE_FAILED whatever OnFailure says


@pytest.fixture
def failing_stack(aws_client, unique_name):
    """A stack name whose second parameter's name is already taken (made here, outside any stack)."""
    stack = unique_name("rollback")
    aws_client("ssm").put_parameter(Name=f"/labs/{stack}/taken", Type="String", Value="made outside the stack")
    return stack


def create(cloudformation, stack, **options):
    """Start the create; return the stack id (describes the stack even once it is deleted)."""
    return cloudformation.create_stack(StackName=stack, TemplateBody=TEMPLATE, **options)["StackId"]


def events_by_resource(cloudformation, stack_id):
    """Every status each resource went through, oldest first (events come newest first, across pages)."""
    pages = cloudformation.get_paginator("describe_stack_events").paginate(StackName=stack_id)
    events = [event for page in pages for event in page["StackEvents"]]
    history = {}
    for event in reversed(events):
        history.setdefault(event["LogicalResourceId"], []).append(event["ResourceStatus"])
    show_table("stack events, oldest first", ["resource", "statuses"], [[k, " > ".join(v)] for k, v in history.items()])
    return history


def parameter_exists(aws_client, name):
    return exists(aws_client("ssm").get_parameter, Name=name)


@pytest.mark.diverges(
    NO_ROLLBACK,
    "fails CreateStack itself with ParameterAlreadyExists and keeps no stack; AWS starts the create, fails it "
    "and rolls back to ROLLBACK_COMPLETE",
    evidence=f"{ON_FAILURE} ; botocore:cloudformation/2010-05-15#StackStatus ; {RECORDED}#test_blocked_stack_deletion",
)
@pytest.mark.diverges(
    STOPS_AT_FAILURE,
    "stops at CREATE_FAILED, as if OnFailure were DO_NOTHING; AWS rolls back by default",
    evidence=ON_FAILURE,
)
def test_a_failed_create_rolls_back_to_rollback_complete(cloudformation, failing_stack):
    stack_id = create(cloudformation, failing_stack)  # accepted: the failure comes later, in the background

    assert settled_status(cloudformation, stack_id) == "ROLLBACK_COMPLETE"


@pytest.mark.diverges(
    NO_ROLLBACK,
    "fails CreateStack itself and leaves the first parameter it made in place; AWS deletes it in the rollback",
    evidence=f"{ON_FAILURE} ; {RECORDED}#test_blocked_stack_deletion",
)
@pytest.mark.diverges(
    STOPS_AT_FAILURE,
    "keeps the first parameter (no rollback); AWS deletes it in the rollback",
    evidence=ON_FAILURE,
)
def test_the_rollback_deletes_what_was_made_before_the_failure(cloudformation, aws_client, failing_stack):
    stack_id = create(cloudformation, failing_stack)
    settled_status(cloudformation, stack_id)

    history = events_by_resource(cloudformation, stack_id)
    assert history["MadeFirst"][:2] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]  # it was made ...
    assert history["MadeFirst"][-1] == "DELETE_COMPLETE"  # ... and deleted again
    assert "CREATE_FAILED" in history["NameTaken"]
    assert parameter_exists(aws_client, f"/labs/{failing_stack}/made-first") is False


def test_the_rollback_leaves_alone_what_the_stack_did_not_make(cloudformation, aws_client, failing_stack):
    try:
        stack_id = create(cloudformation, failing_stack)
        settled_status(cloudformation, stack_id)
    except ClientError:
        pass  # moto refuses the create outright; what matters here is the parameter made outside

    taken = aws_client("ssm").get_parameter(Name=f"/labs/{failing_stack}/taken")["Parameter"]
    assert taken["Value"] == "made outside the stack"


@pytest.mark.diverges(
    NO_ROLLBACK,
    "fails CreateStack itself whatever OnFailure says; AWS stops at CREATE_FAILED and keeps what it made",
    evidence=ON_FAILURE,
)
def test_do_nothing_stops_at_create_failed_and_keeps_what_was_made(cloudformation, aws_client, failing_stack):
    stack_id = create(cloudformation, failing_stack, OnFailure="DO_NOTHING")

    assert settled_status(cloudformation, stack_id) == "CREATE_FAILED"
    assert resource_statuses(cloudformation, stack_id)["MadeFirst"] == "CREATE_COMPLETE"
    assert events_by_resource(cloudformation, stack_id)["NameTaken"][-1] == "CREATE_FAILED"
    assert parameter_exists(aws_client, f"/labs/{failing_stack}/made-first") is True


@pytest.mark.diverges(
    NO_ROLLBACK,
    "keeps no stack after the failed create, so there is nothing to update",
    evidence=f"{ON_FAILURE} ; botocore:cloudformation/2010-05-15#RollbackStack ; unverified: the error code for an "
    "update of a ROLLBACK_COMPLETE stack (ValidationError is recorded for updating a DELETE_COMPLETE stack)",
)
@pytest.mark.diverges(STOPS_AT_FAILURE, "never reaches ROLLBACK_COMPLETE (stops at CREATE_FAILED)", evidence=ON_FAILURE)
def test_a_rolled_back_stack_cannot_be_updated_only_deleted(cloudformation, failing_stack):
    stack_id = create(cloudformation, failing_stack)
    assert settled_status(cloudformation, stack_id) == "ROLLBACK_COMPLETE"

    with pytest.raises(ClientError) as raised:
        cloudformation.update_stack(StackName=stack_id, TemplateBody=TEMPLATE)
    assert raised.value.response["Error"]["Code"] == "ValidationError"

    cloudformation.delete_stack(StackName=stack_id)
    assert settled_status(cloudformation, stack_id) == "DELETE_COMPLETE"
