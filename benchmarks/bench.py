"""Timings of the suite against its targets, each the median of several fresh-process runs, moto and
moto-server side by side (MiniStack and LocalStack beside them); writes docs/benchmarks.md. Not a test:
numbers, not verdicts.

    python benchmarks/bench.py                  # the targets, start-up, overhead, Lambda, every folder
    python benchmarks/bench.py --runs 5         # medians of five
    python benchmarks/bench.py --quick          # start-up, overhead and Lambda only (a minute)
    python benchmarks/bench.py --readme-command # also the README's test command (minutes)

Measured here: `pytest labs/dynamodb` and `pytest labs` (serial and -n 2) on moto and moto-server, each against
its target and, per test, against the target's time a test (the suite has grown since the targets were set);
each backend's start-up, the harness's per-test overhead (an empty lab taking one client), a Lambda function's
cold start and warm invoke (the local execution environment on moto, the Lambda API on MiniStack), and
per-folder wall times.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks.md"
Section = tuple[str, list[str], list[Sequence[str]]]

#: The targets of the speed issue, as (what: limit in seconds, how many tests that run had when they were set).
#: The suite has grown since (more labs, more tests a lab), so each row also gives its time a test beside the
#: target's: the absolute limit stays the verdict.
TARGETS = {
    "pytest labs/dynamodb, moto, cold process": (3.0, 92),
    "pytest labs, moto, serial": (45.0, 533),
    "pytest labs, moto, -n 2": (30.0, 533),
    "the README's test command (pytest: labs, tests, By hand), 2 cores": (150.0, 754),
}
MOTO_SERVER_RATIO = 1.3  # moto-server at most 1.3x moto on the DynamoDB labs


def pytest_seconds(paths: Sequence[str], backend: str, *extra: str, cwd: Path = ROOT) -> tuple[float, int]:
    """Wall seconds of one pytest run in a fresh process (random order off, no cache), and its exit code."""
    command = [sys.executable, "-m", "pytest", *paths, "--backend", backend, "-q", "-p", "no:randomly",
               "-p", "no:cacheprovider", *extra]  # fmt: skip
    started = time.perf_counter()
    code = subprocess.run(command, cwd=cwd, capture_output=True).returncode
    return time.perf_counter() - started, code


def median_of(runs: int, measure: Callable[[], tuple[float, int]]) -> tuple[float, list[float], int]:
    """(median seconds, every run's seconds, the worst exit code) of ``runs`` measurements."""
    results = [measure() for _ in range(runs)]
    seconds = [s for s, _ in results]
    return statistics.median(seconds), seconds, max(code for _, code in results)


def _cell(median: float, every: list[float], code: int) -> str:
    spread = f" ({min(every):.1f}-{max(every):.1f})" if len(every) > 1 else ""
    return f"{median:.1f}{spread}" + ("" if code in (0,) else f" exit {code}")


def against(limit: float, median: float) -> str:
    return f"{'met' if median < limit else 'MISSED'} (< {limit:g} s)"


def targets(runs: int, with_readme: bool) -> Section:
    """Each target's median on moto, and moto-server beside it."""
    rows: list[Sequence[str]] = []
    measures = [
        ("pytest labs/dynamodb, moto, cold process", ["labs/dynamodb"], "moto", ()),
        ("pytest labs/dynamodb, moto-server", ["labs/dynamodb"], "moto-server", ()),
        ("pytest labs, moto, serial", ["labs"], "moto", ()),
        ("pytest labs, moto-server, serial", ["labs"], "moto-server", ()),
        ("pytest labs, moto, -n 2", ["labs"], "moto", ("-n", "2")),
        ("pytest labs, moto-server, -n 2", ["labs"], "moto-server", ("-n", "2")),
    ]
    found: dict[str, float] = {}
    for name, paths, backend, extra in measures:
        median, every, code = median_of(runs, lambda p=paths, b=backend, e=extra: pytest_seconds(p, b, *e))
        found[name] = median
        rows.append((name, _cell(median, every, code), *_against_target(name, median, collected(paths))))
        print(name, rows[-1][1], flush=True)
    ratio = found["pytest labs/dynamodb, moto-server"] / found["pytest labs/dynamodb, moto, cold process"]
    rows.append(("moto-server / moto, labs/dynamodb", f"{ratio:.2f}x", against_ratio(ratio), "", ""))
    if with_readme:
        name = "the README's test command (pytest: labs, tests, By hand), 2 cores"
        median, every, code = median_of(runs, readme_command)
        rows.append((name, _cell(median, every, code), *_against_target(name, median, collected([]))))
    return (
        "Targets (median seconds of fresh-process runs; the spread in brackets)",
        ["run", "seconds", "target", "tests: now (when the target was set)", "ms a test (the target's)"],
        rows,
    )


def _against_target(name: str, median: float, tests: int) -> tuple[str, str, str]:
    """The target cells of a row: the verdict, the test counts, and the time a test beside the target's."""
    if name not in TARGETS:
        return "", f"{tests:,}", f"{median / tests * 1000:.0f}"
    limit, then = TARGETS[name]
    return against(limit, median), f"{tests:,} ({then})", f"{median / tests * 1000:.0f} ({limit / then * 1000:.0f})"


def collected(paths: Sequence[str]) -> int:
    """How many tests pytest collects from ``paths`` (none: the whole suite)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", *paths],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    return sum(1 for line in done.stdout.splitlines() if "::" in line)


def against_ratio(ratio: float) -> str:
    return f"{'met' if ratio <= MOTO_SERVER_RATIO else 'MISSED'} (<= {MOTO_SERVER_RATIO}x)"


def readme_command() -> tuple[float, int]:
    """The README's second command's test part: `pytest -n auto` with the project's defaults (random order on)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "auto", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:  # a failing run is not a timing: name what failed
        print("\n".join(line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))))
    return time.perf_counter() - started, done.returncode


