"""An MFA condition in a bucket policy: the global key is aws:MultiFactorAuthPresent. 003's policy (an Allow for
everyone who used MFA) counts as public; the safe form denies requests made without MFA."""

from __future__ import annotations

import json

import pytest

from labkit.data import load_json
from labkit.errors import error_code

NOTES_POLICY = load_json("s3/mfa_only_policy.json")  # 003's policy, key spelled right
MISSPELLED_KEY = "aws:MultiFractorAuthPresent"  # as 003 writes it
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}

KEYS_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
CHECKS_DOC = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
    "#access-analyzer-reference-policy-checks-error-invalid-global-condition-key"
)
PUBLIC_DOC = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
    "#access-control-block-public-access-policy-status"
)
NO_VALIDATE_POLICY = ("moto", "moto-server", "ministack", "localstack")


def for_bucket(document, bucket):
    return json.dumps(document).replace("BUCKET", bucket)


def deny_without_mfa(bucket):
    """The safe form: refuse deletes unless the caller signed in with MFA (IfExists: a request without the key at
    all, such as one signed with long-term access keys, counts as 'no MFA' too)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyDeletesWithoutMFA",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                }
            ],
        }
    )


def validate(aws_client, policy):
    return aws_client("accessanalyzer").validate_policy(
        policyDocument=policy, policyType="RESOURCE_POLICY", validatePolicyResourceType="AWS::S3::Bucket"
    )["findings"]


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "accepts the policy while BlockPublicPolicy is on; AWS counts an Allow for Principal * with only an MFA "
    "condition as public and answers 403 AccessDenied",
    evidence=PUBLIC_DOC,
)
def test_the_notes_allow_for_everyone_with_mfa_is_public_so_block_public_policy_refuses_it(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)

    code = error_code(s3.put_bucket_policy, Bucket=bucket, Policy=for_bucket(NOTES_POLICY, bucket))

    assert code == "AccessDenied"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "does not report this policy as public (moto: IsPublic false, any condition counts as a restriction; MiniStack: "
    "an empty PolicyStatus; LocalStack: GetBucketPolicyStatus is not in its community edition); AWS reports "
    "IsPublic true, as an MFA condition does not narrow who may ask",
    evidence=PUBLIC_DOC,
)
def test_with_block_public_access_off_the_notes_policy_makes_the_bucket_public(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)  # the account's own settings must allow it too

    s3.put_bucket_policy(Bucket=bucket, Policy=for_bucket(NOTES_POLICY, bucket))

    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}


def test_a_deny_without_mfa_policy_is_accepted_while_block_public_access_is_on(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)

    s3.put_bucket_policy(Bucket=bucket, Policy=deny_without_mfa(bucket))  # a Deny grants nothing: not public

    stored = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert stored["Statement"][0]["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}


@pytest.mark.diverges(
    NO_VALIDATE_POLICY,
    "has no IAM Access Analyzer ValidatePolicy (moto: 404 Not yet implemented; MiniStack: 400; LocalStack: "
    "InternalFailure); AWS reports an ERROR finding INVALID_GLOBAL_CONDITION_KEY for the misspelled key",
    evidence=f"{CHECKS_DOC} ; {KEYS_DOC}",
)
def test_access_analyzer_reports_the_notes_misspelled_key_as_an_invalid_global_condition_key(aws_client):
    misspelled = for_bucket(NOTES_POLICY, "my-bucket").replace("aws:MultiFactorAuthPresent", MISSPELLED_KEY)

    findings = validate(aws_client, misspelled)

    assert [(f["findingType"], f["issueCode"]) for f in findings if f["findingType"] == "ERROR"] == [
        ("ERROR", "INVALID_GLOBAL_CONDITION_KEY")
    ]


@pytest.mark.diverges(
    NO_VALIDATE_POLICY,
    "has no IAM Access Analyzer ValidatePolicy; AWS finds no error in the policy with the correct key",
    evidence=f"{CHECKS_DOC} ; {KEYS_DOC}",
)
def test_access_analyzer_finds_no_error_with_the_correct_key(aws_client):
    findings = validate(aws_client, for_bucket(NOTES_POLICY, "my-bucket"))

    assert [f["issueCode"] for f in findings if f["findingType"] == "ERROR"] == []
