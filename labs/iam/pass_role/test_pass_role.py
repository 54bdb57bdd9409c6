"""To create a Lambda function (or launch an instance with a profile, or a stack with a role) a user hands a
role to the service, which assumes it later. Handing it over is ``iam:PassRole`` on that role: without it the
create call is refused, so nobody gives a service more power than they were trusted with. And a role can be
passed only to a service its trust policy names.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.iam import allow, create_role, create_user_with_key, iam_enforced, policy, require_iam_checks, trust

PASS_ROLE_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
DENIED_CODE = (
    "unverified: the error code Lambda gives a caller without iam:PassRole (AccessDeniedException expected, "
    "'not authorized to perform: iam:PassRole'); a CreateFunction call on AWS settles it"
)
UNTRUSTED_CODE = (
    "unverified: no AWS page found states it; users report CreateFunction answering "
    "InvalidParameterValueException 'The role defined for the function cannot be assumed by Lambda' "
    "(github.com/alexcasalboni/aws-lambda-power-tuning/issues/69); a CreateFunction call on AWS settles it"
)


def function_zip():
    """A deployment package with one handler (it is never invoked here)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 'ok'\n")
    return buffer.getvalue()


def create_function(lambda_client, name, role):
    return lambda_client.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": function_zip()}
    )


@pytest.fixture
def execution_role(aws_client, unique_name):
    return create_role(aws_client("iam"), unique_name("fn-exec"), trust({"Service": "lambda.amazonaws.com"}))


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "does not check iam:PassRole when a function is created; AWS refuses the caller without it",
    evidence=f"{PASS_ROLE_DOCS} ; {DENIED_CODE}",
)
def test_without_pass_role_a_user_cannot_hand_a_role_to_lambda(aws_client, backend, unique_name, execution_role):
    require_iam_checks(backend)
    creds = create_user_with_key(
        aws_client("iam"), unique_name("dev"), {"lambda": policy(allow("lambda:CreateFunction"))}
    )

    with iam_enforced(backend):
        code = error_code(create_function, aws_client("lambda", **creds), unique_name("fn"), execution_role)

    assert code == "AccessDeniedException"  # not authorized to perform iam:PassRole on the role


def test_with_pass_role_on_that_role_the_function_is_created(aws_client, backend, unique_name, execution_role):
    require_iam_checks(backend)
    creds = create_user_with_key(
        aws_client("iam"),
        unique_name("dev"),
        {"lambda": policy(allow("lambda:CreateFunction"), allow("iam:PassRole", execution_role))},
    )

    name = unique_name("fn")

    def create():  # a role just created can take seconds before Lambda may assume it (IAM is eventually consistent)
        try:
            return create_function(aws_client("lambda", **creds), name, execution_role)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "InvalidParameterValueException":
                raise
            return None

    with iam_enforced(backend):
        created = eventually(create, backend)

    assert created["Role"] == execution_role


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "creates the function with a role whose trust policy does not name Lambda; AWS refuses it",
    evidence=f"{PASS_ROLE_DOCS} ; {UNTRUSTED_CODE}",
)
def test_a_role_that_does_not_trust_lambda_cannot_be_passed_to_it(aws_client, unique_name):
    ec2_only = create_role(aws_client("iam"), unique_name("ec2-role"), trust({"Service": "ec2.amazonaws.com"}))

    code = error_code(create_function, aws_client("lambda"), unique_name("fn"), ec2_only)

    assert code == "InvalidParameterValueException"  # the role cannot be assumed by Lambda
