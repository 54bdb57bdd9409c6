"""Fixtures shared by the Redshift labs (labkit.data_services): a Redshift client whose clusters, snapshots and
snapshot copies are undone after each test where state is kept, and a skip, with the reason, where the backend does not
serve Redshift."""

from __future__ import annotations

import pytest

from labkit.data_services import data_client, data_tracker, skip_where_unserved  # noqa: F401


@pytest.fixture(autouse=True)
def _redshift_is_served(backend):
    skip_where_unserved(backend, "redshift")


@pytest.fixture
def redshift(data_client):  # noqa: F811  (the fixture imported above)
    return data_client("redshift")
