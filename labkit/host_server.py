"""An emulator that runs on the host as a server process, from a virtual environment of its own.

LocalStack and MiniStack both pin packages that clash with the labs' own (LocalStack needs Python 3.12+,
MiniStack pins an older botocore), so each gets its own virtual environment under the checkout, made on
first use. This module does the common part: install once per version, start on loopback, wait for the
health endpoint, report a failure with the log's tail, and stop the whole process group.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests


class HostServerError(Exception):
    """The server cannot be installed, started or stopped here; the message says why and what to do."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_taken(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class HostServer:
    """How to install, start and probe one emulator on the host."""

    name: str
    version: str
    home: Path
    requirements: Sequence[str]
    command: Sequence[str]  # run with the virtual environment's python, e.g. ("-m", "localstack.runtime.main")
    health_path: str
    environment: Callable[[int], Mapping[str, str]]
    find_python: Callable[[], Path]
    #: How ``stop`` asks the server to end; SIGKILL suits a server whose state is thrown away anyway.
    stop_signal: signal.Signals = signal.SIGTERM
    #: Run once the server is healthy, before anything else uses it (``port`` given): first calls that start
    #: helper processes, made one at a time instead of by parallel test workers at once.
    warm_up: Callable[[int], None] | None = None

    # --- installation -----------------------------------------------------------------------------------
    @property
    def _digest(self) -> str:
        """Names the version and the exact requirements: a change to either makes a new environment."""
        return hashlib.sha256("\n".join([self.version, *self.requirements]).encode()).hexdigest()[:12]

    @property
    def venv(self) -> Path:
        # One folder per set of requirements: installing a new set never disturbs a server still running the old.
        return self.home / f"venv-{self._digest}"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def _marker(self) -> Path:
        return self.venv / ".installed"

    def installed(self) -> bool:
        return self._marker.is_file()

    def install(self, quiet: bool = True) -> Path:
        """Create the virtual environment and install the pinned packages (once, whichever process asks first:
        xdist workers and parallel runs wait for it); returns its python."""
        if self.installed():
            return self.python
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / "install.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.installed():  # another process installed it while this one waited
                return self.python
            base = self.find_python()
            subprocess.run([str(base), "-m", "venv", "--clear", str(self.venv)], check=True)
            pip = [str(self.python), "-m", "pip", "install", "--disable-pip-version-check"]
            done = subprocess.run(
                [*pip, *(["--quiet"] if quiet else []), *self.requirements], capture_output=quiet, text=True
            )
            if done.returncode != 0:
                raise HostServerError(f"installing {self.name} failed:\n{(done.stderr or '')[-2000:]}")
            self._marker.touch()
        return self.python

    # --- running ----------------------------------------------------------------------------------------
    def url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    def is_up(self, port: int, timeout: float = 1.0) -> bool:
        try:
            return requests.get(self.url(port) + self.health_path, timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def pid_file(self, port: int) -> Path:
        return self.home / f"{self.name.lower()}-{port}.pid"

    def log_file(self, port: int) -> Path:
        return self.home / f"{self.name.lower()}-{port}.log"

    def start(self, port: int, timeout: float = 90.0) -> subprocess.Popen[bytes]:
        """Start the server in the background on 127.0.0.1:``port`` and wait until it is healthy."""
        if port_is_taken(port):
            raise HostServerError(
                f"127.0.0.1:{port} is already in use, so {self.name} cannot listen there: "
                "stop what holds it, or pick another port (0 picks a free one)"
            )
        python = self.install()
        with self.log_file(port).open("wb") as log:
            process = subprocess.Popen(
                [str(python), *self.command],
                env={**os.environ, **self.environment(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, so stop() ends all of it
            )
        self.pid_file(port).write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while not self.is_up(port, timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop(port)
                tail = self.log_file(port).read_text(errors="replace")[-3000:]
                raise HostServerError(f"{self.name} did not become healthy on port {port}:\n{tail}")
            time.sleep(0.05)  # a health endpoint to poll: there is no event to wait on
        if self.warm_up is not None:
            try:
                self.warm_up(port)
            except Exception as exc:
                self.stop(port)
                raise HostServerError(f"{self.name} started but did not answer its first calls: {exc}") from exc
        return process

    def stop(self, port: int) -> bool:
        """Stop the server this module started on ``port``; False if none was running."""
        pid_file = self.pid_file(port)
        if not pid_file.is_file():
            return False
        terminate_group(int(pid_file.read_text()), self.stop_signal)
        pid_file.unlink(missing_ok=True)
        return True


def terminate_group(pid: int, first: signal.Signals = signal.SIGTERM, grace: float = 10.0) -> None:
    """Signal a process group (SIGTERM), then SIGKILL it if it is still there after ``grace`` seconds."""
    try:
        os.killpg(pid, first)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child: a zombie still counts
            os.waitpid(pid, os.WNOHANG)
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)
