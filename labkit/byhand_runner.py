"""Runs READMEs' By hand steps as CI checks them: byexample drives a shell through each ```console block, the
AWS CLI answers from a fresh moto server, with the environment ``labs serve`` prints.

Several READMEs run at once, each on a moto server process of its own (moto's state is global to a process,
so two READMEs must not share one), and every ``aws`` command forks from one process that has imported the
AWS CLI already (``labkit.awscli_server``): the commands are the AWS CLI's, only its ~0.4 s import is shared.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from labkit.awscli_server import AwsCliServer
from labkit.backends import DEFAULT_REGION
from labkit.cli.byhand import by_hand_environment
from labkit.host_server import free_port

EXAMPLE_TIMEOUT = 30  # seconds for one command of a README
README_TIMEOUT = 120  # seconds for all of a README's By hand steps
_SERVICE = re.compile(r"\baws (?:--endpoint-url \S+ )?([a-z][a-z0-9-]+)")


def services_in(readmes: Iterable[Path]) -> list[str]:
    """The AWS CLI services the READMEs' commands call (``aws s3api ...`` -> ``s3``), for the CLI's warm-up."""
    found = {match for readme in readmes for match in _SERVICE.findall(readme.read_text(encoding="utf-8"))}
    aliases = {"s3api": "s3", "s3control": "s3control"}
    return sorted({aliases.get(name, name) for name in found} - {"configure", "help"})


@dataclass(frozen=True)
class Result:
    """One README's run: byexample's exit code and what it printed (the failing example, expected and got)."""

    returncode: int
    output: str
    seconds: float


class MotoServerProcess:
    """``python -m moto.server`` on a free loopback port: a process of its own, so its state is its own."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(f"{self.url}/moto-api/data.json", timeout=1).raise_for_status()
                return
            except requests.RequestException:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start on {self.url}") from None
                time.sleep(0.05)  # polling its API: there is no event to wait on

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()


class ByHandRunner:
    """A pool of moto servers and one AWS CLI server; ``submit(readme)`` runs a README's steps on a free server."""

    def __init__(self, readmes: Iterable[Path], workers: int | None = None) -> None:
        readmes = list(readmes)
        self.workers = max(1, workers or os.cpu_count() or 2)
        self._scratch = Path(tempfile.mkdtemp(prefix="labs-byhand-"))
        self.cli = AwsCliServer(self._scratch, services_in(readmes))
        self.cli.start()
        self._servers: queue.Queue[MotoServerProcess] = queue.Queue()
        self._all = [MotoServerProcess() for _ in range(self.workers)]
        for server in self._all:
            server.wait_ready()
            self._servers.put(server)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="byhand")
        self._futures: dict[Path, Future[Result]] = {}

    def submit(self, readme: Path) -> Future[Result]:
        """Start (once) the README's By hand steps; the future holds the result."""
        if readme not in self._futures:
            self._futures[readme] = self._pool.submit(self._run, readme)
        return self._futures[readme]

    def _run(self, readme: Path) -> Result:
        server = self._servers.get()
        try:
            server.reset()
            return self._byexample(readme, server.url)
        finally:
            self._servers.put(server)

    def _byexample(self, readme: Path, endpoint: str) -> Result:
        home = Path(tempfile.mkdtemp(dir=self._scratch))
        env = {
            **os.environ,
            **by_hand_environment(endpoint, DEFAULT_REGION),
            "PATH": os.pathsep.join([str(self.cli.bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]]),
            "HOME": str(home),
        }
        command = [
            str(Path(sys.executable).parent / "byexample"), "-l", "shell", "--timeout", str(EXAMPLE_TIMEOUT),
            "-o", "+norm-ws", "--pretty", "none", "--no-progress-bar", "--ff", str(readme),
        ]  # fmt: skip
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=env, cwd=readme.parent, timeout=README_TIMEOUT
            )
        except subprocess.TimeoutExpired as exc:
            output = f"took over {README_TIMEOUT} s:\n{_text(exc.stdout)}{_text(exc.stderr)}"
            return Result(-1, output, time.monotonic() - started)
        return Result(done.returncode, f"{done.stdout}\n{done.stderr}", time.monotonic() - started)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for server in self._all:
            server.stop()
        self.cli.stop()
        shutil.rmtree(self._scratch, ignore_errors=True)  # each README's HOME and the CLI's bin/


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else (output or "")
