"""Every KMS key has exactly one key policy, and nothing reaches the key unless that policy lets it.

A key created without a policy gets the default one: a single statement giving the account (its root
principal) ``kms:*``, which is what lets IAM policies in the account grant use of the key. A Deny in the key
policy beats an Allow in an IAM policy. PutKeyPolicy refuses a policy that would stop the caller from ever
changing the policy again (the lockout safety check) unless told to bypass it.
"""

from __future__ import annotations

import json

import pytest

from labkit.errors import error_code
from labkit.iam import allow, create_role, create_user_with_key, iam_enforced, policy, require_iam_checks, trust

DEFAULT_POLICY_DOCS = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
LOCKOUT_DOCS = (
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/kms/aws.sdk.kotlin.services.kms.model/"
    "-create-key-request/bypass-policy-lockout-safety-check.html"
)


def default_statement(account_id):
    return {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


@pytest.fixture
def key_id(aws_client):
    return aws_client("kms").create_key(Description="labs key policy")["KeyMetadata"]["KeyId"]


def test_a_new_key_gets_the_default_policy_that_trusts_the_account(aws_client, aws_account_id, key_id):
    kms = aws_client("kms")

    names = kms.list_key_policies(KeyId=key_id)["PolicyNames"]
    document = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])

    assert names == ["default"]  # one key policy per key, always named "default"
    assert document["Statement"] == [default_statement(aws_account_id)]


def test_with_the_default_policy_an_iam_policy_grants_use_of_the_key(aws_client, backend, unique_name, key_id):
    require_iam_checks(backend)
    creds = create_user_with_key(aws_client("iam"), unique_name("app"), {"encrypt": policy(allow("kms:Encrypt"))})

    with iam_enforced(backend):
        code = error_code(aws_client("kms", **creds).encrypt, KeyId=key_id, Plaintext=b"x")

    assert code == "allowed"  # the key policy delegates to IAM: the user's IAM policy is enough


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "does not evaluate key policies when checking a request; AWS applies the key policy's Deny",
    evidence=DEFAULT_POLICY_DOCS,
)
def test_a_deny_in_the_key_policy_beats_the_users_iam_allow(aws_client, backend, unique_name, aws_account_id, key_id):
    require_iam_checks(backend)
    user = unique_name("app")
    creds = create_user_with_key(aws_client("iam"), user, {"encrypt": policy(allow("kms:Encrypt"))})
    aws_client("kms").put_key_policy(
        KeyId=key_id,
        PolicyName="default",
        Policy=policy(
            default_statement(aws_account_id),
            {
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{aws_account_id}:user/{user}"},
                "Action": "kms:Encrypt",
                "Resource": "*",
            },
        ),
    )

    with iam_enforced(backend):
        code = error_code(aws_client("kms", **creds).encrypt, KeyId=key_id, Plaintext=b"x")

    assert code == "AccessDeniedException"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "stores a key policy that leaves the caller unable to change it; AWS refuses it unless "
    "BypassPolicyLockoutSafetyCheck is set",
    evidence=LOCKOUT_DOCS
    + " ; unverified: the exact error code of the refusal (MalformedPolicyDocumentException expected); a "
    "PutKeyPolicy call on AWS settles it",
)
def test_put_key_policy_refuses_a_policy_that_would_lock_the_caller_out(
    aws_client, unique_name, aws_account_id, key_id
):
    iam = aws_client("iam")
    auditor = create_role(iam, unique_name("auditor"), trust({"AWS": f"arn:aws:iam::{aws_account_id}:root"}))
    only_the_auditor = policy(
        {"Effect": "Allow", "Principal": {"AWS": auditor}, "Action": "kms:DescribeKey", "Resource": "*"}
    )

    code = error_code(aws_client("kms").put_key_policy, KeyId=key_id, PolicyName="default", Policy=only_the_auditor)

    assert code == "MalformedPolicyDocumentException"  # nobody could change the policy again
