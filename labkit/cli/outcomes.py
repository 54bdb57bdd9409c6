"""A tiny pytest plugin: writes every test's outcome to a JSON file for ``labs run``'s summary.

Loaded with ``-p labkit.cli.outcomes --labs-outcomes=PATH``. Outcomes come from pytest's own reports
(``pytest_runtest_logreport``), so nothing depends on the wording of the terminal output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labkit.evidence import EVIDENCE_PROPERTY


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("labs").addoption(
        "--labs-outcomes", dest="labs_outcomes", default=None, metavar="PATH", help="write test outcomes as JSON"
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("labs_outcomes")
    if path and not hasattr(config, "workerinput"):  # the xdist controller sees every worker's reports
        config.pluginmanager.register(Recorder(Path(path)), "labs-outcomes-recorder")


def _reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longreprtext).strip().splitlines()[-1] if report.longreprtext else ""


def classify(report: pytest.TestReport) -> dict[str, Any] | None:
    """One test's outcome from one of its reports, or None when this report adds nothing."""
    wasxfail = getattr(report, "wasxfail", None)
    if report.when == "call" and report.passed and wasxfail is None:
        outcome, reason = "passed", ""
    elif report.skipped and wasxfail is not None:
        outcome, reason = "xfailed", str(wasxfail)
    elif report.skipped:
        outcome, reason = "skipped", _reason(report)
    elif report.failed and report.when == "call" and "XPASS(strict)" in report.longreprtext:
        outcome, reason = "xpassed", report.longreprtext.replace("[XPASS(strict)]", "").strip()
    elif report.failed:
        outcome, reason = "failed", _reason(report) if report.when == "call" else f"error in {report.when}"
    else:
        return None
    found = {"nodeid": report.nodeid, "outcome": outcome, "reason": reason, "line": (report.location[1] or 0) + 1}
    evidence = dict(report.user_properties).get(EVIDENCE_PROPERTY)
    if evidence and outcome in ("xfailed", "xpassed"):
        found["evidence"] = str(evidence)
    return found


class Recorder:
    """Collects one run's outcomes and writes them at the end. One per pytest run (a run nested in another,
    as pytester makes them, has its own), so runs never mix their outcomes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.collected: list[dict[str, Any]] = []

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        found = classify(report)
        if found is not None:
            self.collected.append(found)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.collected, indent=1), encoding="utf-8")
