"""A permissions boundary caps what identity policies can grant: a user may do only what both allow.

The identity policy allows ListUsers and ListRoles; the boundary allows ListUsers and ListGroups. The
intersection is ListUsers alone. moto stores boundaries but does not evaluate them (marked below).
"""

from __future__ import annotations

import pytest

from labkit.errors import error_code as outcome
from labkit.iam import allow, create_user_with_key, iam_enforced, policy
from labkit.report import show_table

BOUNDARY_DOCS = "https://docs.aws.amazon.com/us_en/IAM/latest/UserGuide/access_policies_boundaries.html"
BOUNDARY_SHAPE_DOCS = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachedPermissionsBoundary.html"

IDENTITY = policy(allow(["iam:ListUsers", "iam:ListRoles"]))
BOUNDARY = policy(allow(["iam:ListUsers", "iam:ListGroups"]))
MOTO_IGNORES_BOUNDARIES = "ignores permissions boundaries when checking a request; AWS denies what the boundary omits"


@pytest.fixture
def bounded_user(aws_client, unique_name):
    """(name, credentials, boundary ARN) of a user with the identity policy and the boundary above."""
    iam = aws_client("iam")
    boundary_arn = iam.create_policy(PolicyName=unique_name("boundary"), PolicyDocument=BOUNDARY)["Policy"]["Arn"]
    name = unique_name("developer")
    creds = create_user_with_key(iam, name, {"identity": IDENTITY}, permissions_boundary=boundary_arn)
    return name, creds, boundary_arn


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "GetUser leaves PermissionsBoundary out; AWS returns it",
    evidence=BOUNDARY_SHAPE_DOCS,
    raises=KeyError,
)
@pytest.mark.diverges(
    "localstack",
    "GetUser reports PermissionsBoundaryType 'Policy'; AWS's only value is 'PermissionsBoundaryPolicy'",
    evidence=BOUNDARY_SHAPE_DOCS,
)
def test_the_boundary_is_recorded_on_the_user(aws_client, bounded_user):
    name, _, boundary_arn = bounded_user

    user = aws_client("iam").get_user(UserName=name)["User"]

    assert user["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",  # the enum's one value (not "Policy")
        "PermissionsBoundaryArn": boundary_arn,
    }


def test_an_action_both_allow_is_allowed(aws_client, backend, bounded_user):
    _, creds, _ = bounded_user

    with iam_enforced(backend):
        result = outcome(aws_client("iam", **creds).list_users)

    assert result == "allowed"


@pytest.mark.diverges(("moto", "moto-server"), MOTO_IGNORES_BOUNDARIES, evidence=BOUNDARY_DOCS)
def test_an_action_only_the_identity_policy_allows_is_denied(aws_client, backend, bounded_user):
    _, creds, _ = bounded_user

    with iam_enforced(backend):
        result = outcome(aws_client("iam", **creds).list_roles)

    assert result == "AccessDenied"


def test_an_action_only_the_boundary_allows_is_denied(aws_client, backend, bounded_user):
    _, creds, _ = bounded_user

    with iam_enforced(backend):
        result = outcome(aws_client("iam", **creds).list_groups)

    assert result == "AccessDenied"  # a boundary grants nothing by itself


@pytest.mark.diverges(("moto", "moto-server"), MOTO_IGNORES_BOUNDARIES, evidence=BOUNDARY_DOCS)
def test_effective_permissions_are_the_intersection(aws_client, backend, bounded_user):
    _, creds, _ = bounded_user

    with iam_enforced(backend):
        iam = aws_client("iam", **creds)
        outcomes = {
            "ListUsers": outcome(iam.list_users),
            "ListRoles": outcome(iam.list_roles),
            "ListGroups": outcome(iam.list_groups),
        }
    show_table(
        "identity policy ∩ permissions boundary",
        ["action", "identity policy", "boundary", "outcome"],
        [
            ["iam:ListUsers", "Allow", "Allow", outcomes["ListUsers"]],
            ["iam:ListRoles", "Allow", "-", outcomes["ListRoles"]],
            ["iam:ListGroups", "-", "Allow", outcomes["ListGroups"]],
        ],
    )

    assert [action for action, result in outcomes.items() if result == "allowed"] == ["ListUsers"]


def test_the_same_identity_policy_without_a_boundary_allows_more(aws_client, backend, unique_name):
    creds = create_user_with_key(aws_client("iam"), unique_name("unbounded"), {"identity": IDENTITY})

    with iam_enforced(backend):
        result = outcome(aws_client("iam", **creds).list_roles)

    assert result == "allowed"  # the control: ListRoles is denied above only because of the boundary
