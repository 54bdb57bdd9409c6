"""A host server is warmed up once it is healthy, before anything else uses it; a failed warm-up stops it."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from labkit.host_server import HostServer, HostServerError

#: A stand-in server: answers 200 on / at the port it is given.
SERVE = (
    "import os\n"
    "from http.server import HTTPServer, SimpleHTTPRequestHandler\n"
    "HTTPServer(('127.0.0.1', int(os.environ['PROBE_PORT'])), SimpleHTTPRequestHandler).serve_forever()\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stand_in(home: Path, warm_up) -> HostServer:
    """A HostServer running SERVE with this interpreter (its 'installation' already in place)."""
    server = HostServer(
        name="Probe",
        version="0",
        home=home,
        requirements=(),
        command=("-c", SERVE),
        health_path="/",
        environment=lambda port: {"PROBE_PORT": str(port)},
        find_python=lambda: Path(sys.executable),
        warm_up=warm_up,
    )
    server.python.parent.mkdir(parents=True)
    server.python.symlink_to(sys.executable)
    (server.venv / ".installed").touch()
    return server


def test_the_warm_up_runs_once_the_server_is_healthy(tmp_path):
    port, seen = free_port(), []
    server = stand_in(tmp_path, lambda p: seen.append((p, server.is_up(p))))

    server.start(port, timeout=30)
    try:
        assert seen == [(port, True)]
    finally:
        server.stop(port)


def test_a_failed_warm_up_stops_the_server_and_says_why(tmp_path):
    def refused(port: int) -> None:
        raise ConnectionError("Connection refused")

    port = free_port()
    server = stand_in(tmp_path, refused)

    with pytest.raises(HostServerError, match="Probe started but did not answer its first calls: Connection refused"):
        server.start(port, timeout=30)
    assert not server.pid_file(port).exists() and not server.is_up(port)  # stopped: nothing left listening