def backend_startup(runs: int) -> Section:
    """Time to a usable backend, each in a fresh interpreter (imports included), beside a bare boto3 import."""
    probes = {
        "(baseline: python -c 'import boto3')": "import boto3",
        "moto: import, first mock_aws": "from moto import mock_aws; m = mock_aws(); m.start(); m.stop()",
        "moto-server: start a server": "from labkit.backends import MotoServerBackend as B; b = B(); b.start()",
        "ministack: start it (installed)": "from labkit.backends import make_backend; b = make_backend('ministack'); "
        "b.start(); b.stop()",
        "localstack: health check": "from labkit.backends import LocalStackBackend as B; B(check_timeout=1).health()",
    }
    rows: list[Sequence[str]] = []
    for name, code in probes.items():
        median, every, worst = median_of(runs, lambda c=code: _python_seconds(c))
        rows.append((name, "not available" if worst else f"{median * 1000:.0f} ms"))
    return ("Backend start-up (a fresh interpreter each; median)", ["backend", "time"], rows)


def _python_seconds(code: str) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    return time.perf_counter() - started, done.returncode


EMPTY_LAB = """
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_empty(aws_client, unique_name, n):
    aws_client("sqs")
"""


def harness_overhead(backend: str, runs: int, count: int = 200) -> float:
    """Milliseconds per test of a lab that does nothing but take a client: (run of N) - (run of 1), over N - 1,
    each the median of ``runs`` (one run of each varied by more than the difference, and once came out below 0)."""
    with tempfile.TemporaryDirectory() as folder:
        lab = Path(folder)
        (lab / "conftest.py").write_text('pytest_plugins = ["labkit.plugin"]\n')
        timings = {}
        for n in (1, count):
            (lab / "test_empty.py").write_text(EMPTY_LAB.format(count=n))
            timings[n], _, _ = median_of(runs, lambda: pytest_seconds([str(lab)], backend, cwd=lab))
    return (timings[count] - timings[1]) / (count - 1) * 1000


