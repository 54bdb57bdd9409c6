"""Fixtures shared by the ECR labs (labkit.compute): an ECR client whose repositories are deleted, images and all,
after each test where state is kept."""

from __future__ import annotations

import pytest


@pytest.fixture
def ecr(aws_client):
    return aws_client("ecr")
