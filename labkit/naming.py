"""Unique, valid resource names, so tests never collide (in any order, in parallel, or on a shared account)."""

from __future__ import annotations

import re
import uuid

_NOT_ALLOWED = re.compile(r"[^a-z0-9-]+")


def unique_name(prefix: str = "lab", *, max_length: int = 63) -> str:
    """``labs-<prefix>-<8 hex>``: lowercase letters, digits and hyphens, valid as an S3 bucket, a DynamoDB
    table, an SQS queue, a Kinesis stream and most other AWS names."""
    cleaned = _NOT_ALLOWED.sub("-", prefix.lower()).strip("-") or "lab"
    suffix = uuid.uuid4().hex[:8]
    room = max_length - len("labs--") - len(suffix)
    if room < 1:
        raise ValueError(f"max_length {max_length} leaves no room for a prefix")
    return f"labs-{cleaned[:room].rstrip('-')}-{suffix}"
