"""A tiny pytest plugin: writes every test's outcome to a JSON file for ``labs run``'s summary.

Loaded with ``-p labkit.cli.outcomes --labs-outcomes=PATH``. Outcomes come from pytest's own reports
(``pytest_runtest_logreport``), so nothing depends on the wording of the terminal output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labkit.plugin import EVIDENCE_PROPERTY

_collected: list[dict[str, Any]] = []  # one pytest session per process: ``labs run`` starts a subprocess


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("labs").addoption(
        "--labs-outcomes", dest="labs_outcomes", default=None, metavar="PATH", help="write test outcomes as JSON"
    )


def pytest_configure(config: pytest.Config) -> None:
    _collected.clear()


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


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    found = classify(report)
    if found is not None:
        _collected.append(found)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("labs_outcomes")
    if path and not hasattr(session.config, "workerinput"):  # the xdist controller sees every worker's reports
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(_collected, indent=1), encoding="utf-8")
