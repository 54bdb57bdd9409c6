"""GetSessionToken with an MFA device's serial number and current code returns temporary credentials that
carry ``aws:MultiFactorAuthPresent = true``; a policy can demand it. The user's long-term access key carries
no MFA, so the same user is refused until they sign in with a code.

The last tests are about the SDK, not AWS: botocore decides the endpoint before anything is sent, so a client
created without a region shows what happens in-process, with no network.
"""

from __future__ import annotations

import binascii

import boto3
import pytest
import totp
from botocore.exceptions import NoRegionError

from labkit.errors import error_code
from labkit.iam import create_user_with_key, credentials_of, iam_enforced, policy, require_iam_checks

SEED_DOCS = "https://docs.aws.amazon.com/sdk-for-python/v4/reference/clients/iam/structures/VirtualMFADevice/"
ID_PREFIX_DOCS = "https://docs.aws.amazon.com/en_cn/IAM/latest/UserGuide/reference_identifiers.md"
HEX_SEED = pytest.mark.diverges(
    "ministack",
    "hands out a Base32StringSeed of hex digits ('0', '1', '8', '9' are not Base32), so no authenticator can "
    "compute a code from it; AWS's seed is Base32",
    evidence=SEED_DOCS,
    raises=binascii.Error,
)
MFA_CONDITION_DOCS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"
)
GET_SESSION_TOKEN = policy({"Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"})
LIST_USERS_WITH_MFA = policy(
    {
        "Effect": "Allow",
        "Action": "iam:ListUsers",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
)


@pytest.fixture
def new_mfa_user(aws_client, unique_name):
    """new_mfa_user() -> (user name, long-term credentials, MFA serial number, Base32 seed) of a user whose
    policy demands MFA, with a virtual MFA device enabled (called in the test itself). Afterwards the device
    is deactivated and deleted before the user is: IAM does not delete a user who still has an MFA device."""
    iam = aws_client("iam")
    enabled = []

    def make():
        name = unique_name("mfa-user")
        creds = create_user_with_key(iam, name, {"list-users-with-mfa": LIST_USERS_WITH_MFA, "sts": GET_SESSION_TOKEN})
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique_name("phone"))["VirtualMFADevice"]
        serial, seed = device["SerialNumber"], device["Base32StringSeed"]
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=serial,
            AuthenticationCode1=totp.code(seed, -1),  # two consecutive codes, as an authenticator app shows them
            AuthenticationCode2=totp.code(seed, 0),
        )
        enabled.append((name, serial))
        return name, creds, serial, seed

    yield make
    for name, serial in enabled:
        iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
        iam.delete_virtual_mfa_device(SerialNumber=serial)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "GetSessionToken returns the fixed long-term-style key AKIAIOSFODNN7EXAMPLE; AWS's temporary keys start ASIA",
    evidence=ID_PREFIX_DOCS,
)
@pytest.mark.diverges(
    "localstack", "hands out access keys starting LSIA; AWS's temporary keys start ASIA", evidence=ID_PREFIX_DOCS
)
@HEX_SEED
def test_get_session_token_with_a_code_returns_temporary_credentials(aws_client, new_mfa_user):
    _, creds, serial, seed = new_mfa_user()

    session = aws_client("sts", **creds).get_session_token(SerialNumber=serial, TokenCode=totp.code(seed, 1))

    assert session["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert session["Credentials"]["SessionToken"]


@HEX_SEED
def test_the_mfa_device_is_listed_for_the_user(aws_client, new_mfa_user):
    name, _, serial, _ = new_mfa_user()

    devices = aws_client("iam").list_mfa_devices(UserName=name)["MFADevices"]

    assert [d["SerialNumber"] for d in devices] == [serial]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores the aws:MultiFactorAuthPresent condition; AWS allows the action only in an MFA session",
    evidence=MFA_CONDITION_DOCS,
)
@HEX_SEED
def test_a_policy_that_demands_mfa_refuses_the_long_term_key_and_allows_the_mfa_session(
    aws_client, backend, new_mfa_user
):
    require_iam_checks(backend)
    _, creds, serial, seed = new_mfa_user()
    session = aws_client("sts", **creds).get_session_token(SerialNumber=serial, TokenCode=totp.code(seed, 1))

    with iam_enforced(backend):
        seen = {
            "long-term key": error_code(aws_client("iam", **creds).list_users),
            "MFA session": error_code(aws_client("iam", **credentials_of(session["Credentials"])).list_users),
        }

    assert seen == {"long-term key": "AccessDenied", "MFA session": "allowed"}


@pytest.fixture
def no_region(monkeypatch, tmp_path):
    """A boto3 session that finds no region anywhere: no environment variable, no config file."""
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")  # an emulator's endpoint, if one is set
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    return boto3.session.Session(aws_access_key_id="unused", aws_secret_access_key="unused")


@pytest.mark.parametrize("service", ["sqs", "dynamodb", "kms"])
def test_a_regional_client_without_a_region_is_refused_before_any_request(no_region, service):
    assert no_region.region_name is None
    with pytest.raises(NoRegionError):
        no_region.client(service)  # raised while building the client: nothing was sent


def test_s3_without_a_region_uses_us_east_1(no_region):
    assert no_region.client("s3").meta.region_name == "us-east-1"


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_iam_and_sts_without_a_region_use_their_global_endpoint(no_region, service):
    client = no_region.client(service)

    assert (client.meta.region_name, client.meta.endpoint_url) == ("aws-global", f"https://{service}.amazonaws.com")
