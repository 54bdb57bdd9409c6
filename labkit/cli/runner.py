"""``labs run``: pytest in a subprocess, its outcomes read back from pytest's own reports, and a summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from labkit.catalog import LABS_DIR, Lab, lab_of

ROOT = LABS_DIR.parent


@dataclass(frozen=True)
class Outcome:
    """One test's result: passed, xfailed (a divergence), xpassed, skipped or failed, and why."""

    nodeid: str
    outcome: str
    reason: str
    evidence: str = ""  # for a divergence: how we know what AWS does (labkit.evidence)
    line: int = 0  # where the test is defined in its file: claims are told in the file's order

    @property
    def lab(self) -> str:
        """``dynamodb/query_vs_scan`` for a test under labs/, else the test file."""
        return lab_of(self.nodeid) or self.nodeid.split("::", 1)[0]


def run_pytest(
    labs: Sequence[Lab], backend: str, extra: Sequence[str], echo: Callable[[str], None]
) -> tuple[int, list[Outcome]]:
    """Run the labs' tests on ``backend``; echo pytest's output line by line; return its exit code and outcomes."""
    with tempfile.TemporaryDirectory(prefix="labs-run-") as tmp:
        results = Path(tmp) / "outcomes.json"
        command = [
            sys.executable, "-m", "pytest", *(str(lab.path.relative_to(ROOT)) for lab in labs),
            "--backend", backend, "-p", "labkit.cli.outcomes", f"--labs-outcomes={results}", *extra,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                echo(line.rstrip("\n"))
        raw = json.loads(results.read_text(encoding="utf-8")) if results.is_file() else []
    return process.returncode, [
        Outcome(r["nodeid"], r["outcome"], r["reason"], r.get("evidence", ""), r.get("line", 0)) for r in raw
    ]
