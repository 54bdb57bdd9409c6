"""Fixtures shared by the Route 53 Resolver labs (labkit.data_cleanup, labkit.network): a Resolver client whose
endpoints, rules and associations are undone after each test where state is kept (the VPC they live in is undone by
the harness)."""

from __future__ import annotations

import pytest


@pytest.fixture
def resolver(aws_client):
    return aws_client("route53resolver")