LAMBDA_TEST = """
import json, statistics, time
from pathlib import Path

def test_cold_and_warm(lambda_function, tmp_path, backend):
    handler = tmp_path / "bench_handler.py"
    handler.write_text("def handler(event, context):\\n    return event\\n")
    function = lambda_function(handler, handler="bench_handler.handler")
    started = time.perf_counter(); first = function.invoke({{"n": 0}}); cold = time.perf_counter() - started
    warm = []
    for n in range({warm}):
        started = time.perf_counter(); function.invoke({{"n": n}}); warm.append(time.perf_counter() - started)
    init = first.report.init_duration_ms if first.report else None
    Path({out!r}).write_text(json.dumps([cold * 1000, init, statistics.median(warm) * 1000]))
"""


def lambda_timings(backend: str, warm: int = 20) -> tuple[float, float | None, float] | None:
    """(cold invoke ms, Init Duration ms or None, median warm invoke ms): a handler returning its event, invoked
    through the lab fixture (the local execution environment on moto, the Lambda API on MiniStack)."""
    import json

    with tempfile.TemporaryDirectory() as folder:
        lab, out = Path(folder), Path(folder) / "result.json"
        (lab / "conftest.py").write_text('pytest_plugins = ["labkit.plugin", "labkit.lambda_fixtures"]\n')
        (lab / "test_lambda.py").write_text(LAMBDA_TEST.format(warm=warm, out=str(out)))
        pytest_seconds([str(lab)], backend, cwd=lab)
        if not out.is_file():
            return None
        cold, init, median = json.loads(out.read_text())
        return cold, init, median


def lambda_section() -> Section:
    rows: list[Sequence[str]] = []
    for backend, how in (("moto", "local execution environment (awslambdaric)"), ("ministack", "Lambda API")):
        found = lambda_timings(backend)
        if found is None:
            rows.append((backend, how, "failed", "", ""))
            continue
        cold, init, warm = found
        rows.append((backend, how, f"{cold:.0f}", "-" if init is None else f"{init:.0f}", f"{warm:.1f}"))
    return (
        "Lambda: a handler returning its event (ms; median of 20 warm invokes)",
        ["backend", "runs the code", "cold invoke", "Init Duration", "warm invoke"],
        rows,
    )


def services() -> list[str]:
    return sorted(p.name for p in (ROOT / "labs").iterdir() if p.is_dir() and any(p.glob("*/test_*.py")))


def localstack_up() -> bool:
    from labkit.backends import BackendError, LocalStackBackend

    try:
        LocalStackBackend(check_timeout=1).health()
    except BackendError:
        return False
    return True


def folders_section() -> Section:
    columns = ["moto", "moto-server", "ministack"] + (["localstack"] if localstack_up() else [])
    rows: list[Sequence[str]] = []
    for folder in (f"labs/{s}" for s in services()):
        cells = []
        for backend in columns:
            seconds, code = pytest_seconds([folder], backend)
            cells.append(f"{seconds:.1f}" + ("" if code in (0, 5) else f" (exit {code})"))
        rows.append((folder, *cells))
        print(folder, *cells, flush=True)
    return ("Wall time of pytest per folder, seconds (fresh process, serial, one run)", ["folder", *columns], rows)


def render(sections: list[Section], runs: int) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    lines = [
        "# Benchmarks",
        "",
        f"`python benchmarks/bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: Python {platform.python_version()},",
        f"{platform.machine()}, {os.cpu_count()} cores, load average at the end {' '.join(load)}; medians of {runs}",
        "fresh-process runs. Numbers, not pass/fail: rerun to compare.",
    ]
    for title, headers, rows in sections:
        lines += ["", f"## {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--quick", action="store_true", help="start-up, overhead and Lambda only")
    parser.add_argument("--readme-command", action="store_true", help="also time the README's test command")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    sections: list[Section] = []
    if not args.quick:
        sections.append(targets(args.runs, args.readme_command))
    sections.append(backend_startup(args.runs))
    overhead = [(b, f"{harness_overhead(b, args.runs):.1f}") for b in ("moto", "moto-server", "ministack")]
    sections.append(
        ("Harness overhead per test (an empty lab taking one client, 200 tests; medians)", ["backend", "ms"], overhead)
    )
    sections.append(lambda_section())
    if not args.quick:
        sections.append(folders_section())
    page = render(sections, args.runs)
    print(page)
    if not args.no_write:
        OUT.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
