"""LocalStack on the host, for machines without Docker: install it once, start it, wait for it, stop it.

    python -m labkit.localstack_host start      # installs on first use, then serves 127.0.0.1:4566
    python -m labkit.localstack_host status
    python -m labkit.localstack_host stop

LocalStack needs Python 3.12+, so it gets a virtual environment of its own (under ``.localstack/`` in the
checkout), separate from the labs' one. On the host it serves S3, SQS, SNS, EventBridge, Step Functions,
Kinesis and more, but not DynamoDB (Java 21 and DynamoDB Local) or Lambda execution (Docker).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import requests

VERSION = "2026.3.0"
#: localstack-core's runtime, plus the pins it needs to import on the host (found by probing).
REQUIREMENTS = (
    f"localstack-core[runtime]=={VERSION}",
    "cbor2<6",
    "cryptography<45",
    "pyopenssl<25",
    "service_identity",
)
HOME = Path(os.environ.get("LABS_LOCALSTACK_HOME", Path(__file__).resolve().parent.parent / ".localstack"))
DEFAULT_PORT = 4566


class HostLocalStackError(Exception):
    """LocalStack cannot be installed, started or stopped here; the message says why and what to do."""


def find_python() -> Path:
    """A Python 3.12+ for LocalStack: $LABS_LOCALSTACK_PYTHON, python3.13/3.12 on PATH, or a pyenv install."""
    candidates: list[str | Path] = []
    if os.environ.get("LABS_LOCALSTACK_PYTHON"):
        candidates.append(os.environ["LABS_LOCALSTACK_PYTHON"])
    candidates += [found for name in ("python3.13", "python3.12") if (found := shutil.which(name))]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(pyenv.glob("3.1[23].*/bin/python"), reverse=True)
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file() and _python_is_recent(path):
            return path
    raise HostLocalStackError(
        "LocalStack on the host needs Python 3.12 or newer, and none was found "
        "(looked at $LABS_LOCALSTACK_PYTHON, python3.13, python3.12 and pyenv). "
        "Install one (e.g. `pyenv install 3.13`) or use Docker: docker compose up -d localstack"
    )


def _python_is_recent(python: Path) -> bool:
    check = "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)"
    return subprocess.run([str(python), "-c", check], capture_output=True, timeout=30).returncode == 0


def venv_python() -> Path:
    return HOME / "venv" / "bin" / "python"


def install(quiet: bool = True) -> Path:
    """Create LocalStack's own virtual environment and install it (once per version); returns its python."""
    marker = HOME / "venv" / f".installed-{VERSION}"
    if marker.is_file():
        return venv_python()
    python = find_python()
    HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(python), "-m", "venv", "--clear", str(HOME / "venv")], check=True)
    pip = [str(venv_python()), "-m", "pip", "install", *(["--quiet"] if quiet else []), *REQUIREMENTS]
    done = subprocess.run(pip, capture_output=quiet, text=True)
    if done.returncode != 0:
        raise HostLocalStackError(f"installing LocalStack failed:\n{(done.stderr or '')[-2000:]}")
    marker.touch()
    return venv_python()


def environment(port: int) -> dict[str, str]:
    """The settings that make localstack-core run on the host, on loopback only, like AWS for presigned URLs."""
    data = HOME / "data"
    data.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "DNS_ADDRESS": "0",
        "OVERRIDE_IN_DOCKER": "0",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
        "LOCALSTACK_TELEMETRY_DISABLED": "1",
        "FILESYSTEM_ROOT": str(data),
        "S3_SKIP_SIGNATURE_VALIDATION": "0",
    }


def health_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/_localstack/health"


def is_up(port: int) -> bool:
    try:
        return requests.get(health_url(port), timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _pid_file(port: int) -> Path:
    return HOME / f"localstack-{port}.pid"


def _log_file(port: int) -> Path:
    return HOME / f"localstack-{port}.log"


def start(port: int = DEFAULT_PORT, timeout: float = 90.0) -> int:
    """Start LocalStack in the background and wait until it is healthy; returns its pid."""
    if is_up(port):
        raise HostLocalStackError(f"something already answers on 127.0.0.1:{port}; stop it first")
    python = install()
    log = _log_file(port).open("w")
    process = subprocess.Popen(
        [str(python), "-m", "localstack.runtime.main"],
        env=environment(port),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stop() ends all of it
    )
    _pid_file(port).write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while not is_up(port):
        if process.poll() is not None or time.monotonic() > deadline:
            _terminate(process.pid)
            tail = _log_file(port).read_text(errors="replace")[-3000:]
            raise HostLocalStackError(f"LocalStack did not become healthy on port {port}:\n{tail}")
        time.sleep(0.2)  # polling a health endpoint: there is no event to wait on
    return process.pid


def _terminate(pid: int, grace: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def stop(port: int = DEFAULT_PORT) -> bool:
    """Stop the LocalStack this module started on ``port``; False if none was running."""
    pid_file = _pid_file(port)
    if not pid_file.is_file():
        return False
    _terminate(int(pid_file.read_text()))
    pid_file.unlink()
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.localstack_host", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["install", "start", "stop", "status"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            print(f"LocalStack {VERSION} installed: {install(quiet=False)}")
        elif args.command == "start":
            pid = start(args.port)
            print(f"LocalStack {VERSION} is up on http://127.0.0.1:{args.port} (pid {pid}, log {_log_file(args.port)})")
            print(f"  LABS_BACKEND=localstack LOCALSTACK_HOST=127.0.0.1:{args.port} pytest labs/sqs")
        elif args.command == "stop":
            print("stopped" if stop(args.port) else f"no LocalStack started here on port {args.port}")
        else:
            up = is_up(args.port)
            print(f"LocalStack on 127.0.0.1:{args.port}: {'up' if up else 'not answering'}")
            return 0 if up else 1
    except HostLocalStackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
