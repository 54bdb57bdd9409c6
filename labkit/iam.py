"""IAM for labs: policy documents, users with access keys, and moto's IAM enforcement for one test.

moto does not check permissions by default: every request is allowed. ``iam_enforced`` switches moto's
check on (signature and IAM policies of the caller), and off again when the block ends, so a lab can
show a user being refused. Both moto backends run moto in this process (moto server as a thread), so
one module-level setting steers both. LocalStack checks IAM only when started with ``ENFORCE_IAM=1``;
real AWS always does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from labkit.backends import Backend

MOTO_BACKENDS = frozenset({"moto", "moto-server"})


@contextmanager
def iam_enforced(backend: Backend) -> Iterator[None]:
    """Inside the block, moto refuses any request its caller's IAM policies do not allow.

    Requests signed with the harness's fake credentials fail inside (moto knows no such access key):
    create users, roles and keys first, then enter the block. On backends other than moto this does
    nothing. The previous setting and request counter are restored on exit, even when the test fails.
    """
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
