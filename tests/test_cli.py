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
from labkit.cli.runner import Outcome
from labkit.cli.summary import claim

runner = CliRunner()
WIDE = {"COLUMNS": "400"}  # rich wraps at the terminal width; keep each table row on one line


def labs(*args: str):
    return runner.invoke(cli.app, list(args), env=WIDE)


# --- list -----------------------------------------------------------------------------------------------------


def test_list_shows_every_lab_with_its_title_sources_and_services():
    result = labs("list")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "dynamodb/query_vs_scan" in line)
    assert "Query reads one partition, scan reads the whole table" in row
    assert "004 'Developing on AWS' course, day two:" in row  # the source column names the note, then the section
    assert "dynamodb" in row.rsplit("│", 2)[-2]


def test_list_of_one_service_shows_only_its_labs():
    result = labs("list", "dynamodb")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.match(r"│ \w+/\w+", line)]
    assert any("dynamodb/query_vs_scan" in row for row in rows)
    assert all(row.startswith("│ dynamodb/") or "dynamodb" in row.rsplit("│", 2)[-2] for row in rows)
    assert not any(row.startswith("│ sqs/fifo") for row in rows)


def test_list_of_an_unknown_service_suggests_the_close_one():
    result = labs("list", "dynamo")
    assert result.exit_code == 2
    assert "no lab uses 'dynamo'; did you mean: dynamodb" in result.output
    assert "kinesis" not in result.output  # a hint, not every service


def test_list_names_the_notes_beside_their_file_numbers():
    assert "000 Today I Learned; 001 Solutions Architect Professional course notes" in labs("list").output


# --- show -----------------------------------------------------------------------------------------------------


def test_show_renders_the_readme_found_by_suffix():
    result = labs("show", "query_vs_scan")
    assert result.exit_code == 0, result.output
    assert "labs/dynamodb/query_vs_scan/README.md" in result.output
    assert "Query reads one partition, scan reads the whole table" in result.output
    assert "By hand" in result.output and "## By hand" not in result.output  # rendered, not raw markdown


