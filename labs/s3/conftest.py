"""Set-up shared by the S3 labs: a SigV4 S3 client, fresh buckets with unique names, a public-read policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config


@pytest.fixture
def s3(aws_client):
    """An S3 client that signs (and presigns) with SigV4, as AWS requires for every region today."""
    return aws_client("s3", config=Config(signature_version="s3v4"))


@pytest.fixture
def make_bucket(s3, unique_name) -> Callable[..., str]:
    """``make_bucket("logs", ObjectLockEnabledForBucket=True)`` -> a new bucket's name."""

    def make(prefix: str = "bucket", **options: Any) -> str:
        name = unique_name(prefix)
        s3.create_bucket(Bucket=name, **options)
        return name

    return make


@pytest.fixture
def bucket(make_bucket) -> str:
    """A new, empty, unversioned bucket."""
    return make_bucket()


@pytest.fixture
def public_read_policy() -> Callable[[str], str]:
    """``public_read_policy(bucket)`` -> a bucket policy letting anyone (``"Principal": "*"``) read every object:
    what S3 calls public."""

    def policy(bucket: str) -> str:
        statement = {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    return policy
