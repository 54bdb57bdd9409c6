"""Fixtures shared by the RDS labs (labkit.compute): an RDS client whose databases, snapshots and parameter groups
are deleted after each test where state is kept, a KMS key, and a small PostgreSQL instance waited for until
``available`` (AWS answers CreateDBInstance with ``creating`` and takes minutes)."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.compute import create_db


@pytest.fixture
def rds(aws_client):
    return aws_client("rds")


@pytest.fixture
def key_arn(aws_client) -> str:
    """A KMS key for database encryption (scheduled for deletion after the test where state is kept)."""
    return str(aws_client("kms").create_key(Description="database encryption")["KeyMetadata"]["Arn"])


@pytest.fixture
def plain_db(rds, unique_name, backend) -> dict[str, Any]:
    """An unencrypted PostgreSQL instance (db.t3.micro, 20 GiB, 1 day of automated backups), ``available``."""
    return create_db(rds, unique_name("db"), backend)
