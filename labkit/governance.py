"""Governance and encryption labs (AWS Config, RAM, Service Quotas, encrypted tables and streams): what they share.

- A call AWS refuses for a few seconds after a change it depends on (a new role that Config must assume, a bucket
  policy Config checks) is retried on AWS with ``labkit.eventually.retry_while``, for up to
  :data:`AWS_SETTLE_SECONDS`; an emulator answers once.
- AWS Config keeps **one** customer managed configuration recorder and one delivery channel per account and
  Region. Backends reset between tests (moto, MiniStack) give each test its own; on one that is never reset (the
  shared LocalStack, AWS) :func:`recorder_slot` makes the tests that need the recorder take turns, across pytest
  workers, and :func:`remove_config` takes everything down again before the next one starts.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from labkit.backends import Backend

#: How long AWS may take to accept a call that depends on a change just made (IAM roles, bucket policies): the
#: ``aws_seconds`` of the governance labs' ``retry_while``.
AWS_SETTLE_SECONDS = 90.0


# --- AWS Config ----------------------------------------------------------------------------------------------------

#: The AWS managed policy that lets AWS Config read resource configurations (attached to the recorder's role).
CONFIG_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"


def config_trust_policy() -> str:
    """A role trust policy that lets the AWS Config service assume the role."""
    statement = {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def config_bucket_policy(bucket: str, account_id: str) -> str:
    """The bucket policy AWS Config needs to deliver to ``bucket``: check its ACL, list it, and write under
    ``AWSLogs/<account>/Config/`` with the bucket owner in full control (AWS Config Developer Guide, "Permissions
    for the Amazon S3 Bucket")."""
    service = {"Service": "config.amazonaws.com"}
    same_account = {"StringEquals": {"AWS:SourceAccount": account_id}}
    statements = [
        {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}", "Condition": same_account},
        {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}", "Condition": same_account},
        {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account_id}/Config/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": account_id}}},
    ]  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@contextmanager
def recorder_slot(backend: Backend) -> Iterator[None]:
    """Hold the Region's one configuration recorder for the duration of the block.

    On a backend reset between tests nothing is shared, so nothing is held. On one that is never reset, tests
    in every pytest process on this machine take turns (an exclusive lock on a file named after the endpoint).
    """
    if not backend.track_resources:
        yield
        return
    where = hashlib.sha256((backend.endpoint_url or f"aws-{backend.region}").encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"labs-config-recorder-{where}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ignore_missing(call: Callable[..., Any], **parameters: Any) -> None:
    """``call(**parameters)``, where a ``NoSuch...`` answer means there is nothing left to remove, and
    ``InvalidAction`` an emulator without that operation (MiniStack has no DeleteDeliveryChannel; it is reset
    between tests anyway)."""
    try:
        call(**parameters)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if not (code.startswith("NoSuch") or code == "InvalidAction"):
            raise


def remove_config(config: Any, recorders: list[str], channels: list[str]) -> None:
    """Stop and delete these recorders and delete these delivery channels (a channel goes only once no recorder
    is recording), in that order; any already gone is skipped."""
    for name in recorders:
        ignore_missing(config.stop_configuration_recorder, ConfigurationRecorderName=name)
    for name in channels:
        ignore_missing(config.delete_delivery_channel, DeliveryChannelName=name)
    for name in recorders:
        ignore_missing(config.delete_configuration_recorder, ConfigurationRecorderName=name)


def recorders_in_region(config: Any) -> list[str]:
    """The names of the configuration recorders this account has in the client's Region."""
    return [r["name"] for r in config.describe_configuration_recorders().get("ConfigurationRecorders", [])]


def channels_in_region(config: Any) -> list[str]:
    """The names of the delivery channels this account has in the client's Region."""
    return [c["name"] for c in config.describe_delivery_channels().get("DeliveryChannels", [])]
