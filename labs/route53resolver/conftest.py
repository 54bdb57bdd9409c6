"""Fixtures shared by the Route 53 Resolver labs (labkit.data_services, labkit.network): a Resolver client whose
endpoints, rules and associations are undone after each test where state is kept (the VPC they live in is undone by
the harness), and a skip, with the reason, where the backend does not serve Route 53 Resolver."""

from __future__ import annotations

import pytest

from labkit.data_services import data_client, data_tracker, skip_where_unserved  # noqa: F401
from labkit.network import ec2  # noqa: F401  (a pytest fixture)


@pytest.fixture(autouse=True)
def _resolver_is_served(backend):
    skip_where_unserved(backend, "route53resolver")


@pytest.fixture
def resolver(data_client):  # noqa: F811  (the fixture imported above)
    return data_client("route53resolver")
