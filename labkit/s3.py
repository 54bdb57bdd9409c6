"""S3 helpers shared by the labs: what an S3 error body says, waiting for a restore, reaching S3 Control
(account-prefixed hosts) and website endpoints on a local emulator, and skipping where MiniStack applies no
access rules."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from labkit.backends import Backend
from labkit.eventually import eventually
from labkit.iam import iam_check_missing

_CODE = re.compile(r"<Code>([^<]*)</Code>")
_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")

#: How long a restore may take: Expedited retrievals from GLACIER typically finish within 1-5 minutes on AWS;
#: an emulator restores at once (moto, LocalStack) or after a couple of seconds (MiniStack).
RESTORE_WAIT_ON_AWS = 900.0
RESTORE_WAIT_ON_EMULATOR = 3.0


def require_ministack_access_rules(backend: Backend) -> None:
    """Skip on a MiniStack started without ``AUTH=true``: it then applies none of S3's access rules (anonymous
    requests are served, a bucket's CORS rules are ignored for a blanket ``*``, new buckets have no Block Public
    Access, presigned URLs of any length are served). With ``AUTH=true``, as the harness starts it, it applies
    them as AWS does. Other backends carry on (their gaps are ``diverges`` marks)."""
    if backend.name == "ministack" and (missing := iam_check_missing(backend)) is not None:
        pytest.skip(f"{missing}; nor S3's access rules (anonymous access, CORS, Block Public Access defaults)")


def xml_error(body: bytes | str) -> tuple[str | None, str | None]:
    """``(Code, Message)`` from an S3 XML error body such as ``<Error><Code>AccessDenied</Code>...``;
    ``(None, None)`` for a body that is not an S3 error (an empty 403, a success)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    code, message = _CODE.search(text), _MESSAGE.search(text)
    return (code.group(1) if code else None, message.group(1) if message else None)


def wait_for_restore(s3: Any, bucket: str, key: str, backend: Backend) -> str | None:
    """The object's ``Restore`` header once it says ``ongoing-request="false"`` (the temporary copy is readable),
    or its last value when the wait runs out: 15 minutes on AWS (a look every 15 s), 3 seconds on an emulator."""

    def restore() -> str | None:
        header: str | None = s3.head_object(Bucket=bucket, Key=key).get("Restore")
        return header

    return eventually(
        restore,
        backend,
        until=lambda header: bool(header and 'ongoing-request="false"' in header),
        aws_seconds=RESTORE_WAIT_ON_AWS,
        emulator_seconds=RESTORE_WAIT_ON_EMULATOR,
        interval=15.0,
    )


def control_client(aws_client: Any, backend: Backend, **kwargs: Any) -> Any:
    """An S3 Control client from the ``aws_client`` factory that also works on a local emulator.

    S3 Control operations go to an account-specific host, ``<account-id>.s3-control.<region>.amazonaws.com``;
    with a custom endpoint botocore prefixes the account id to the emulator's host (``123456789012.127.0.0.1``),
    which does not resolve. On an emulator the request is sent to the endpoint itself, with the account-prefixed
    name kept as its ``Host`` header (and signed as such), which is how the emulators tell the account apart.
    On AWS nothing changes.
    """
    client = aws_client("s3control", **kwargs)
    if backend.endpoint_url:
        client.meta.events.register("before-sign.s3-control", _reroute_to(backend.endpoint_url))
    return client


def access_point_client(aws_client: Any, backend: Backend, **kwargs: Any) -> Any:
    """An S3 client that can take an access point ARN as ``Bucket``; botocore sends such a request to
    ``<name>-<account-id>.s3-accesspoint.<region>.amazonaws.com`` (on an emulator: ``<name>-<account-id>.`` in
    front of its host), so on an emulator it is rerouted as in :func:`control_client`."""
    client = aws_client("s3", **kwargs)
    if backend.endpoint_url:
        client.meta.events.register("before-sign.s3", _reroute_to(backend.endpoint_url))
    return client


def _reroute_to(endpoint_url: str) -> Any:
    endpoint_host = urlsplit(endpoint_url).netloc

    def reroute(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.netloc != endpoint_host and parts.netloc.endswith("." + endpoint_host):
            request.headers["Host"] = parts.netloc
            request.url = parts._replace(netloc=endpoint_host).geturl()

    return reroute


#: Regions whose website endpoint is ``s3-website-<region>`` (a dash); every other Region uses
#: ``s3-website.<region>`` (a dot). From AWS's table of S3 website endpoints.
DASH_WEBSITE_REGIONS = frozenset(
    {
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "eu-west-1",
        "sa-east-1",
    }
)
#: LocalStack serves static websites under this host name (its ``S3_STATIC_WEBSITE_HOSTNAME``).
LOCALSTACK_WEBSITE_DOMAIN = "s3-website.localhost.localstack.cloud"


def website_host(bucket: str, region: str) -> str:
    """``<bucket>.s3-website-<region>.amazonaws.com`` or ``<bucket>.s3-website.<region>.amazonaws.com``."""
    separator = "-" if region in DASH_WEBSITE_REGIONS else "."
    return f"{bucket}.s3-website{separator}{region}.amazonaws.com"


def get_website(backend: Backend, bucket: str, path: str = "/", **kwargs: Any) -> Any:
    """GET ``path`` from the bucket's website endpoint (plain HTTP, as website endpoints are): the real host on
    AWS; on an emulator its own endpoint, with the website host name in the ``Host`` header."""
    if not backend.endpoint_url:
        return requests.get(f"http://{website_host(bucket, backend.region)}{path}", timeout=10, **kwargs)
    host = (
        f"{bucket}.{LOCALSTACK_WEBSITE_DOMAIN}"
        if backend.name == "localstack"
        else website_host(bucket, backend.region)
    )
    return requests.get(f"{backend.endpoint_url}{path}", headers={"Host": host}, timeout=10, **kwargs)
