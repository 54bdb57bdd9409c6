"""Fixtures shared by the DynamoDB labs."""

from __future__ import annotations

import pytest


@pytest.fixture
def dynamodb(aws_client):
    """The DynamoDB client of the selected backend."""
    return aws_client("dynamodb")

