"""IAM for labs: policy documents, users with access keys, and IAM enforcement for one test.

moto does not check permissions by default: every request is allowed. ``iam_enforced`` switches moto's
check on (signature and IAM policies of the caller), and off again when the block ends, so a lab can
show a user being refused. Both moto backends run moto in this process (moto server as a thread), so
one module-level setting steers both. MiniStack checks IAM policies only when its server was started with
``AUTH=true`` (its health endpoint says ``"auth": "enabled"``); the host LocalStack (community edition)
checks none. On those, a policy decision cannot be shown, and ``iam_enforced`` skips the test with the
reason. Real AWS always checks.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

import pytest

from labkit.backends import Backend

MOTO_BACKENDS = frozenset({"moto", "moto-server"})
LOCALSTACK_CHECKS_NO_IAM = (
    "the host LocalStack (community edition) checks no IAM policy: every signed request is allowed, "
    "so a policy decision cannot be shown there"
)
MINISTACK_CHECKS_NO_IAM = (
    "this MiniStack was started without AUTH=true, so it checks no IAM policy; a MiniStack started with "
    "AUTH=true (point MINISTACK_ENDPOINT at one) evaluates identity policies, boundaries and trust policies"
)


@cache
def _ministack_auth_enabled(endpoint_url: str) -> bool:
    """Whether the MiniStack at this endpoint checks IAM (its health endpoint reports ``auth``)."""
    with urllib.request.urlopen(f"{endpoint_url}/_ministack/health", timeout=5) as response:  # noqa: S310 (loopback)
        return bool(json.load(response).get("auth") == "enabled")


def iam_check_missing(backend: Backend) -> str | None:
    """Why this backend checks no IAM policy at all, or None when it does (AWS, moto, MiniStack with AUTH)."""
    if backend.name == "localstack":
        return LOCALSTACK_CHECKS_NO_IAM
    if backend.name == "ministack" and not (backend.endpoint_url and _ministack_auth_enabled(backend.endpoint_url)):
        return MINISTACK_CHECKS_NO_IAM
    return None


def require_iam_checks(backend: Backend) -> None:
    """Skip the test now, before it creates anything, when this backend checks no IAM policy."""
    if (missing := iam_check_missing(backend)) is not None:
        pytest.skip(missing)


@contextmanager
def iam_enforced(backend: Backend) -> Iterator[None]:
    """Inside the block, the backend refuses any request its caller's IAM policies do not allow.

    On moto, requests signed with the harness's fake credentials fail inside (moto knows no such access
    key): create users, roles and keys first, then enter the block; the previous setting and request
    counter are restored on exit, even when the test fails. MiniStack with ``AUTH=true`` and AWS always
    check, so nothing is switched there. A backend that checks no IAM policy skips the test, with the reason.
    """
    require_iam_checks(backend)
    if backend.name not in MOTO_BACKENDS:
        yield
        return
    from moto.core.authorization import enable_iam_authentication

    with enable_iam_authentication():
        yield


def policy(*statements: Mapping[str, Any]) -> str:
    """A policy document (JSON text) with version 2012-10-17 and these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in statements]})


def allow(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    """One Allow statement."""
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    """One Deny statement."""
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def credentials_of(access_key: Mapping[str, Any]) -> dict[str, str | None]:
    """Keyword arguments for ``aws_client(service, **kwargs)`` that sign as this key.

    Takes ``CreateAccessKey``'s ``AccessKey`` or ``AssumeRole``'s ``Credentials``; a long-term key gets
    ``aws_session_token=None`` so the harness's fake session token is not sent along with it.
    """
    return {
        "aws_access_key_id": str(access_key["AccessKeyId"]),
        "aws_secret_access_key": str(access_key["SecretAccessKey"]),
        "aws_session_token": str(access_key["SessionToken"]) if "SessionToken" in access_key else None,
    }


def create_user_with_key(
    iam: Any,
    name: str,
    inline_policies: Mapping[str, str] | None = None,
    *,
    permissions_boundary: str | None = None,
) -> dict[str, str | None]:
    """Create an IAM user with these inline policies (name -> document) and an access key; returns the
    ``aws_client`` keyword arguments that sign as that user (see ``credentials_of``)."""
    extra = {"PermissionsBoundary": permissions_boundary} if permissions_boundary else {}
    iam.create_user(UserName=name, **extra)
    for policy_name, document in (inline_policies or {}).items():
        iam.put_user_policy(UserName=name, PolicyName=policy_name, PolicyDocument=document)
    return credentials_of(iam.create_access_key(UserName=name)["AccessKey"])


def trust(principal: Mapping[str, Any], action: str = "sts:AssumeRole", **condition: Any) -> str:
    """A role trust policy: this principal (``{"AWS": ...}``, ``{"Federated": ...}``...) may call ``action``."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": dict(principal), "Action": action}
    if condition:
        statement["Condition"] = condition
    return policy(statement)


def create_role(iam: Any, name: str, trust_policy: str, inline_policies: Mapping[str, str] | None = None) -> str:
    """Create a role with this trust policy and these inline policies (name -> document); its ARN."""
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy)["Role"]["Arn"])
    for policy_name, document in (inline_policies or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)
    return arn


def user_pool_login(idp: Any, pool_name: str, username: str, password: str = "CorrectHorse42!") -> dict[str, str]:
    """A user pool, an app client and a confirmed user, signed in: ``pool_id``, ``client_id``, ``id_token``,
    ``access_token``."""
    pool_id = str(idp.create_user_pool(PoolName=pool_name)["UserPool"]["Id"])
    client_id = str(
        idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
    )
    idp.sign_up(ClientId=client_id, Username=username, Password=password)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    tokens = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )["AuthenticationResult"]
    return {
        "pool_id": pool_id,
        "client_id": client_id,
        "id_token": str(tokens["IdToken"]),
        "access_token": str(tokens["AccessToken"]),
    }
