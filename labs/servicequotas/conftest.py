"""Shared set-up for the Service Quotas labs: the client (the lab skips, with the reason, where the backend does
not serve service-quotas: MiniStack and the host LocalStack)."""

from __future__ import annotations

import pytest


@pytest.fixture
def service_quotas(aws_client):
    """The Service Quotas client of the selected backend."""
    return aws_client("service-quotas")
