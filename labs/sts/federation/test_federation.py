"""Federated principals in trust policies: a web identity (OIDC) token, and a SAML 2.0 provider.

Web identity: a Cognito user pool signs in a user and issues an ID token (a JWT). IAM gets an OpenID Connect
provider for the pool's issuer URL, a role trusts that provider for ``sts:AssumeRoleWithWebIdentity`` when the
token's ``aud`` is the app client, and STS trades the token for the role's temporary credentials. STS checks
the token's signature against the issuer's published keys; an altered token is refused.

SAML: IAM gets a SAML provider from an identity provider's metadata, and a role trusts it for
``sts:AssumeRoleWithSAML``. The exchange itself needs an assertion signed by a real IdP: not shown (README).
"""

from __future__ import annotations

import base64
import json

import pytest
from saml_metadata import idp_metadata

from labkit.errors import error_code
from labkit.iam import create_role, trust, user_pool_login

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"  # 40 hex digits; AWS accepts any for Cognito
RESPONSE_DOCS = "https://docs.aws.amazon.com/sdk-for-ruby/v3/api/Aws/STS/Types/AssumeRoleWithWebIdentityResponse.html"
WEB_IDENTITY_DOCS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html"
)


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def with_claim(token, **changes):
    """The same JWT with changed payload claims and the original signature: no longer what the IdP signed."""
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(claims(token) | changes).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


@pytest.fixture
def web_identity(aws_client, unique_name, aws_region):
    """A signed-in pool user and a role trusting the pool's OIDC provider: (login, role ARN)."""
    login = user_pool_login(aws_client("cognito-idp"), unique_name("pool"), unique_name("ana"))
    issuer = f"cognito-idp.{aws_region}.amazonaws.com/{login['pool_id']}"
    iam = aws_client("iam")
    provider = iam.create_open_id_connect_provider(
        Url=f"https://{issuer}", ClientIDList=[login["client_id"]], ThumbprintList=[THUMBPRINT]
    )["OpenIDConnectProviderArn"]
    role = create_role(
        iam,
        unique_name("web-reader"),
        trust(
            {"Federated": provider},
            "sts:AssumeRoleWithWebIdentity",
            StringEquals={f"{issuer}:aud": login["client_id"]},
        ),
    )
    return login, role


def assume_with(aws_client, role, token):
    return aws_client("sts").assume_role_with_web_identity(
        RoleArn=role, RoleSessionName="web-user", WebIdentityToken=token
    )


def test_a_user_pool_id_token_is_exchanged_for_the_roles_credentials(aws_client, web_identity):
    login, role = web_identity

    response = assume_with(aws_client, role, login["id_token"])

    assert response["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert response["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/{role.split('/')[-1]}/web-user")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "leaves SubjectFromWebIdentityToken and Audience out; AWS returns the token's sub and aud",
    evidence=RESPONSE_DOCS,
    raises=KeyError,
)
@pytest.mark.diverges(
    "ministack",
    "answers SubjectFromWebIdentityToken 'test-subject'; AWS returns the token's own sub claim",
    evidence=RESPONSE_DOCS,
)
def test_sts_reports_who_the_token_names_and_for_which_app(aws_client, web_identity):
    login, role = web_identity

    response = assume_with(aws_client, role, login["id_token"])

    assert response["SubjectFromWebIdentityToken"] == claims(login["id_token"])["sub"]  # the pool user
    assert response["Audience"] == login["client_id"]  # the app client the token was issued to


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "accepts a token whose payload was altered after signing; AWS checks the signature (InvalidIdentityToken)",
    evidence=WEB_IDENTITY_DOCS
    + " ; unverified: the error code STS gives an altered token, expected InvalidIdentityToken; one "
    "AssumeRoleWithWebIdentity call on AWS settles it",
)
def test_a_token_altered_after_signing_is_refused(aws_client, web_identity):
    login, role = web_identity
    forged = with_claim(login["id_token"], sub="someone-else")

    assert error_code(assume_with, aws_client, role, forged) == "InvalidIdentityToken"


def test_a_saml_provider_and_its_trust_policy_are_accepted_and_stored(aws_client, unique_name, aws_account_id):
    iam = aws_client("iam")
    metadata = idp_metadata("https://idp.example.com/adfs", "https://idp.example.com/adfs/ls/")
    provider = iam.create_saml_provider(SAMLMetadataDocument=metadata, Name=unique_name("corp-adfs"))["SAMLProviderArn"]
    role = create_role(
        iam,
        unique_name("adfs-admins"),
        trust(
            {"Federated": provider},
            "sts:AssumeRoleWithSAML",
            StringEquals={"SAML:aud": "https://signin.aws.amazon.com/saml"},
        ),
    )

    stored = iam.get_role(RoleName=role.split("/")[-1])["Role"]["AssumeRolePolicyDocument"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    iam.delete_saml_provider(SAMLProviderArn=provider)

    assert provider == f"arn:aws:iam::{aws_account_id}:saml-provider/{provider.split('/')[-1]}"
    assert stored["Statement"][0]["Principal"] == {"Federated": provider}
    assert stored["Statement"][0]["Action"] == "sts:AssumeRoleWithSAML"
