"""Shared set-up for the Service Quotas labs: ``service_quotas`` is the client, once the backend is known to serve
service-quotas (MiniStack and the host LocalStack do not: the test is skipped with the reason, until
``labkit.backends`` lists the service among those they lack)."""

from __future__ import annotations

import pytest

from labkit.governance import skip_where_unserved


@pytest.fixture
def service_quotas(aws_client, backend):
    """The Service Quotas client of the selected backend."""
    skip_where_unserved(backend, "service-quotas")
    return aws_client("service-quotas")
