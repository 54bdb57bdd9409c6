"""The AWS CLI, imported once: every ``aws`` command forks from a process that has awscli loaded already.

CI runs every README's By hand steps with the AWS CLI, a few hundred commands, and each ``aws`` process
spends ~0.4 s of CPU importing awscli and botocore before it does anything. This server imports them once;
the ``aws`` on the steps' PATH is a small client that hands the server its argument list, environment,
working directory and its stdin, stdout and stderr, and exits with the command's status. The server forks a
child per command, which runs ``awscli.clidriver.main()`` exactly as the ``aws`` script does, with that
environment, in that directory, on those file descriptors: the command is the AWS CLI, in a process of its
own; only the import is shared.

    server = AwsCliServer(tmp_dir); server.start()     # then put server.bin_dir first on PATH
    ...
    server.stop()
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CLIENT = """\
#!{python} -S
# The `aws` command of the By hand steps: runs the AWS CLI in a child of labkit.awscli_server.
import json, os, socket, sys
fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))  # stdin/out/err and any <(...) the shell opened
conn = socket.socket(socket.AF_UNIX)
conn.connect({socket!r})
fds = [fd for fd in fds if fd != conn.fileno() and os.path.exists(f"/proc/self/fd/{{fd}}")]
request = json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd(), "fds": fds}}).encode()
socket.send_fds(conn, [len(request).to_bytes(8, "big")], fds)
conn.sendall(request)
status = b""
while len(status) < 4:
    chunk = conn.recv(4 - len(status))
    if not chunk:
        sys.exit("aws: the AWS CLI server went away")
    status += chunk
sys.exit(int.from_bytes(status, "big", signed=True))
"""

_CLI_DATA = ""  # awscli's own data folder, set by serve()
_MAX_FDS = 64
_PARKING = 512  # above any descriptor a shell hands a command


def _receive_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


def _run_command(conn: socket.socket) -> int:
    """In the forked child: take over the client's descriptors, environment and directory; run the CLI."""
    import fcntl
    import json

    header, received, _, _ = socket.recv_fds(conn, 8, _MAX_FDS)
    request = json.loads(_receive_exactly(conn, int.from_bytes(header, "big")))
    # Give each descriptor the number it has in the client (0-2, and e.g. 63 for a `fileb://<(...)`): first out
    # of the way to high numbers, then into place, so no target clobbers one still to be moved.
    parked = [fcntl.fcntl(fd, fcntl.F_DUPFD, _PARKING) for fd in received]
    for fd in received:
        os.close(fd)
    for fd, target in zip(parked, request["fds"], strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # What importing awscli does to the environment, as it would have in a process of its own.
    os.environ["AWS_DATA_PATH"] = os.pathsep.join([*filter(None, [request["env"].get("AWS_DATA_PATH")]), _CLI_DATA])
    sys.argv = ["aws", *request["argv"]]
    from awscli.clidriver import main

    try:
        status = main()
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    return int(status or 0)


def _cache_model_files() -> None:
    """Parse each model file once, here: a forked child gets the parsed data as it was before any command ran
    (copy-on-write), so what one command does to it never reaches another."""
    import awscli  # noqa: F401 - from here on, `botocore` is the copy awscli ships (its import alias)
    from botocore.loaders import JSONFileLoader

    parsed: dict[str, object] = {}
    load_file = JSONFileLoader.load_file

    def cached(loader: object, file_path: str) -> object:
        if file_path not in parsed:
            parsed[file_path] = load_file(loader, file_path)
        return parsed[file_path]

    JSONFileLoader.load_file = cached


def _warm_up(services: list[str]) -> None:
    """Load, before forking, what a command on each of ``services`` loads: models, paginators, waiters, endpoints."""
    from awscli.clidriver import create_clidriver

    session = create_clidriver().session
    for service in services:
        try:
            session.create_client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            for kind in ("paginators-1", "waiters-2"):
                session.get_component("data_loader").load_service_model(service, kind)
        except Exception:  # noqa: BLE001, S112 - a service without paginators or waiters: nothing to warm
            continue


def _park(conn: socket.socket) -> int:
    """The connection moved to a high descriptor, out of the way of the client's descriptors."""
    import fcntl

    high = fcntl.fcntl(conn.fileno(), fcntl.F_DUPFD, _PARKING + _MAX_FDS)
    conn.close()
    return high


def serve(path: str, services: list[str] | None = None) -> None:
    """Accept commands on the Unix socket ``path`` until killed; one forked child per command."""
    import signal

    global _CLI_DATA
    import awscli

    _CLI_DATA = str(Path(awscli.__file__).parent / "data")
    os.environ["AWS_DATA_PATH"] = _CLI_DATA
    _cache_model_files()
    _warm_up(services or [])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path + ".new")
    listener.listen(64)
    os.rename(path + ".new", path)  # the socket appears only once it accepts
    while True:
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            conn = socket.socket(fileno=_park(conn))
            try:
                status = _run_command(conn)
            except BaseException as exc:  # noqa: BLE001 - reported to the client as a failed command
                print(f"aws (labkit.awscli_server): {exc!r}", file=sys.stderr)
                status = 255
            try:
                conn.sendall(status.to_bytes(4, "big", signed=True))
            finally:
                os._exit(0)
        conn.close()


class AwsCliServer:
    """The server process, and a ``bin/aws`` client for PATH."""

    def __init__(self, directory: Path, services: list[str] | None = None) -> None:
        self.directory = directory
        self.services = services or []  # the services the commands will call: loaded before the first fork
        # A Unix socket path must stay under ~100 bytes: a short temporary directory, not ``directory``.
        self.socket_path = os.path.join(tempfile.mkdtemp(prefix="labs-aws-"), "cli.sock")
        self.bin_dir = directory / "bin"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.bin_dir.mkdir(parents=True, exist_ok=True)
        client = self.bin_dir / "aws"
        client.write_text(_CLIENT.format(python=sys.executable, socket=self.socket_path))
        client.chmod(0o755)
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from labkit.awscli_server import serve; serve({self.socket_path!r}, {self.services!r})",
            ],
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.socket_path):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the AWS CLI server did not start (exit {self._process.poll()})")
            time.sleep(0.02)  # waiting for the socket file: there is no event to wait on

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        shutil.rmtree(os.path.dirname(self.socket_path), ignore_errors=True)
