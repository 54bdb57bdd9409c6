"""A Cognito identity pool hands AWS credentials to app users: GetId gives the user an identity id in the
pool, GetCredentialsForIdentity returns temporary credentials of the pool's authenticated role (when the
call carries a user pool token in Logins) or of its unauthenticated (guest) role (when it carries none).
SetIdentityPoolRoles names the two roles; each trusts cognito-identity.amazonaws.com for that pool and
that kind of identity.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.iam import create_role, credentials_of, trust, user_pool_login

COGNITO = "cognito-identity.amazonaws.com"
POOL_DOCS = "https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_cognito_identitypool/README.html"
GUEST_DOCS = (
    POOL_DOCS + " ; unverified: the error code GetId gives a guest when AllowUnauthenticatedIdentities is false "
    "(NotAuthorizedException expected); a GetId call on AWS settles it"
)
GET_ID_DOCS = "https://docs.aws.amazon.com/sdk-for-python/v1/reference/clients/cognito-identity/operations/get_id/"
NO_SET_ROLES = pytest.mark.diverges(
    ("moto", "moto-server"),
    "does not implement SetIdentityPoolRoles; AWS stores the pool's two roles",
    evidence=POOL_DOCS,
    raises=(NotImplementedError, ClientError),
)


def role_for(iam, name, pool_id, amr):
    """A role that identities of this pool may assume when their amr is ``authenticated``/``unauthenticated``."""
    return create_role(
        iam,
        name,
        trust(
            {"Federated": COGNITO},
            "sts:AssumeRoleWithWebIdentity",
            StringEquals={f"{COGNITO}:aud": pool_id},
            **{"ForAnyValue:StringLike": {f"{COGNITO}:amr": amr}},
        ),
    )


@pytest.fixture
def pool(aws_client, unique_name, aws_region):
    """An identity pool backed by a user pool, guests allowed, with both roles set; a signed-in user's Logins."""
    login = user_pool_login(aws_client("cognito-idp"), unique_name("users"), unique_name("ana"))
    provider = f"cognito-idp.{aws_region}.amazonaws.com/{login['pool_id']}"
    identity = aws_client("cognito-identity")
    pool_id = identity.create_identity_pool(
        IdentityPoolName=unique_name("app_identities").replace("-", "_"),
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": login["client_id"]}],
    )["IdentityPoolId"]
    iam = aws_client("iam")
    roles = {
        "authenticated": role_for(iam, unique_name("app-user"), pool_id, "authenticated"),
        "unauthenticated": role_for(iam, unique_name("app-guest"), pool_id, "unauthenticated"),
    }
    return {"id": pool_id, "roles": roles, "logins": {provider: login["id_token"]}}


def set_roles(aws_client, pool):
    """Name the pool's authenticated and unauthenticated roles (SetIdentityPoolRoles)."""
    aws_client("cognito-identity").set_identity_pool_roles(IdentityPoolId=pool["id"], Roles=pool["roles"])


def credentials(aws_client, pool, logins=None):
    """(identity id, credentials) for a user signed in with these Logins, or a guest when there are none."""
    identity = aws_client("cognito-identity")
    extra = {"Logins": logins} if logins else {}
    identity_id = identity.get_id(IdentityPoolId=pool["id"], **extra)["IdentityId"]
    found = identity.get_credentials_for_identity(IdentityId=identity_id, **extra)["Credentials"]
    return identity_id, {
        "AccessKeyId": found["AccessKeyId"],
        "SecretAccessKey": found["SecretKey"],
        "SessionToken": found["SessionToken"],
    }


@NO_SET_ROLES
def test_the_roles_are_set_on_the_identity_pool(aws_client, pool):
    set_roles(aws_client, pool)

    stored = aws_client("cognito-identity").get_identity_pool_roles(IdentityPoolId=pool["id"])["Roles"]

    assert stored == pool["roles"]


def test_a_signed_in_user_gets_an_identity_id_in_the_pools_region(aws_client, aws_region, pool):
    identity_id, _ = credentials(aws_client, pool, pool["logins"])

    assert identity_id.startswith(f"{aws_region}:")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "generates a new identity id on every GetId; AWS generates it once and then retrieves it for the same login",
    evidence=GET_ID_DOCS,
)
def test_the_same_user_keeps_the_same_identity_id(aws_client, pool):
    identity = aws_client("cognito-identity")

    first = identity.get_id(IdentityPoolId=pool["id"], Logins=pool["logins"])["IdentityId"]
    again = identity.get_id(IdentityPoolId=pool["id"], Logins=pool["logins"])["IdentityId"]

    assert first == again


@NO_SET_ROLES
def test_a_signed_in_user_acts_as_the_authenticated_role(aws_client, pool):
    set_roles(aws_client, pool)
    _, creds = credentials(aws_client, pool, pool["logins"])

    arn = aws_client("sts", **credentials_of(creds)).get_caller_identity()["Arn"]

    assert arn.split("/")[1] == pool["roles"]["authenticated"].split("/")[-1]  # assumed-role/<role>/<session>


@NO_SET_ROLES
def test_a_guest_acts_as_the_unauthenticated_role(aws_client, pool):
    set_roles(aws_client, pool)
    _, creds = credentials(aws_client, pool)

    arn = aws_client("sts", **credentials_of(creds)).get_caller_identity()["Arn"]

    assert arn.split("/")[1] == pool["roles"]["unauthenticated"].split("/")[-1]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "gives an identity id without a login though guests are not allowed; AWS answers NotAuthorizedException",
    evidence=GUEST_DOCS,
)
def test_without_guest_access_an_identity_needs_a_login(aws_client, unique_name):
    identity = aws_client("cognito-identity")
    pool_id = identity.create_identity_pool(
        IdentityPoolName=unique_name("members_only").replace("-", "_"), AllowUnauthenticatedIdentities=False
    )["IdentityPoolId"]

    assert error_code(identity.get_id, IdentityPoolId=pool_id) == "NotAuthorizedException"