def test_show_keeps_code_blocks_whole_and_commands_as_typed():
    result = runner.invoke(cli.app, ["show", "sqs/fifo"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    by_hand = result.output.split("By hand", 1)[1]
    command = next(line for line in by_hand.splitlines() if "create-queue" in line)
    assert command.startswith("Q=$(aws sqs") and command.endswith("\\"), command  # whole, no `$ ` prompt
    assert len(command) > 60  # not wrapped at the terminal width
    assert "<BLANKLINE>" not in result.output and "<...>" not in result.output


def test_show_names_each_note_it_comes_from():
    result = labs("show", "query_vs_scan")
    assert "from 004_28a3b4699c3392ea.txt ('Developing on AWS' course, day two)" in result.output


def test_show_without_a_lab_points_to_labs_list():
    result = labs("show")
    assert result.exit_code == 2 and "`labs list` shows every lab" in result.output


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


def test_run_of_a_misspelt_service_suggests_the_service_first():
    result = labs("run", "dynamo")
    assert result.exit_code == 2
    words = " ".join(result.output.replace("│", " ").split())  # unwrapped from typer's error box
    assert words.count("did you mean: dynamodb (the service), dynamodb/") == 1


def test_run_of_an_unknown_lab_or_backend_is_a_usage_error():
    unknown_lab = labs("run", "no_such_lab")
    assert unknown_lab.exit_code == 2 and "no service or lab called 'no_such_lab'" in unknown_lab.output
    unknown_backend = labs("run", "query_vs_scan", "--backend", "motto")
    assert unknown_backend.exit_code == 2 and "'motto' is not one of" in unknown_backend.output


def test_an_unconfirmed_aws_backend_is_refused_before_anything_runs():
    result = labs("run", "s3", "--backend", "aws")
    assert result.exit_code == 2 and "LABS_AWS_I_ACCEPT_REAL_CHARGES=yes" in result.output
    assert "note:" not in result.output and "test session starts" not in result.output


def test_claims_are_test_names_as_sentences_in_aws_spelling():
    assert claim("labs/a/b/test_b.py::test_scan_reads_every_item") == "Scan reads every item."
    assert claim("labs/a/b/test_b.py::TestX::test_limit_is_25[moto-26]") == "Limit is 25 (moto-26)."
    assert claim("x.py::test_s3_sends_to_the_dlq_after_1_mib") == "S3 sends to the DLQ after 1 MiB."
    assert claim("x.py::test_name_ends_in_dot_fifo") == "Name ends in .fifo."


def test_summary_tells_claims_in_the_order_of_the_test_file():
    outcomes = [
        Outcome("labs/s/l/test_l.py::test_zebra_first", "passed", "", line=3),
        Outcome("labs/s/l/test_l.py::test_apple_second", "passed", "", line=9),
    ]
    console = cli.Console(width=200, record=True)
    console.print(cli.summary(outcomes, "moto"))
    text = console.export_text()
    assert text.index("Zebra first") < text.index("Apple second")


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
    assert "diverges mark no longer true" in text and "Expired URL is refused." in text
    assert "1 failed" in text and "assert 3 == 4" in text


# --- serve ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_the_by_hand_environment_and_stops_cleanly_on_ctrl_c():
    # --port 0: the server takes a free port itself and prints it (a port picked here could be taken by another
    # worker's server before `labs serve` binds it). Started with SIGINT ignored, as a shell starts a background
    # job (`labs serve &`): it must stop on SIGINT all the same.
    process = subprocess.Popen(
        [sys.executable, "-m", "labkit.cli", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        printed: list[str] = []
        deadline = time.monotonic() + 30
        while not any("Ctrl-C" in line for line in printed):
            printed.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        exported = dict(
            line.removeprefix("export ").strip().split("=", 1) for line in printed if line.startswith("export ")
        )
        endpoint = exported["AWS_ENDPOINT_URL"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint) and not endpoint.endswith(":0")
        assert [line.strip() for line in printed if line.startswith("export ")] == export_lines(
            by_hand_environment(endpoint)
        )

        answer = requests.post(
            endpoint,
            data="Action=ListQueues&Version=2012-11-05",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=5,
        )
        assert answer.status_code == 200

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0  # a bound, not a timing claim: a server that hangs fails here
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    rest = "".join(iter(lambda: lines.get(timeout=5), "moto server stopped.\n"))
    assert "Traceback" not in "".join(printed) + rest


def test_serve_rejects_a_port_out_of_range():
    result = labs("serve", "--port", "65536")
    assert result.exit_code == 2 and "--port" in result.output


def test_serve_on_a_taken_port_says_so_once_with_the_fix():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = labs("serve", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 1
    assert result.output.count("error:") == 1 and "already in use" in result.output
    assert "--port 0 for a free one" in result.output


def test_serve_port_0_picks_a_free_port_and_prints_it(monkeypatch):
    started = []
    monkeypatch.setattr(cli, "_wait_for_interrupt", lambda: started.append(True))
    result = labs("serve", "--port", "0")
    assert result.exit_code == 0, result.output
    endpoint = re.search(r"export AWS_ENDPOINT_URL=http://127\.0\.0\.1:(\d+)", result.output)
    assert started and endpoint and int(endpoint.group(1)) > 0


def test_serve_localstack_that_cannot_start_says_how_to_start_it(monkeypatch):
    def cannot(port: int) -> int:
        raise cli.HostServerError("no Python 3.12 here")

    monkeypatch.setattr(cli.localstack_host, "start", cannot)
    result = labs("serve", "--backend", "localstack", "--port", str(free_port()))
    assert result.exit_code == 1
    assert "no Python 3.12 here" in result.output
    assert "docker compose up -d localstack" in result.output


# --- doctor ---------------------------------------------------------------------------------------------------


def test_doctor_reports_versions_backends_docker_and_host_python_without_cutting_text():
    result = runner.invoke(cli.app, ["doctor"], env={"COLUMNS": "80"})
    assert result.exit_code in (0, 1), result.output
    rows = dict(re.findall(r"^(?:ok|missing|absent)\s+([^:]+): (.*)$", result.output, re.M))
    for package in ("boto3", "botocore", "moto", "pytest", "awscli", "localstack-client", "awslambdaric"):
        assert re.match(r"\d+\.\d+", rows[package]), rows[package]
    for check in ("backend moto", "backend moto-server", "backend ministack", "backend localstack", "backend aws"):
        assert check in rows
    assert "…" not in result.output  # nothing cut at 80 columns
    assert "LABS_AWS_I_ACCEPT_REAL_CHARGES=yes" in result.output or "not contacted" in rows["backend aws"]


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


def test_run_picks_ministack_for_a_lab_that_needs_lambda_execution(tmp_path):
    from labkit.catalog import Lab

    lab = Lab(tmp_path, "t", ("lambda",), (), needs=("lambda-execution",))
    assert cli._backend_for(lab, "moto") == ("ministack", "lambda-execution")
    assert cli._backend_for(lab, "ministack") == ("ministack", None)
    assert cli._backend_for(Lab(tmp_path, "t", ("s3",), ()), "moto") == ("moto", None)
