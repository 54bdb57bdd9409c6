"""Side-by-side timings of the suite on each backend; writes docs/benchmarks.md. Not a test: numbers, not verdicts.

    python benchmarks/bench.py                 # everything (a few minutes)
    python benchmarks/bench.py --quick         # start-up, overhead and Lambda only (seconds)

Measures: wall time of `pytest labs` and of each service folder on moto and moto-server (and LocalStack's
folders when one answers), each backend's start-up cost, the harness's per-test overhead (an empty lab),
and a Lambda execution environment's cold start and warm invoke.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks.md"
LOCALSTACK_FOLDERS = ("s3", "sqs", "sns", "events", "kinesis", "firehose", "stepfunctions")
TARGETS = {
    "dynamodb": "under 5 s wall on moto",
    "labs": "under 90 s serial on moto; moto-server within 1.5x of moto",
    "overhead": "under 10 ms a test",
}


def pytest_wall(paths: Sequence[str], backend: str, *extra: str, cwd: Path = ROOT) -> tuple[float, int]:
    """Wall seconds of one pytest run in a fresh process, and its exit code."""
    command = [sys.executable, "-m", "pytest", *paths, "--backend", backend, "-q", "-p", "no:randomly",
               "-p", "no:cacheprovider", *extra]  # fmt: skip
    started = time.perf_counter()
    code = subprocess.run(command, cwd=cwd, capture_output=True).returncode
    return time.perf_counter() - started, code


def services() -> list[str]:
    return sorted(p.name for p in (ROOT / "labs").iterdir() if p.is_dir() and any(p.glob("*/test_*.py")))


def backend_startup() -> list[tuple[str, str]]:
    """Time to a usable backend, each in a fresh interpreter (imports included), beside a bare boto3 import."""
    probes = {
        "(baseline: python -c 'import boto3')": "import boto3",
        "moto: import, first mock_aws": "from moto import mock_aws; m = mock_aws(); m.start(); m.stop()",
        "moto-server: start a server": "from labkit.backends import MotoServerBackend as B; b = B(); b.start()",
        "localstack: health check": "from labkit.backends import LocalStackBackend as B; B(check_timeout=1).health()",
    }
    rows = []
    for name, code in probes.items():
        seconds = _python_seconds(code)
        rows.append((name, "not running" if seconds is None else f"{seconds * 1000:.0f} ms"))
    return rows


def _python_seconds(code: str) -> float | None:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    return time.perf_counter() - started if done.returncode == 0 else None


EMPTY_LAB = """
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_empty(aws_client, unique_name, n):
    aws_client("sqs")
"""


def harness_overhead(backend: str, count: int = 200) -> float:
    """Milliseconds per test of a lab that does nothing but take a client: (run of N) - (run of 1), over N - 1."""
    with tempfile.TemporaryDirectory() as folder:
        lab = Path(folder)
        (lab / "conftest.py").write_text('pytest_plugins = ["labkit.plugin"]\n')
        timings = {}
        for n in (1, count):
            (lab / "test_empty.py").write_text(EMPTY_LAB.format(count=n))
            timings[n], _ = pytest_wall([str(lab)], backend, cwd=lab)
    return (timings[count] - timings[1]) / (count - 1) * 1000


def lambda_timings(warm_invokes: int = 20) -> tuple[float, float, float]:
    """(cold start wall ms, its Init Duration ms, median warm invoke wall ms) of a trivial handler."""
    from labkit.lambda_runtime import ExecutionEnvironment, FunctionConfig

    with tempfile.TemporaryDirectory() as folder:
        code = Path(folder)
        (code / "app.py").write_text("def handler(event, context):\n    return event\n")
        environment = ExecutionEnvironment(
            FunctionConfig("bench", "app.handler"), code, endpoint_url="http://127.0.0.1:9"
        )
        try:
            started = time.perf_counter()
            first = environment.invoke(b'{"n": 0}')
            cold = (time.perf_counter() - started) * 1000
            warm = []
            for n in range(warm_invokes):
                started = time.perf_counter()
                environment.invoke(f'{{"n": {n}}}'.encode())
                warm.append((time.perf_counter() - started) * 1000)
        finally:
            environment.stop()
    return cold, first.report.init_duration_ms or 0.0, statistics.median(warm)


def localstack_up() -> bool:
    from labkit.backends import BackendError, LocalStackBackend

    try:
        LocalStackBackend(check_timeout=1).health()
    except BackendError:
        return False
    return True


def render(sections: list[tuple[str, list[str], list[Sequence[str]]]]) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    lines = [
        "# Benchmarks",
        "",
        f"`python benchmarks/bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()},",
        f"{platform.machine()}, load average at the end {' '.join(load)}. Numbers, not pass/fail: rerun to compare.",
        "",
        "Targets: " + "; ".join(f"{k}: {v}" for k, v in TARGETS.items()) + ".",
    ]
    for title, headers, rows in sections:
        lines += ["", f"## {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the full-suite timings")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    sections: list[tuple[str, list[str], list[Sequence[str]]]] = []

    sections.append(("Backend start-up (a fresh interpreter each)", ["backend", "time"], backend_startup()))
    sections.append((
        "Harness overhead per test (an empty lab taking one client, 200 tests)",
        ["backend", "ms per test"],
        [(b, f"{harness_overhead(b):.1f}") for b in ("moto", "moto-server")],
    ))  # fmt: skip
    cold, init, warm = lambda_timings()
    sections.append((
        "Lambda execution environment (awslambdaric, a handler returning its event)",
        ["measure", "ms"],
        [
            ("cold start, wall", f"{cold:.0f}"),
            ("Init Duration", f"{init:.0f}"),
            ("warm invoke, median wall", f"{warm:.1f}"),
        ],
    ))  # fmt: skip
    if not args.quick:
        columns = ["moto", "moto-server"] + (["localstack"] if localstack_up() else [])
        rows: list[Sequence[str]] = []
        for folder in ["labs", *(f"labs/{s}" for s in services())]:
            cells = []
            for backend in columns:
                paths = [folder]
                if backend == "localstack":  # only the folders LocalStack serves on the host
                    if folder == "labs":
                        paths = [f"labs/{s}" for s in LOCALSTACK_FOLDERS]
                    elif folder.removeprefix("labs/") not in LOCALSTACK_FOLDERS:
                        cells.append("-")
                        continue
                seconds, code = pytest_wall(paths, backend)
                cells.append(f"{seconds:.1f}" + ("" if code == 0 else f" (exit {code})"))
            rows.append((folder, *cells))
            print(folder, *cells, flush=True)
        title = "Wall time of pytest, seconds (fresh process, serial; LocalStack: only the folders it serves)"
        sections.append((title, ["folder", *columns], rows))
    page = render(sections)
    print(page)
    if not args.no_write:
        OUT.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
