"""The ``labs`` command, through typer's CliRunner (and ``labs serve`` as the real process a reader starts)."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import requests
from typer.testing import CliRunner

from labkit import cli
from labkit.cli.byhand import by_hand_environment, export_lines
from labkit.cli.runner import Outcome, claim

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # rich wraps at the terminal width; keep each table row on one line


def labs(*args: str):
    return runner.invoke(cli.app, list(args), env=WIDE)


# --- list -----------------------------------------------------------------------------------------------------


def test_list_shows_every_lab_with_its_title_sources_and_services():
    result = labs("list")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "dynamodb/query_vs_scan" in line)
    assert "Query reads one partition, scan reads the whole table" in row
    assert "004: Module 8 (Processing your database operations)" in row
    assert "dynamodb" in row.rsplit("│", 2)[-2]


def test_list_of_one_service_shows_only_its_labs():
    result = labs("list", "dynamodb")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.match(r"│ \w+/\w+", line)]
    assert any("dynamodb/query_vs_scan" in row for row in rows)
    assert all("dynamodb" in row.rsplit("│", 2)[-2] for row in rows)


def test_list_of_an_unknown_service_is_a_usage_error_naming_the_services():
    result = labs("list", "dynamo")
    assert result.exit_code == 2
    assert "no lab uses 'dynamo'" in result.output and "dynamodb" in result.output


# --- show -----------------------------------------------------------------------------------------------------


def test_show_renders_the_readme_found_by_suffix():
    result = labs("show", "query_vs_scan")
    assert result.exit_code == 0, result.output
    assert "labs/dynamodb/query_vs_scan/README.md" in result.output
    assert "Query reads one partition, scan reads the whole table" in result.output
    assert "By hand" in result.output and "## By hand" not in result.output  # rendered, not raw markdown


def test_show_of_an_unknown_lab_lists_close_matches():
    result = labs("show", "query_vs_scna")
    assert result.exit_code == 2
    assert "no lab called 'query_vs_scna'" in result.output
    assert "query_vs_scan" in result.output.split("did you mean")[1]


# --- run ------------------------------------------------------------------------------------------------------


def test_run_summarises_claims_shown_and_divergences_with_reasons():
    chosen = "query_reads_only_the_items_of_one_partition or 1_mb_is_1_mib"
    result = labs("run", "dynamodb/query_vs_scan", "--backend", "moto", "-k", chosen, "-p", "no:randomly")
    assert result.exit_code == 0, result.output
    summary = result.output.split("What the labs demonstrated on moto")[1]
    assert "1 shown" in summary
    assert "✓ Query reads only the items of one partition." in summary
    assert "1 diverges here" in summary
    assert "moto diverges: stops a page at 1,000,000 bytes" in summary


def test_run_of_an_unknown_lab_or_backend_is_a_usage_error():
    unknown_lab = labs("run", "no_such_lab")
    assert unknown_lab.exit_code == 2 and "no lab called 'no_such_lab'" in unknown_lab.output
    unknown_backend = labs("run", "query_vs_scan", "--backend", "motto")
    assert unknown_backend.exit_code == 2 and "'motto' is not one of" in unknown_backend.output


def test_claims_are_test_names_as_sentences():
    assert claim("labs/a/b/test_b.py::test_scan_reads_every_item") == "Scan reads every item."
    assert claim("labs/a/b/test_b.py::TestX::test_limit_is_25[moto-26]") == "Limit is 25 (moto-26)."


def test_summary_lists_skips_xpasses_and_failures_with_their_reasons():
    outcomes = [
        Outcome("labs/s/l/test_l.py::test_a_url_answers", "skipped", "needs http-endpoint: run with moto-server"),
        Outcome("labs/s/l/test_l.py::test_expired_url_is_refused", "xpassed", "moto diverges: accepts it"),
        Outcome("labs/s/l/test_l.py::test_count_is_4", "failed", "assert 3 == 4"),
    ]
    console = cli.Console(width=200, record=True)
    console.print(cli.summary(outcomes, "moto"))
    text = console.export_text()
    assert "s/l" in text
    assert "1 skipped" in text and "needs http-endpoint: run with moto-server" in text
    assert "diverges mark no longer true" in text and "Expired url is refused." in text
    assert "1 failed" in text and "assert 3 == 4" in text


# --- serve ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_the_by_hand_environment_and_stops_cleanly_on_ctrl_c():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "labkit.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        printed: list[str] = []
        deadline = time.monotonic() + 20
        while not any("Ctrl-C" in line for line in printed):
            printed.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        exported = dict(
            line.removeprefix("export ").strip().split("=", 1) for line in printed if line.startswith("export ")
        )
        assert [line.strip() for line in printed if line.startswith("export ")] == export_lines(
            by_hand_environment(f"http://127.0.0.1:{port}")
        )
        assert exported["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"

        answer = requests.post(
            exported["AWS_ENDPOINT_URL"],
            data="Action=ListQueues&Version=2012-11-05",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=5,
        )
        assert answer.status_code == 200

        stopping = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - stopping < 3
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    rest = "".join(iter(lambda: lines.get(timeout=2), "moto server stopped.\n"))
    assert "Traceback" not in "".join(printed) + rest


def test_serve_rejects_a_port_out_of_range():
    result = labs("serve", "--port", "0")
    assert result.exit_code == 2 and "--port" in result.output


def test_serve_localstack_without_a_launcher_says_how_to_start_it(monkeypatch):
    monkeypatch.setattr(cli, "_host_launcher", lambda: None)
    result = labs("serve", "--backend", "localstack", "--port", str(free_port()))
    assert result.exit_code == 1
    assert "LocalStack is not answering" in result.output
    assert "docker compose up -d localstack" in result.output


# --- doctor ---------------------------------------------------------------------------------------------------


def test_doctor_reports_versions_backends_docker_and_host_python():
    result = labs("doctor")
    assert result.exit_code in (0, 1), result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.startswith("│")}
    for package in ("boto3", "botocore", "moto", "pytest", "awscli", "localstack-client", "awslambdaric"):
        assert re.search(r"ok\s+│ \d+\.\d+", rows[package]), rows[package]
    assert "ok" in rows["backend moto"] and "ok" in rows["backend moto-server"]
    for check in ("backend localstack", "backend aws", "Docker", "Python 3.12+ for host LocalStack"):
        assert re.search(r"│ (ok|absent|missing) ", rows[check]), rows[check]
    assert "not contacted" in rows["backend aws"] or "LABS_AWS_I_ACCEPT_REAL_CHARGES" in rows["backend aws"]


# --- index ----------------------------------------------------------------------------------------------------


def test_index_check_names_the_command_that_regenerates(tmp_path, monkeypatch):
    from labkit import coverage

    monkeypatch.setattr(coverage, "INDEX_FILE", tmp_path / "README.md")
    monkeypatch.setattr(coverage, "COVERAGE_FILE", tmp_path / "coverage.md")
    monkeypatch.setattr(coverage, "ROOT", tmp_path)
    stale = labs("index")
    assert stale.exit_code == 1 and "run: labs index --write" in stale.output
    written = labs("index", "--write")
    assert written.exit_code == 0 and "wrote README.md" in written.output
    assert labs("index").exit_code == 0
