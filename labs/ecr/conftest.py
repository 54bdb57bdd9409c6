"""Fixtures shared by the ECR labs (labkit.compute): an ECR client whose repositories are deleted, images and all,
after each test where state is kept."""

from __future__ import annotations

import pytest

from labkit.compute import compute_tracker, tracked_client  # noqa: F401


@pytest.fixture
def ecr(tracked_client):  # noqa: F811  (the fixture imported above)
    return tracked_client("ecr")
