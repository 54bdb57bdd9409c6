"""A Cognito user pool: the password policy, sign-up, confirmation, and USER_PASSWORD_AUTH returning JWTs.

The pool asks for 12 characters with upper case, lower case and a digit. The app client allows the
USER_PASSWORD_AUTH flow (username and password sent to Cognito over TLS) and refresh tokens.
"""

from __future__ import annotations

import base64
import json

import pytest

from labkit.errors import error_code
from labkit.report import show_table

PASSWORD = "CorrectHorse42"
PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}


def claims(token):
    """The payload of a JWT (header.payload.signature), decoded but not verified."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def pool(aws_client, unique_name):
    """(pool id, app client id)."""
    idp = aws_client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique_name("users"), Policies={"PasswordPolicy": PASSWORD_POLICY})[
        "UserPool"
    ]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


@pytest.fixture
def signed_up(aws_client, pool, unique_name):
    """A user who signed up and was not confirmed yet: (pool id, client id, username, sign-up response)."""
    pool_id, client_id = pool
    username = unique_name("ana")
    response = aws_client("cognito-idp").sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ana@example.com"}],
    )
    return pool_id, client_id, username, response


def login(aws_client, client_id, username, password=PASSWORD):
    return aws_client("cognito-idp").initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


@pytest.fixture
def tokens(aws_client, signed_up):
    pool_id, client_id, username, _ = signed_up
    aws_client("cognito-idp").admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    return login(aws_client, client_id, username)["AuthenticationResult"]


@pytest.mark.parametrize("weak", ["Short1A", "alllowercase123", "NoDigitsAtAllHere"])
def test_a_password_weaker_than_the_policy_is_rejected(aws_client, pool, weak):
    code = error_code(aws_client("cognito-idp").sign_up, ClientId=pool[1], Username="weak-user", Password=weak)

    assert code == "InvalidPasswordException"


def test_sign_up_leaves_the_user_unconfirmed(aws_client, signed_up):
    pool_id, _, username, response = signed_up

    user = aws_client("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=username)

    assert response["UserConfirmed"] is False
    assert user["UserStatus"] == "UNCONFIRMED"


def test_login_before_confirmation_fails(aws_client, signed_up):
    _, client_id, username, _ = signed_up

    code = error_code(login, aws_client=aws_client, client_id=client_id, username=username)

    assert code == "UserNotConfirmedException"


def test_after_confirmation_the_login_returns_id_access_and_refresh_tokens(tokens):
    show_table("AuthenticationResult", ["field", "value"], [[k, str(v)[:40]] for k, v in tokens.items()])

    assert {"IdToken", "AccessToken", "RefreshToken"} <= tokens.keys()
    assert (tokens["TokenType"], tokens["ExpiresIn"]) == ("Bearer", 3600)


def test_the_tokens_are_jwts_issued_by_the_pool(aws_region, pool, tokens):
    pool_id, client_id = pool
    issuer = f"https://cognito-idp.{aws_region}.amazonaws.com/{pool_id}"
    id_claims, access_claims = claims(tokens["IdToken"]), claims(tokens["AccessToken"])

    assert (id_claims["iss"], id_claims["token_use"], id_claims["aud"]) == (issuer, "id", client_id)
    assert (access_claims["iss"], access_claims["token_use"], access_claims["client_id"]) == (
        issuer,
        "access",
        client_id,
    )
    assert id_claims["sub"] == access_claims["sub"]  # the same user
    assert id_claims["exp"] - id_claims["iat"] == 3600


def test_the_id_token_carries_the_users_attributes(signed_up, tokens):
    _, _, username, response = signed_up

    id_claims = claims(tokens["IdToken"])

    assert (id_claims["cognito:username"], id_claims["sub"]) == (username, response["UserSub"])


def test_a_wrong_password_is_not_authorized(aws_client, signed_up, tokens):
    _, client_id, username, _ = signed_up

    code = error_code(login, aws_client=aws_client, client_id=client_id, username=username, password="WrongHorse42")

    assert code == "NotAuthorizedException"


def test_the_refresh_token_gets_new_id_and_access_tokens(aws_client, pool, tokens):
    refreshed = aws_client("cognito-idp").initiate_auth(
        ClientId=pool[1], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )["AuthenticationResult"]

    assert claims(refreshed["AccessToken"])["token_use"] == "access"
    assert claims(refreshed["IdToken"])["sub"] == claims(tokens["IdToken"])["sub"]
    assert "RefreshToken" not in refreshed  # the refresh token itself is reused until it expires
