"""Lambda's configuration behaviours: $LATEST is mutable, a published version is a frozen copy with its own
ARN, an alias names a version (and can split traffic), a resource policy says who may invoke, an
asynchronous invoke is only acknowledged, and environment variables change behaviour without new code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROUTING = (
    "https://docs.aws.amazon.com/lambda/latest/dg/lambda-traffic-shifting-using-aliases.html ; "
    "botocore:lambda/2015-03-31#AliasRoutingConfiguration"
)


@pytest.fixture
def greeter(lambda_function):
    return lambda_function(HERE / "greeting.py", handler="greeting.lambda_handler", environment={"GREETING": "hello"})


def set_greeting(function, greeting):
    function.client.update_function_configuration(
        FunctionName=function.name, Environment={"Variables": {"GREETING": greeting}}
    )
    function.wait_updated()


def test_environment_variables_change_behaviour_without_a_code_change(greeter):
    code_before = greeter.client.get_function_configuration(FunctionName=greeter.name)["CodeSha256"]
    before = greeter.invoke({"name": "Ann"}).json()["greeting"]
    set_greeting(greeter, "bonjour")
    after = greeter.invoke({"name": "Ann"}).json()["greeting"]

    assert (before, after) == ("hello, Ann", "bonjour, Ann")
    assert greeter.client.get_function_configuration(FunctionName=greeter.name)["CodeSha256"] == code_before


def test_latest_is_mutable(greeter):
    set_greeting(greeter, "hi")

    configuration = greeter.client.get_function_configuration(FunctionName=greeter.name)
    assert configuration["Version"] == "$LATEST"
    assert configuration["Environment"]["Variables"] == {"GREETING": "hi"}


def test_a_published_version_has_its_own_arn_ending_in_its_number(greeter):
    version = greeter.client.publish_version(FunctionName=greeter.name)

    assert version["Version"] == "1"
    assert version["FunctionArn"] == f"{greeter.arn}:1"


def test_a_published_version_keeps_its_configuration_when_latest_changes(greeter):
    greeter.client.publish_version(FunctionName=greeter.name)
    set_greeting(greeter, "hola")

    frozen = greeter.client.get_function_configuration(FunctionName=greeter.name, Qualifier="1")
    assert frozen["Environment"]["Variables"] == {"GREETING": "hello"}
    assert greeter.invoke({}, qualifier="1").json() == {
        "greeting": "hello, world",
        "version": "1",
        "invoked_arn": f"{greeter.arn}:1",
    }
    assert greeter.invoke({}).json()["greeting"] == "hola, world"


def test_an_alias_points_at_a_version_and_has_its_own_arn(greeter):
    greeter.client.publish_version(FunctionName=greeter.name)
    alias = greeter.client.create_alias(FunctionName=greeter.name, Name="prod", FunctionVersion="1")

    assert alias["AliasArn"] == f"{greeter.arn}:prod"
    result = greeter.invoke({}, qualifier="prod").json()
    assert (result["version"], result["invoked_arn"]) == ("1", f"{greeter.arn}:prod")


def publish_two_versions(greeter):
    """Version 1 says hello, version 2 says hey."""
    greeter.client.publish_version(FunctionName=greeter.name)
    set_greeting(greeter, "hey")
    greeter.client.publish_version(FunctionName=greeter.name)


def test_an_alias_routing_config_with_a_weight_for_a_second_version_is_accepted_and_stored(greeter):
    publish_two_versions(greeter)
    greeter.client.create_alias(
        FunctionName=greeter.name,
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )

    alias = greeter.client.get_alias(FunctionName=greeter.name, Name="live")
    assert alias["FunctionVersion"] == "1"
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "always runs the alias's main version (the local environment here, MiniStack itself); AWS sends each "
    "invocation to the second version with its weight's probability",
    evidence=ROUTING,
)
def test_an_alias_with_half_the_weight_on_a_second_version_runs_both_versions(greeter):
    publish_two_versions(greeter)
    greeter.client.create_alias(
        FunctionName=greeter.name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    versions = {greeter.invoke({}, qualifier="canary").json()["version"] for _ in range(20)}

    assert versions == {"1", "2"}  # all 20 on one version has a chance of 2 in a million


def test_add_permission_writes_a_statement_into_the_resource_policy(greeter, aws_account_id):
    bucket_arn = "arn:aws:s3:::labs-uploads"
    greeter.client.add_permission(
        FunctionName=greeter.name,
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=bucket_arn,
        SourceAccount=aws_account_id,
    )

    policy = json.loads(greeter.client.get_policy(FunctionName=greeter.name)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Sid"] == "s3-invoke"
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == greeter.arn
    assert statement["Condition"]["ArnLike"] == {"AWS:SourceArn": bucket_arn}


def test_an_asynchronous_invoke_is_accepted_with_202(greeter, moto_config):
    moto_config({"lambda": {"use_docker": False}})  # moto would otherwise look for Docker to run it
    response = greeter.client.invoke(FunctionName=greeter.name, InvocationType="Event", Payload=b'{"name": "Bo"}')

    assert response["StatusCode"] == 202


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "echoes the event back as the body; AWS returns only a status code",
    evidence="botocore:lambda/2015-03-31#InvocationRequest",
    raises=AssertionError,
)
def test_an_asynchronous_invoke_returns_no_function_result(greeter, moto_config):
    moto_config({"lambda": {"use_docker": False}})
    response = greeter.client.invoke(FunctionName=greeter.name, InvocationType="Event", Payload=b'{"name": "Bo"}')

    assert response["Payload"].read() == b""
