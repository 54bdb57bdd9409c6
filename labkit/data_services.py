"""Data service labs (Route 53 Resolver, DMS, ElastiCache, EMR, Redshift): what AWS does in the background, waited
for the same way on every backend.

- Waits. A Resolver endpoint is ``CREATING`` before ``OPERATIONAL``, a DMS replication instance ``creating`` before
  ``available``, a cache or a warehouse cluster ``creating`` for minutes. The SDK's waiters are used where botocore
  has them (``labkit.compute.waiter_config`` sizes them per backend); :func:`wait_for` polls the rest.
- Undo: ``labkit.data_cleanup``, which the harness's tracker (``labkit.cleanup``) applies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from labkit.backends import Backend
from labkit.compute import settle

log = logging.getLogger(__name__)

# --- waits --------------------------------------------------------------------------------------------------------


def wait_for(
    read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], backend: Backend, aws_minutes: int = 15
) -> dict[str, Any]:
    """``read()`` once ``done`` holds for it: polled for a few seconds on an emulator, ``aws_minutes`` on AWS; the
    last reading either way, so the caller's assertion says what was found."""
    found: dict[str, Any] = {}

    def check() -> bool:
        found.clear()
        found.update(read())
        return done(found)

    settle(check, backend, aws_seconds=aws_minutes * 60)
    return dict(found)
