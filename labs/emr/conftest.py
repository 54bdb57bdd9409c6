"""Fixtures shared by the EMR labs (labkit.data_cleanup): an EMR client whose clusters are terminated after each test
where state is kept."""

from __future__ import annotations

import pytest


@pytest.fixture
def emr(aws_client):
    return aws_client("emr")
