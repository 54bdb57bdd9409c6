"""The parity matrix: each lab's status on each backend, built from the test runs' own outcome files.

A run writes its outcomes with ``pytest labs --backend B -p labkit.cli.outcomes --labs-outcomes DIR/B.json``;
this module turns a folder of such files into ``docs/parity.md``: pass, diverges (with the reasons),
skipped (with the reason), or FAIL, per lab and backend.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from labkit.catalog import LABS_DIR, Lab, lab_of, survey
from labkit.cli.runner import run_pytest

BACKEND_ORDER = ("moto", "moto-server", "ministack", "localstack", "aws")
PARITY_PAGE = LABS_DIR.parent / "docs" / "parity.md"
REGENERATE = "labs parity --run --write"


@dataclass
class Cell:
    """One lab on one backend: how many tests did what, and why (with the evidence) the ones that did not pass."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reasons: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    def add(self, outcome: str, reason: str, evidence: str = "") -> None:
        self.counts[outcome] += 1
        if reason and outcome != "passed":
            self.reasons[outcome].add((reason.strip().splitlines()[0], evidence))

    def summary(self) -> str:
        """``pass 9``, ``pass 7, diverges 2``, ``skipped 4``, or ``FAIL 1, pass 3``."""
        broken = self.counts["failed"] + self.counts["xpassed"]
        parts = [f"FAIL {broken}"] if broken else []
        parts += [f"{label} {self.counts[key]}" for key, label in _LABELS if self.counts[key]]
        return ", ".join(parts)


_LABELS = (("passed", "pass"), ("xfailed", "diverges"), ("skipped", "skipped"))


def build(outcomes: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, dict[str, Cell]]:
    """{lab: {backend: Cell}} from {backend: [outcome, ...]}."""
    matrix: dict[str, dict[str, Cell]] = defaultdict(dict)
    for backend, records in outcomes.items():
        for record in records:
            lab = lab_of(str(record["nodeid"]))
            if lab is not None:
                cell = matrix[lab].setdefault(backend, Cell())
                cell.add(str(record["outcome"]), str(record.get("reason", "")), str(record.get("evidence", "")))
    return dict(matrix)


def load(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """The outcome files ``<backend>.json`` found in ``directory``."""
    found = {
        b: json.loads((directory / f"{b}.json").read_text())
        for b in BACKEND_ORDER
        if (directory / f"{b}.json").is_file()
    }
    if not found:
        raise FileNotFoundError(f"no outcome files ({', '.join(b + '.json' for b in BACKEND_ORDER)}) in {directory}")
    return found


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def render(matrix: Mapping[str, Mapping[str, Cell]], backends: Iterable[str]) -> str:
    """The Markdown page: totals per backend, the matrix, then every divergence and skip with its reason and
    evidence."""
    backends = [b for b in BACKEND_ORDER if b in set(backends)]
    totals = {b: Cell() for b in backends}
    for per_backend in matrix.values():
        for backend, found in per_backend.items():
            if backend in totals:
                for outcome, count in found.counts.items():
                    totals[backend].counts[outcome] += count
    lines = [
        "# Parity: every lab on every backend",
        "",
        f"Generated from the test runs themselves (`{REGENERATE}`); CI checks it is current.",
        "A count is the number of tests; *diverges* are strict xfails: the lab asserts AWS's behaviour and",
        "that backend falls short (reasons, with how we know what AWS does, below). *skipped*: the backend does not",
        "serve what the test needs (the reason says what). *not run*: no run of that backend reached the lab.",
        "",
        "| tests | " + " | ".join(backends) + " |",
        "|---|" + "---|" * len(backends),
        "| all labs | " + " | ".join(totals[b].summary() for b in backends) + " |",
        "",
        "| lab | " + " | ".join(backends) + " |",
        "|---|" + "---|" * len(backends),
    ]
    for lab in sorted(matrix):
        cells = [matrix[lab][b].summary() if b in matrix[lab] else "not run" for b in backends]
        lines.append(f"| [{lab}](../labs/{lab}/README.md) | " + " | ".join(cells) + " |")
    details = []
    for lab in sorted(matrix):
        for backend in backends:
            cell = matrix[lab].get(backend)
            for outcome in ("failed", "xpassed", "xfailed", "skipped"):
                for reason, evidence in sorted(cell.reasons.get(outcome, ())) if cell else ():
                    label = {"xfailed": "diverges", "xpassed": "FIXED? diverges mark no longer holds"}.get(
                        outcome, outcome
                    )
                    details.append(f"| {lab} | {backend} | {label} | {_cell(reason)} | {_cell(evidence)} |")
    if details:
        lines += ["", "## Why", "", "| lab | backend | status | reason | evidence |", "|---|---|---|---|---|"]
        lines += details
    return "\n".join(lines) + "\n"


def run_backend(backend: str, out: Path, labs: Sequence[Lab] | None = None) -> int:
    """Run the labs (all by default) on one backend, writing ``out/<backend>.json``; returns pytest's exit code."""
    code, outcomes = run_pytest(labs or survey()[0], backend, ["-q", "-p", "no:randomly"], echo=lambda _: None)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{backend}.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1), encoding="utf-8")
    return code
