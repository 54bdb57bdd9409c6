"""The REPORT line Lambda writes after every invocation: format it, parse it, and bill it to the millisecond."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Lambda bills duration in 1 ms steps (since December 2020; 100 ms steps before).
BILLING_GRANULARITY_MS = 1

_REPORT = re.compile(
    r"REPORT RequestId: (?P<request_id>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
    r"Billed Duration: (?P<billed>\d+) ms\s+Memory Size: (?P<memory>\d+) MB\s+"
    r"Max Memory Used: (?P<used>\d+) MB(?:\s+Init Duration: (?P<init>[\d.]+) ms)?(?:\s+Status: (?P<status>\w+))?"
)


def billed_duration_ms(duration_ms: float) -> int:
    """Duration rounded up to the next billing step: 120.31 ms is billed as 121 ms."""
    return math.ceil(duration_ms / BILLING_GRANULARITY_MS) * BILLING_GRANULARITY_MS


@dataclass(frozen=True)
class Report:
    """One invocation's REPORT: what Lambda logs after END."""

    request_id: str
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None  # only on the invocation that started a new environment
    status: str | None = None  # "timeout" or "error" when the environment did not finish normally

    @property
    def cold(self) -> bool:
        """True when this invocation paid for an init (a new execution environment)."""
        return self.init_duration_ms is not None

    def line(self) -> str:
        """``REPORT RequestId: ... Duration: X ms Billed Duration: Y ms ...``, tab-separated as Lambda writes it."""
        parts = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {self.billed_duration_ms} ms",
            f"Memory Size: {self.memory_size_mb} MB",
            f"Max Memory Used: {self.max_memory_used_mb} MB",
        ]
        if self.init_duration_ms is not None:
            parts.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status:
            parts.append(f"Status: {self.status}")
        return "\t".join(parts)


def parse_report(log_text: str) -> Report | None:
    """The REPORT line in a log (a Lambda LogResult or ours), or None when there is none."""
    match = _REPORT.search(log_text)
    if match is None:
        return None
    init = match.group("init")
    return Report(
        request_id=match.group("request_id"),
        duration_ms=float(match.group("duration")),
        billed_duration_ms=int(match.group("billed")),
        memory_size_mb=int(match.group("memory")),
        max_memory_used_mb=int(match.group("used")),
        init_duration_ms=float(init) if init else None,
        status=match.group("status"),
    )
