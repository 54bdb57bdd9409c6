"""Isolation, proven: the whole suite (labs and tests/ together) in random order, over many seeds, serial and
on two workers; every failure named with its seed, so it can be replayed. Not a benchmark: zero failures is
the only acceptable result.

    python benchmarks/stress.py                       # 10 seeds x (serial, -n 2), the By hand steps excluded
    python benchmarks/stress.py --seeds 1 --modes 0 tests labs/sqs labs/dynamodb labs/s3 labs/iam   # what CI runs
    python benchmarks/stress.py --seeds 3 -- labs/sqs tests/test_backend_selection.py   # a narrower suite

Replay a failure with: pytest -p randomly --randomly-seed=<seed> [-n 2] <paths>
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The By hand steps run the AWS CLI against their own moto servers, one README at a time on purpose: they do
#: not share state with the rest, and repeating them ten times adds minutes and no evidence about isolation.
DEFAULT_DESELECT = "not by_hand_steps"


@dataclass(frozen=True)
class Run:
    """One pytest run: its seed, worker count, exit code, failing tests and wall seconds."""

    seed: int
    workers: int
    code: int
    failures: tuple[str, ...]
    seconds: float

    @property
    def mode(self) -> str:
        return "serial" if self.workers == 0 else f"-n {self.workers}"


def run_once(seed: int, workers: int, paths: Sequence[str], deselect: str) -> Run:
    """The suite once, in the order ``seed`` gives, serially or on ``workers`` processes."""
    with tempfile.TemporaryDirectory(prefix="labs-stress-") as folder:
        outcomes = Path(folder) / "outcomes.json"
        command = [
            sys.executable, "-m", "pytest", *paths, "-q", "-p", "randomly", f"--randomly-seed={seed}",
            "-p", "labkit.cli.outcomes", f"--labs-outcomes={outcomes}", "-p", "no:cacheprovider",
            *(["-k", deselect] if deselect else []), *(["-n", str(workers)] if workers else []),
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        records = json.loads(outcomes.read_text()) if outcomes.is_file() else []
    failures = tuple(
        sorted(f"{r['nodeid']}: {r.get('reason', '')}" for r in records if r["outcome"] in ("failed", "xpassed"))
    )
    if done.returncode not in (0, 1, 5) or (done.returncode == 1 and not failures):  # an error outside a test
        failures += (f"pytest exited {done.returncode}: {(done.stdout + done.stderr).strip()[-500:]}",)
    return Run(seed, workers, done.returncode, failures, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (1, 2, ... N)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--modes", default="0,2", help="worker counts to run each seed with; 0 is serial")
    parser.add_argument("-k", dest="deselect", default=DEFAULT_DESELECT, help="pytest -k expression")
    parser.add_argument("paths", nargs="*", help="what to run (default: the project's testpaths, labs and tests)")
    args = parser.parse_args(argv)
    modes = [int(m) for m in args.modes.split(",")]
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for workers in modes:
            run = run_once(seed, workers, args.paths, args.deselect)
            runs.append(run)
            verdict = "ok" if not run.failures else f"{len(run.failures)} FAILED"
            print(f"seed {seed:>3}  {run.mode:<7} {run.seconds:6.1f} s  {verdict}", flush=True)
            for failure in run.failures:
                print(f"      {failure}")
    failed = [run for run in runs if run.failures]
    print(f"\n{len(runs)} runs ({args.seeds} seeds x {', '.join(r.mode for r in runs[: len(modes)])}): "
          f"{len(failed)} with failures")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
