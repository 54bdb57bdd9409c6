"""The REPORT and INIT_REPORT lines Lambda writes: format them, parse them, and bill to the millisecond.

Formats (fields tab-separated; "Understanding the Lambda execution environment lifecycle" in the Lambda developer
guide, https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html, describes INIT_REPORT and the
Status of a failed invocation):

    REPORT RequestId: <id>  Duration: 2.03 ms  Billed Duration: 143 ms  Memory Size: 128 MB
        Max Memory Used: 40 MB  Init Duration: 140.60 ms                      (one line)
    REPORT ...  Max Memory Used: 40 MB  Status: timeout
    REPORT ...  Max Memory Used: 40 MB  Status: error  Error Type: Runtime.ExitError
    INIT_REPORT Init Duration: 10000.00 ms  Phase: init  Status: timeout
    INIT_REPORT Init Duration: 150.79 ms  Phase: invoke  Status: error  Error Type: Runtime.ExitError

Billing: Lambda bills duration in 1 ms steps (since December 2020; 100 ms steps before). Since 1 August 2025 the
Init phase is billed too for on-demand functions packaged as .zip on managed runtimes (before, their init was
free): a cold start's Billed Duration is Duration plus Init Duration, rounded up to the next millisecond.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Lambda bills duration in 1 ms steps (since December 2020; 100 ms steps before).
BILLING_GRANULARITY_MS = 1

_REPORT = re.compile(
    r"REPORT RequestId: (?P<request_id>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
    r"Billed Duration: (?P<billed>\d+) ms\s+Memory Size: (?P<memory>\d+) MB\s+"
    r"Max Memory Used: (?P<used>\d+) MB(?:\s+Init Duration: (?P<init>[\d.]+) ms)?"
    r"(?:\s+Status: (?P<status>\w+))?(?:\s+Error Type: (?P<error_type>\S+))?"
)
_INIT_REPORT = re.compile(
    r"INIT_REPORT Init Duration: (?P<duration>[\d.]+) ms\s+Phase: (?P<phase>\w+)\s+Status: (?P<status>\w+)"
    r"(?:\s+Error Type: (?P<error_type>\S+))?"
)


def billed_duration_ms(duration_ms: float, init_duration_ms: float | None = None) -> int:
    """Duration (plus the Init Duration of a cold start) rounded up to the next billing step: 120.31 ms -> 121 ms."""
    total = duration_ms + (init_duration_ms or 0.0)
    return math.ceil(round(total, 2) / BILLING_GRANULARITY_MS) * BILLING_GRANULARITY_MS


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
    error_type: str | None = None  # with status "error": Runtime.ExitError, the init's error type, ...

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
        if self.error_type:
            parts.append(f"Error Type: {self.error_type}")
        return "\t".join(parts)


@dataclass(frozen=True)
class InitReport:
    """An INIT_REPORT line: Lambda writes one when an init fails or times out (``Phase: init``), and again when
    it retries the init inside the first invocation (``Phase: invoke``)."""

    duration_ms: float
    phase: str  # "init" or "invoke"
    status: str  # "error", "timeout" (or "success")
    error_type: str | None = None

    def line(self) -> str:
        parts = [
            f"INIT_REPORT Init Duration: {self.duration_ms:.2f} ms",
            f"Phase: {self.phase}",
            f"Status: {self.status}",
        ]
        if self.error_type:
            parts.append(f"Error Type: {self.error_type}")
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
        error_type=match.group("error_type"),
    )


def parse_init_reports(log_text: str) -> list[InitReport]:
    """Every INIT_REPORT line in a log, in order."""
    return [
        InitReport(float(m.group("duration")), m.group("phase"), m.group("status"), m.group("error_type"))
        for m in _INIT_REPORT.finditer(log_text)
    ]
