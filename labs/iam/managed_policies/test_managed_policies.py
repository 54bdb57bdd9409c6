"""A customer managed policy keeps up to five versions; exactly one, the default, is in force. Rolling back
is choosing another default. An inline policy belongs to one principal and has no versions: putting it again
replaces it.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.iam import allow, create_user_with_key, iam_enforced, policy, require_iam_checks

VERSIONS_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/policies-managed-versions.html"
LIST_USERS, LIST_ROLES = policy(allow("iam:ListUsers")), policy(allow("iam:ListRoles"))


@pytest.fixture
def policy_arn(aws_client, unique_name):
    """A managed policy whose version v1 allows iam:ListUsers."""
    return aws_client("iam").create_policy(PolicyName=unique_name("lister"), PolicyDocument=LIST_USERS)["Policy"]["Arn"]


def versions(iam, arn):
    """{version id: is default}, oldest first."""
    found = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    return {v["VersionId"]: v["IsDefaultVersion"] for v in sorted(found, key=lambda v: int(v["VersionId"][1:]))}


def test_a_new_version_becomes_default_only_when_asked(aws_client, policy_arn):
    iam = aws_client("iam")

    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=LIST_ROLES)
    kept = versions(iam, policy_arn)
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=LIST_ROLES, SetAsDefault=True)

    assert kept == {"v1": True, "v2": False}
    assert versions(iam, policy_arn) == {"v1": False, "v2": False, "v3": True}


def test_a_policy_keeps_at_most_five_versions(aws_client, policy_arn):
    iam = aws_client("iam")
    for _ in range(4):
        iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=LIST_ROLES)

    sixth = error_code(iam.create_policy_version, PolicyArn=policy_arn, PolicyDocument=LIST_ROLES)

    assert len(versions(iam, policy_arn)) == 5
    assert sixth == "LimitExceeded"  # delete a non-default version first


def test_the_default_version_cannot_be_deleted(aws_client, policy_arn):
    iam = aws_client("iam")
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=LIST_ROLES)

    code = error_code(iam.delete_policy_version, PolicyArn=policy_arn, VersionId="v1")
    iam.delete_policy_version(PolicyArn=policy_arn, VersionId="v2")  # a non-default one may go

    assert code == "DeleteConflict"
    assert versions(iam, policy_arn) == {"v1": True}


@pytest.mark.diverges(
    "ministack",
    "answers InvalidAction for SetDefaultPolicyVersion; AWS makes that version the one in force",
    evidence=VERSIONS_DOCS,
    raises=ClientError,
)
def test_set_default_policy_version_changes_what_the_attached_user_may_do(aws_client, backend, unique_name, policy_arn):
    require_iam_checks(backend)
    iam = aws_client("iam")
    user = unique_name("dev")
    creds = create_user_with_key(iam, user)
    iam.attach_user_policy(UserName=user, PolicyArn=policy_arn)
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=LIST_ROLES)  # v2, not default

    with iam_enforced(backend):
        before = (error_code(aws_client("iam", **creds).list_users), error_code(aws_client("iam", **creds).list_roles))
    iam.set_default_policy_version(PolicyArn=policy_arn, VersionId="v2")
    with iam_enforced(backend):
        after = (error_code(aws_client("iam", **creds).list_users), error_code(aws_client("iam", **creds).list_roles))
    iam.detach_user_policy(UserName=user, PolicyArn=policy_arn)

    assert before == ("allowed", "AccessDenied")  # v1 in force
    assert after == ("AccessDenied", "allowed")  # v2 in force: a rollback is the same call with v1


def test_an_inline_policy_has_no_versions_putting_it_again_replaces_it(aws_client, unique_name):
    iam = aws_client("iam")
    user = unique_name("inline")
    iam.create_user(UserName=user)

    iam.put_user_policy(UserName=user, PolicyName="own", PolicyDocument=LIST_USERS)
    iam.put_user_policy(UserName=user, PolicyName="own", PolicyDocument=LIST_ROLES)

    stored = iam.get_user_policy(UserName=user, PolicyName="own")["PolicyDocument"]
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["own"]
    assert "iam:ListRoles" in str(stored) and "iam:ListUsers" not in str(stored)  # the first is gone
    iam.delete_user_policy(UserName=user, PolicyName="own")
