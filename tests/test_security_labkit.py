"""labkit.iam: the policy builders produce what IAM parses, and a backend that checks no IAM is recognised
before a lab claims a policy decision on it."""

from __future__ import annotations

import json

import pytest

from labkit import iam
from labkit.backends import LocalStackBackend, MotoBackend


def test_policy_builds_a_2012_10_17_document_with_the_given_statements():
    document = json.loads(iam.policy(iam.allow("s3:GetObject", "arn:aws:s3:::b/*"), iam.deny("s3:*")))

    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        ],
    }


def test_trust_names_the_principal_the_action_and_any_condition():
    statement = json.loads(
        iam.trust(
            {"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity", StringEquals={"k": "v"}
        )
    )["Statement"][0]

    assert statement == {
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"k": "v"}},
    }


def test_credentials_of_a_long_term_key_send_no_session_token():
    creds = iam.credentials_of({"AccessKeyId": "AKIA1", "SecretAccessKey": "s"})

    assert creds == {"aws_access_key_id": "AKIA1", "aws_secret_access_key": "s", "aws_session_token": None}


def test_localstack_is_known_to_check_no_iam():
    assert iam.iam_check_missing(LocalStackBackend()) == iam.LOCALSTACK_CHECKS_NO_IAM


def test_moto_checks_iam_when_asked():
    assert iam.iam_check_missing(MotoBackend()) is None


def test_require_iam_checks_skips_on_a_backend_that_checks_none():
    with pytest.raises(pytest.skip.Exception, match="checks no IAM policy"):
        iam.require_iam_checks(LocalStackBackend())
