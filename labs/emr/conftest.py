"""Fixtures shared by the EMR labs (labkit.data_services): an EMR client whose clusters are terminated after each test
where state is kept, and a skip, with the reason, where the backend does not serve EMR."""

from __future__ import annotations

import pytest

from labkit.data_services import data_client, data_tracker, skip_where_unserved  # noqa: F401


@pytest.fixture(autouse=True)
def _emr_is_served(backend):
    skip_where_unserved(backend, "emr")


@pytest.fixture
def emr(data_client):  # noqa: F811  (the fixture imported above)
    return data_client("emr")
