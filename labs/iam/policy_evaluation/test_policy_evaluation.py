"""IAM policy evaluation: nothing is allowed unless a policy allows it, and an explicit Deny beats any Allow.

Each test creates a user (and its access key) with the harness's credentials, then switches moto's IAM
enforcement on (``labkit.iam.iam_enforced``) and acts as that user through ``aws_client(..., **creds)``.
"""

from __future__ import annotations

import json

import pytest

from labkit.data import fixture_path
from labkit.errors import error_code
from labkit.iam import allow, create_user_with_key, deny, iam_enforced, policy, require_iam_checks
from labkit.report import show_table

SAME_ACCOUNT_DOCS = (
    "https://docs.aws.amazon.com/en_us/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html"
)
MALFORMED_POLICY = "localstack/localstack:tests/aws/services/s3/test_s3_api.snapshot.json#test_bucket_policy_exc"

NOTE_POLICY = fixture_path("iam/003_org_only_bucket_policy.txt").read_text(encoding="utf-8")


@pytest.fixture
def bucket(aws_client, unique_name):
    """A bucket with one public and one secret object."""
    name = unique_name("evaluation")
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=name)
    for key in ("public/report.txt", "secret/salaries.txt"):
        s3.put_object(Bucket=name, Key=key, Body=b"data")
    return name


def test_a_user_with_no_policy_is_denied_everything(aws_client, unique_name, backend):
    creds = create_user_with_key(aws_client("iam"), unique_name("nobody"))

    with iam_enforced(backend):
        code = error_code(aws_client("iam", **creds).list_users)

    assert code == "AccessDenied"  # default deny: no statement allows iam:ListUsers


def test_an_identity_policy_allows_its_actions_and_nothing_else(aws_client, unique_name, backend, bucket):
    read_only = policy(allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    creds = create_user_with_key(aws_client("iam"), unique_name("reader"), {"read": read_only})

    with iam_enforced(backend):
        s3 = aws_client("s3", **creds)
        read = s3.get_object(Bucket=bucket, Key="public/report.txt")["Body"].read()
        write = error_code(s3.put_object, Bucket=bucket, Key="public/new.txt", Body=b"x")

    assert read == b"data"
    assert write == "AccessDenied"  # s3:PutObject is not in the policy


def test_an_explicit_deny_beats_an_allow(aws_client, unique_name, backend, bucket):
    document = policy(
        allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
        deny("s3:GetObject", f"arn:aws:s3:::{bucket}/secret/*"),
    )
    creds = create_user_with_key(aws_client("iam"), unique_name("analyst"), {"read-but-not-secrets": document})

    with iam_enforced(backend):
        s3 = aws_client("s3", **creds)
        outcomes = {
            key: error_code(s3.get_object, Bucket=bucket, Key=key)
            for key in ("public/report.txt", "secret/salaries.txt")
        }
    show_table("Allow s3:GetObject on *, Deny on secret/*", ["key", "outcome"], outcomes.items())

    assert outcomes == {"public/report.txt": "allowed", "secret/salaries.txt": "AccessDenied"}


def test_a_group_policy_applies_to_its_members_only(aws_client, unique_name, backend):
    require_iam_checks(backend)  # before the group exists: nothing to clean up where nothing can be shown
    iam = aws_client("iam")
    group = unique_name("auditors")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="list-users", PolicyDocument=policy(allow("iam:ListUsers")))
    member, outsider = unique_name("member"), unique_name("outsider")
    member_creds = create_user_with_key(iam, member)
    outsider_creds = create_user_with_key(iam, outsider)
    iam.add_user_to_group(GroupName=group, UserName=member)

    with iam_enforced(backend):
        outcomes = {
            "member": error_code(aws_client("iam", **member_creds).list_users),
            "outsider": error_code(aws_client("iam", **outsider_creds).list_users),
        }

    assert outcomes == {"member": "allowed", "outsider": "AccessDenied"}


def test_a_deny_in_a_group_policy_overrides_the_users_own_allow(aws_client, unique_name, backend):
    require_iam_checks(backend)
    iam = aws_client("iam")
    group = unique_name("restricted")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="no-listing", PolicyDocument=policy(deny("iam:ListUsers")))
    user = unique_name("admin")
    creds = create_user_with_key(iam, user, {"admin": policy(allow("iam:*"))})
    iam.add_user_to_group(GroupName=group, UserName=user)

    with iam_enforced(backend):
        iam_as_user = aws_client("iam", **creds)
        outcomes = {
            "iam:ListUsers": error_code(iam_as_user.list_users),
            "iam:ListRoles": error_code(iam_as_user.list_roles),
        }

    assert outcomes == {"iam:ListUsers": "AccessDenied", "iam:ListRoles": "allowed"}


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores bucket policies when checking a request; AWS grants it",
    evidence=SAME_ACCOUNT_DOCS,
)
def test_a_bucket_policy_alone_grants_access_within_the_account(
    aws_client, unique_name, backend, aws_account_id, bucket
):
    user = unique_name("guest")
    creds = create_user_with_key(aws_client("iam"), user)  # no identity policy at all
    aws_client("s3").put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{aws_account_id}:user/{user}"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/public/*",
            }
        ),
    )

    with iam_enforced(backend):
        code = error_code(aws_client("s3", **creds).get_object, Bucket=bucket, Key="public/report.txt")

    assert code == "allowed"  # same account: an Allow in the resource policy is enough


def test_the_notes_003_bucket_policy_is_not_valid_json():
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(NOTE_POLICY)

    assert NOTE_POLICY[raised.value.pos - 1 : raised.value.pos + 1] == "::"  # "Action":: [


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "stores a bucket policy that is not JSON; AWS answers MalformedPolicy",
    evidence=MALFORMED_POLICY,
)
def test_s3_refuses_the_notes_bucket_policy_as_printed(aws_client, bucket):
    as_printed = NOTE_POLICY.replace("mybucket", bucket)

    code = error_code(aws_client("s3").put_bucket_policy, Bucket=bucket, Policy=as_printed)

    assert code == "MalformedPolicy"


def test_s3_accepts_the_notes_bucket_policy_once_the_typo_is_fixed(aws_client, bucket):
    fixed = NOTE_POLICY.replace('"Action"::', '"Action":').replace("mybucket", bucket)
    s3 = aws_client("s3")

    s3.put_bucket_policy(Bucket=bucket, Policy=fixed)

    stored = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert stored["Statement"][0]["Action"] == ["s3:GetObject"]
    assert stored["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalOrgId": ["o-exampleorgid"]}}
