"""SAM is a CloudFormation transform: ``Transform: AWS::Serverless-2016-10-31`` makes CloudFormation expand each
``AWS::Serverless::*`` resource into plain CloudFormation resources before anything is created.

The expansion is read from a change set (``DescribeChangeSet`` with ``IncludePropertyValues``): it lists every
resource the expanded template would create, with its properties, and creates nothing (no Lambda function has to
run anywhere). The template is ``hello_sam.yaml`` beside this file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labkit.errors import error_code
from labkit.eventually import waiter_config
from labkit.report import show_table

TEMPLATE = (Path(__file__).parent / "hello_sam.yaml").read_text(encoding="utf-8")
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]

RECORDED = (
    "localstack/localstack:tests/aws/services/cloudformation/test_change_set_fn_transform.snapshot.json"
    "#test_serverless_fn_transform"
)
FUNCTION_DOCS = (
    "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
    "sam-specification-generated-resources-function.html"
)
API_DOCS = (
    "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
    "sam-specification-generated-resources-api.html"
)
POLICY_TEMPLATES = (
    "https://github.com/awsdocs/aws-sam-developer-guide/blob/834db2c38a932eaea1f7c6db32064458af44ba29/"
    "doc_source/serverless-policy-template-list.md"
)
SIMPLE_TABLE_DOCS = (
    "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-simpletable.html"
)
NO_TRANSFORM = {
    ("moto", "moto-server"): "keeps AWS::Serverless::* resources as they are (moto has no SAM transform)",
    "ministack": (
        "refuses the template: its SAM transform needs the optional aws-sam-translator package, absent from the "
        "MiniStack the harness installs"
    ),
}


def not_expanded(evidence):
    """The marks of a test that needs the transform expanded: moto and MiniStack fall short."""

    def mark(test):
        for backends, reason in NO_TRANSFORM.items():
            test = pytest.mark.diverges(backends, f"{reason}; AWS expands it", evidence=evidence)(test)
        return test

    return mark


@pytest.fixture
def expanded(aws_client, unique_name, backend):
    """{logical id: (resource type, properties)} of the resources the expanded template would create."""
    cloudformation = aws_client("cloudformation")
    stack = unique_name("sam")
    cloudformation.create_change_set(
        StackName=stack,
        ChangeSetName="expand",
        ChangeSetType="CREATE",
        TemplateBody=TEMPLATE,
        Capabilities=CAPABILITIES,
    )
    cloudformation.get_waiter("change_set_create_complete").wait(
        StackName=stack,
        ChangeSetName="expand",
        WaiterConfig=waiter_config(backend, aws_seconds=5 * 60, emulator_seconds=30, interval=5),
    )
    changes = cloudformation.describe_change_set(StackName=stack, ChangeSetName="expand", IncludePropertyValues=True)
    resources = {}
    for change in changes["Changes"]:
        resource = change["ResourceChange"]
        after = json.loads(resource.get("AfterContext") or "{}")
        resources[resource["LogicalResourceId"]] = (resource["ResourceType"], after.get("Properties", {}))
    show_table("what the transform made", ["logical id", "type"], [[k, v[0]] for k, v in sorted(resources.items())])
    return resources


def types_of(resources):
    return {logical_id: kind for logical_id, (kind, _) in resources.items()}


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ValidateTemplate answers DeclaredTransforms []; AWS lists the transforms a template declares",
    evidence="botocore:cloudformation/2010-05-15#ValidateTemplateOutput",
)
@pytest.mark.diverges(
    "localstack",
    "ValidateTemplate leaves DeclaredTransforms out; AWS lists the transforms a template declares",
    evidence="botocore:cloudformation/2010-05-15#ValidateTemplateOutput",
)
def test_validate_template_lists_the_sam_transform(aws_client):
    validated = aws_client("cloudformation").validate_template(TemplateBody=TEMPLATE)

    assert validated.get("DeclaredTransforms") == [SAM_TRANSFORM]


CREATE_STACK_DOCS = "https://docs.aws.amazon.com/it_it/AWSCloudFormation/latest/APIReference/API_CreateStack.html"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates the stack without CAPABILITY_AUTO_EXPAND; AWS refuses: a template with a transform must be "
    "acknowledged (or go through a change set)",
    evidence=f"{CREATE_STACK_DOCS} ; botocore:cloudformation/2010-05-15#InsufficientCapabilitiesException",
)
@pytest.mark.diverges(
    "ministack",
    "answers ValidationError (its SAM transform is not installed) instead of asking for the capability",
    evidence=f"{CREATE_STACK_DOCS} ; botocore:cloudformation/2010-05-15#InsufficientCapabilitiesException",
)
def test_creating_a_sam_stack_without_capability_auto_expand_is_refused(aws_client, unique_name):
    code = error_code(
        aws_client("cloudformation").create_stack,
        StackName=unique_name("sam-direct"),
        TemplateBody=TEMPLATE,
        Capabilities=["CAPABILITY_IAM"],
    )

    assert code == "InsufficientCapabilitiesException"


@not_expanded(f"{FUNCTION_DOCS} ; {RECORDED}")
def test_a_serverless_function_becomes_a_lambda_function_and_a_role(expanded):
    kinds = types_of(expanded)

    assert kinds["HelloFunction"] == "AWS::Lambda::Function"
    assert kinds["HelloFunctionRole"] == "AWS::IAM::Role"  # no Role property given: SAM makes one
    assert "AWS::Serverless::Function" not in kinds.values()


@not_expanded(f"{API_DOCS} ; {FUNCTION_DOCS} ; {RECORDED}")
def test_an_api_event_adds_an_implicit_rest_api_with_a_prod_stage_and_an_invoke_permission(expanded):
    kinds = types_of(expanded)
    deployments = [logical_id for logical_id in kinds if logical_id.startswith("ServerlessRestApiDeployment")]

    assert kinds["ServerlessRestApi"] == "AWS::ApiGateway::RestApi"
    assert kinds["ServerlessRestApiProdStage"] == "AWS::ApiGateway::Stage"
    assert [kinds[d] for d in deployments] == ["AWS::ApiGateway::Deployment"]  # named with a hash of the API
    assert kinds["HelloFunctionHelloPermissionProd"] == "AWS::Lambda::Permission"
    assert expanded["ServerlessRestApiProdStage"][1]["StageName"] == "Prod"


@not_expanded(f"{FUNCTION_DOCS} ; {RECORDED}")
def test_the_implicit_role_trusts_lambda_and_may_write_logs(expanded):
    role = expanded["HelloFunctionRole"][1]
    trusted = [s["Principal"]["Service"] for s in role["AssumeRolePolicyDocument"]["Statement"]]

    assert trusted == [["lambda.amazonaws.com"]]
    assert [arn.split(":policy/")[1] for arn in role["ManagedPolicyArns"]] == [
        "service-role/AWSLambdaBasicExecutionRole"
    ]


@not_expanded(f"{FUNCTION_DOCS} ; {POLICY_TEMPLATES}")
def test_the_s3_read_policy_template_grants_read_actions_on_one_bucket_only(expanded):
    policies = expanded["HelloFunctionRole"][1]["Policies"]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    actions = sorted(a for s in statements for a in s["Action"])
    resources = sorted(r for s in statements for r in s["Resource"])

    assert actions == sorted(
        ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"]
    )
    assert [r.split(":::")[1] for r in resources] == ["labs-sam-reports", "labs-sam-reports/*"]


@not_expanded(SIMPLE_TABLE_DOCS)
def test_a_simple_table_becomes_an_on_demand_dynamodb_table_keyed_on_id(expanded):
    kind, table = expanded["Notes"]

    assert kind == "AWS::DynamoDB::Table"
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
