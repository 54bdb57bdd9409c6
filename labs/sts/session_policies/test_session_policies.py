"""A session policy passed to AssumeRole caps the session: it may do only what the role's policies *and*
the session policy allow. It grants nothing the role lacks.

The role allows iam:ListUsers and iam:ListRoles; the session policy allows iam:ListUsers and iam:ListGroups.
Policy decisions are shown only where the backend checks IAM (``labkit.iam.iam_enforced``).
"""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.iam import (
    allow,
    create_role,
    create_user_with_key,
    credentials_of,
    iam_enforced,
    policy,
    require_iam_checks,
    trust,
)
from labkit.report import show_table

ROLE_POLICY = policy(allow(["iam:ListUsers", "iam:ListRoles"]))
SESSION_POLICY = policy(allow(["iam:ListUsers", "iam:ListGroups"]))
SESSION_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html"


@pytest.fixture
def caller_and_role(aws_client, unique_name, aws_account_id, backend):
    """(credentials of a user allowed to call sts:AssumeRole, ARN of a role that trusts that user)."""
    require_iam_checks(backend)
    iam = aws_client("iam")
    user = unique_name("caller")
    creds = create_user_with_key(iam, user, {"may-assume": policy(allow("sts:AssumeRole"))})
    role = create_role(
        iam,
        unique_name("lister"),
        trust({"AWS": f"arn:aws:iam::{aws_account_id}:user/{user}"}),
        {"list": ROLE_POLICY},
    )
    return creds, role


def session(aws_client, caller_and_role, **options):
    """An IAM client acting as a fresh session of the role (with a session policy when given)."""
    creds, role = caller_and_role
    response = aws_client("sts", **creds).assume_role(RoleArn=role, RoleSessionName="lab", **options)
    return aws_client("iam", **credentials_of(response["Credentials"]))


def outcomes(iam):
    return {
        "ListUsers": error_code(iam.list_users),
        "ListRoles": error_code(iam.list_roles),
        "ListGroups": error_code(iam.list_groups),
    }


def test_without_a_session_policy_the_session_has_the_roles_permissions(aws_client, backend, caller_and_role):
    with iam_enforced(backend):
        seen = outcomes(session(aws_client, caller_and_role))

    assert seen == {"ListUsers": "allowed", "ListRoles": "allowed", "ListGroups": "AccessDenied"}


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores the session policy (ListRoles stays allowed); AWS allows only what role and session policy both allow",
    evidence=SESSION_DOCS,
)
def test_a_session_policy_leaves_only_the_intersection(aws_client, backend, caller_and_role):
    with iam_enforced(backend):
        seen = outcomes(session(aws_client, caller_and_role, Policy=SESSION_POLICY))
    show_table(
        "role policy ∩ session policy",
        ["action", "role", "session policy", "outcome"],
        [
            ["iam:ListUsers", "Allow", "Allow", seen["ListUsers"]],
            ["iam:ListRoles", "Allow", "-", seen["ListRoles"]],
            ["iam:ListGroups", "-", "Allow", seen["ListGroups"]],
        ],
    )

    assert seen == {"ListUsers": "allowed", "ListRoles": "AccessDenied", "ListGroups": "AccessDenied"}


def test_a_session_policy_grants_nothing_the_role_lacks(aws_client, backend, caller_and_role):
    with iam_enforced(backend):
        code = error_code(session(aws_client, caller_and_role, Policy=SESSION_POLICY).list_groups)

    assert code == "AccessDenied"  # the session policy allows ListGroups, the role does not
