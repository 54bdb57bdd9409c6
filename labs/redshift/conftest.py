"""Fixtures shared by the Redshift labs (labkit.data_cleanup): a Redshift client whose clusters, snapshots and
snapshot copies are undone after each test where state is kept."""

from __future__ import annotations

import pytest


@pytest.fixture
def redshift(aws_client):
    return aws_client("redshift")
