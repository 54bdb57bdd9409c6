"""STS AssumeRole: who may assume a role, what the temporary credentials look like, what they may do, and
for how long.

alice is named in the role's trust policy, bob is not; both have an identity policy allowing sts:AssumeRole.
The role itself may only call iam:ListUsers. Who-may-do-what tests run where the backend checks IAM
(``labkit.iam.iam_enforced``: moto switched on per test, MiniStack with AUTH=true) and are skipped elsewhere;
the shape of the credentials is shown on every backend.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from labkit.errors import error_code
from labkit.iam import allow, create_user_with_key, credentials_of, iam_enforced, policy
from labkit.report import show_table

TWELVE_HOURS = 43200
DURATION_DOCS = (
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sts/aws.sdk.kotlin.services.sts.model/"
    "-assume-role-request/duration-seconds.html"
)
MAX_SESSION_DOCS = (
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/iam/aws.sdk.kotlin.services.iam.model/"
    "-create-role-request/max-session-duration.html"
)
PRINCIPAL_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
ID_PREFIX_DOCS = "https://docs.aws.amazon.com/en_cn/IAM/latest/UserGuide/reference_identifiers.md"  # unique ID prefixes


def trust(*principals):
    return policy({"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"})


@pytest.fixture
def people(aws_client, unique_name, aws_account_id):
    """{"alice": (arn, creds), "bob": (arn, creds)}: two users allowed to call sts:AssumeRole."""
    iam = aws_client("iam")
    found = {}
    for who in ("alice", "bob"):
        name = unique_name(who)
        creds = create_user_with_key(iam, name, {"may-assume": policy(allow("sts:AssumeRole"))})
        found[who] = (f"arn:aws:iam::{aws_account_id}:user/{name}", creds)
    return found


@pytest.fixture
def make_role(aws_client, unique_name):
    """make_role(trust_policy, MaxSessionDuration=...) -> role ARN; the role may call iam:ListUsers only."""

    def make(trust_policy, **options):
        iam = aws_client("iam")
        name = unique_name("reader-role")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy, **options)["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="list-users", PolicyDocument=policy(allow("iam:ListUsers")))
        return arn

    return make


@pytest.fixture
def role(make_role, people):
    return make_role(trust(people["alice"][0]))


def assume(aws_client, creds, role_arn, **options):
    return aws_client("sts", **creds).assume_role(RoleArn=role_arn, RoleSessionName="lab-session", **options)


def test_a_principal_named_in_the_trust_policy_can_assume_the_role(aws_client, backend, people, role):
    with iam_enforced(backend):
        response = assume(aws_client, people["alice"][1], role)

    assert response["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/{role.split('/')[-1]}/lab-session")


def test_a_principal_missing_from_the_trust_policy_gets_access_denied(aws_client, backend, people, role):
    with iam_enforced(backend):
        code = error_code(assume, aws_client=aws_client, creds=people["bob"][1], role_arn=role)

    assert code == "AccessDenied"  # bob may call sts:AssumeRole, but the role does not trust him


@pytest.mark.diverges(
    "localstack",
    "hands out access keys starting LSIA; AWS's temporary keys start ASIA (long-term ones AKIA)",
    evidence=ID_PREFIX_DOCS,
)
def test_temporary_credentials_are_asia_keys_with_a_token_and_an_expiration(aws_client, people, role):
    credentials = assume(aws_client, people["alice"][1], role)["Credentials"]
    lifetime = credentials["Expiration"] - datetime.now(UTC)
    show_table(
        "AssumeRole credentials",
        ["field", "value"],
        [
            ["AccessKeyId", credentials["AccessKeyId"]],
            ["SessionToken", credentials["SessionToken"][:24] + "..."],
            ["Expiration", f"{credentials['Expiration']:%Y-%m-%d %H:%M:%S} (in {lifetime.total_seconds():.0f} s)"],
        ],
    )

    assert credentials["AccessKeyId"].startswith("ASIA")  # long-term user keys start with AKIA
    assert credentials["SessionToken"]
    assert timedelta(minutes=58) < lifetime <= timedelta(hours=1)  # the default DurationSeconds is 3600


def test_get_caller_identity_shows_the_assumed_role_session(aws_client, aws_account_id, people, role):
    credentials = assume(aws_client, people["alice"][1], role)["Credentials"]
    identity = aws_client("sts", **credentials_of(credentials)).get_caller_identity()

    role_name = role.split("/")[-1]
    assert identity["Arn"] == f"arn:aws:sts::{aws_account_id}:assumed-role/{role_name}/lab-session"
    assert identity["UserId"].startswith("AROA") and identity["UserId"].endswith(":lab-session")


def test_temporary_credentials_carry_the_roles_permissions_and_only_those(aws_client, backend, people, role):
    alice = people["alice"][1]
    with iam_enforced(backend):
        as_role = aws_client("iam", **credentials_of(assume(aws_client, alice, role)["Credentials"]))
        outcomes = {
            "alice: iam:ListUsers": error_code(aws_client("iam", **alice).list_users),
            "role session: iam:ListUsers": error_code(as_role.list_users),
            "role session: iam:ListRoles": error_code(as_role.list_roles),
        }
    show_table("who can do what", ["caller: action", "outcome"], outcomes.items())

    assert outcomes == {
        "alice: iam:ListUsers": "AccessDenied",  # alice herself may not ...
        "role session: iam:ListUsers": "allowed",  # ... the role may
        "role session: iam:ListRoles": "AccessDenied",  # and the role may do nothing else
    }


def test_assume_role_lasts_up_to_12_hours_not_the_notes_1_hour(aws_client, people, make_role):
    role = make_role(trust(people["alice"][0]), MaxSessionDuration=TWELVE_HOURS)

    credentials = assume(aws_client, people["alice"][1], role, DurationSeconds=TWELVE_HOURS)["Credentials"]

    lifetime = credentials["Expiration"] - datetime.now(UTC)
    assert timedelta(hours=11, minutes=58) < lifetime <= timedelta(hours=12)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "grants any DurationSeconds up to 12 h; AWS caps it at the role's MaxSessionDuration",
    evidence=DURATION_DOCS,
)
def test_a_duration_above_the_roles_maximum_is_rejected(aws_client, people, role):
    # the role keeps the default MaxSessionDuration of 3600 s
    code = error_code(assume, aws_client=aws_client, creds=people["alice"][1], role_arn=role, DurationSeconds=7200)

    assert code == "ValidationError"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "accepts MaxSessionDuration 43201; AWS allows 3600-43200",
    evidence=MAX_SESSION_DOCS,
)
def test_a_roles_maximum_session_cannot_exceed_12_hours(aws_client, unique_name, people):
    code = error_code(
        aws_client("iam").create_role,
        RoleName=unique_name("too-long"),
        AssumeRolePolicyDocument=trust(people["alice"][0]),
        MaxSessionDuration=TWELVE_HOURS + 1,
    )

    assert code == "ValidationError"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "refuses AssumeRole when the trust policy names the account root; AWS lets IAM policies decide",
    evidence=PRINCIPAL_DOCS,
)
def test_trusting_the_account_root_lets_the_accounts_iam_policies_decide(
    aws_client, backend, aws_account_id, people, make_role
):
    role = make_role(trust(f"arn:aws:iam::{aws_account_id}:root"))

    with iam_enforced(backend):  # both alice and bob have an identity policy allowing sts:AssumeRole
        outcomes = {
            who: error_code(assume, aws_client=aws_client, creds=creds, role_arn=role)
            for who, (_, creds) in people.items()
        }

    assert outcomes == {"alice": "allowed", "bob": "allowed"}


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "accepts a 13-digit account as a principal; AWS answers MalformedPolicyDocument",
    evidence=PRINCIPAL_DOCS
    + " ; unverified: the error code for a 13-digit account principal (invalid principals are reported as "
    "MalformedPolicyDocument 'Invalid principal in policy'); a CreateRole call on AWS settles it",
)
def test_the_notes_13_digit_account_is_not_a_valid_principal(aws_client, unique_name):
    principal = "1234567890123"  # 003, "Access Policy For Cross Account Access"
    assert len(principal) == 13  # account ids have 12 digits

    code = error_code(
        aws_client("iam").create_role, RoleName=unique_name("cross"), AssumeRolePolicyDocument=trust(principal)
    )

    assert code == "MalformedPolicyDocument"


def test_the_trust_policy_is_stored_on_the_role(aws_client, people, role):
    stored = aws_client("iam").get_role(RoleName=role.split("/")[-1])["Role"]["AssumeRolePolicyDocument"]
    if isinstance(stored, str):  # some SDK versions hand back the URL-encoded text
        stored = json.loads(stored)

    assert stored["Statement"][0]["Principal"] == {"AWS": [people["alice"][0]]}
    assert stored["Statement"][0]["Action"] == "sts:AssumeRole"
