"""A LocalStack that is not there fails the run within seconds, saying how to start one."""

from __future__ import annotations

import socket
import subprocess
import sys
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
