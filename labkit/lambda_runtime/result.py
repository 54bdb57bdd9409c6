"""What an invocation gives back, the same whether it ran here or through the Lambda API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from labkit.lambda_runtime.report import InitReport, Report, parse_init_reports


@dataclass(frozen=True)
class InvocationResult:
    """The Invoke response (payload, FunctionError) plus the log tail Lambda returns with ``LogType=Tail``."""

    request_id: str
    payload: bytes
    function_error: str | None  # "Unhandled" when the function failed, as in X-Amz-Function-Error
    report: Report | None  # None when the log tail has no REPORT line (MiniStack's Invoke returns none)
    logs: str  # START ... END ... REPORT, with the function's own output between

    @property
    def init_reports(self) -> list[InitReport]:
        """The INIT_REPORT lines of this invocation's log (a failed or retried init), in order."""
        return parse_init_reports(self.logs)

    def json(self) -> Any:
        """The payload, decoded as JSON."""
        return json.loads(self.payload) if self.payload else None

    @property
    def error(self) -> dict[str, Any] | None:
        """``{"errorType": ..., "errorMessage": ...}`` when the function failed, else None."""
        if self.function_error is None:
            return None
        body = self.json()
        return body if isinstance(body, dict) else {"errorMessage": str(body)}

    @property
    def output(self) -> str:
        """Only what the function printed or logged during this invocation (between START and END)."""
        lines = self.logs.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("START RequestId:")), -1)
        # A log without START (MiniStack's log tail) is all output, INIT_REPORT lines aside.
        lines = [line for line in lines if not line.startswith("INIT_REPORT ")] if start == -1 else lines
        end = next((i for i, line in enumerate(lines) if line.startswith("END RequestId:")), len(lines))
        return "\n".join(lines[start + 1 : end])
