"""Waiting for effects AWS applies in the background (log delivery, trace indexing, metric publication).

On real AWS such an effect shows up after seconds to a minute or two, so a lab polls for it. An emulator
applies it at once or never does, so there the check runs exactly once and a lab never sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from labkit.backends import Backend

T = TypeVar("T")


def eventually(check: Callable[[], T], backend: Backend, *, timeout: float = 120.0, interval: float = 2.0) -> T:
    """``check()``'s first truthy result; on AWS, polled every ``interval`` seconds for up to ``timeout``.

    On an emulator ``check`` runs once. The last result (truthy or not) is returned, so the caller's assertion
    says what was found.
    """
    deadline = time.monotonic() + (timeout if not backend.is_emulator else 0.0)
    while True:
        result = check()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)
