"""A LocalStack that is not there fails the run within seconds, saying how to start one."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_labs(pytester: pytest.Pytester, localstack_host: str) -> tuple[subprocess.CompletedProcess[str], float]:
    pytester.makepyfile("def test_never_runs(aws_client):\n    raise AssertionError('must not run')\n")
    env = {"LABS_BACKEND": "localstack", "LOCALSTACK_HOST": localstack_host, "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "labkit.plugin", "-p", "no:randomly", str(pytester.path)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        cwd=pytester.path,
    )
    return done, time.monotonic() - started


def test_nothing_listening_fails_fast_with_how_to_start_it(pytester):
    done, seconds = run_labs(pytester, f"127.0.0.1:{free_port()}")

    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "LocalStack is not answering" in done.stderr
    assert "docker compose up -d localstack" in done.stderr
    assert "must not run" not in done.stdout
    assert seconds < 5, f"took {seconds:.1f} s"


def test_a_port_that_accepts_but_never_answers_fails_within_five_seconds(pytester):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        done, seconds = run_labs(pytester, f"127.0.0.1:{port}")

    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "LocalStack is not answering" in done.stderr
    assert seconds < 5, f"took {seconds:.1f} s"


class _Health(http.server.BaseHTTPRequestHandler):
    """Answers LocalStack's health check and nothing else: enough to select the backend."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = json.dumps({"services": {"s3": "running"}, "version": "stand-in"}).encode()
        self.send_response(200 if self.path == "/_localstack/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def healthy_localstack(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{server.server_address[1]}")
    yield
    server.shutdown()


LAB_TOML = """title = "t"
services = ["{service}"]
sources = [{{ file = "000_48eea6add3d1ef8f.txt", section = "[DB] PartiQL" }}]
"""


def test_a_lab_using_dynamodb_skips_on_host_localstack_naming_what_is_missing(pytester, healthy_localstack):
    lab = pytester.mkdir("labs").joinpath("dynamodb")
    lab.mkdir()
    (lab / "lab.toml").write_text(LAB_TOML.format(service="dynamodb"))
    (lab / "test_t.py").write_text("def test_needs_a_table():\n    raise AssertionError('must not run')\n")
    other = pytester.path / "labs" / "sqs"
    other.mkdir()
    (other / "lab.toml").write_text(LAB_TOML.format(service="sqs"))
    (other / "test_q.py").write_text("def test_runs():\n    pass\n")

    result = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "-rs", "--backend", "localstack")

    result.assert_outcomes(skipped=1, passed=1)
    result.stdout.fnmatch_lines(["*this lab uses dynamodb: host-mode LocalStack has no DynamoDB*Java 21*"])
