"""LocalStack on the host, for machines without Docker: install it once, start it, wait for it, stop it.

    python -m labkit.localstack_host start      # installs on first use, then serves 127.0.0.1:4566
    python -m labkit.localstack_host status
    python -m labkit.localstack_host stop

LocalStack needs Python 3.12+, so it gets a virtual environment of its own (under ``.localstack/`` in the
checkout), separate from the labs' one. On the host it serves S3, SQS, SNS, EventBridge, Step Functions,
Kinesis and more, but not DynamoDB (Java 21 and DynamoDB Local) or Lambda execution (Docker).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from labkit.host_server import HostServer, HostServerError
from labkit.host_server_cli import main as host_main

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
    raise HostServerError(
        "LocalStack on the host needs Python 3.12 or newer, and none was found "
        "(looked at $LABS_LOCALSTACK_PYTHON, python3.13, python3.12 and pyenv). "
        "Install one (e.g. `pyenv install 3.13`) or use Docker: docker compose up -d localstack"
    )


def _python_is_recent(python: Path) -> bool:
    check = "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)"
    return subprocess.run([str(python), "-c", check], capture_output=True, timeout=30).returncode == 0


def environment(port: int) -> dict[str, str]:
    """The settings that make localstack-core run on the host, on loopback only, like AWS for presigned URLs."""
    data = HOME / "data"
    data.mkdir(parents=True, exist_ok=True)
    return {
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "DNS_ADDRESS": "0",
        "OVERRIDE_IN_DOCKER": "0",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
        "LOCALSTACK_TELEMETRY_DISABLED": "1",
        "FILESYSTEM_ROOT": str(data),
        "S3_SKIP_SIGNATURE_VALIDATION": "0",
    }


def start_kinesis_backend(port: int) -> None:
    """Make the first Kinesis call, alone. LocalStack starts a Kinesis backend process per account on first use
    and lists it before it listens: parallel first calls meet "Connection refused" (seen in CI as an
    InternalError from CreateStream). It is made with the labs' own credentials and Region: their account's."""
    import boto3

    from labkit.backends import DEFAULT_REGION, LocalStackBackend

    credentials = LocalStackBackend.credentials
    kinesis = boto3.client(
        "kinesis",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=DEFAULT_REGION,
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
    )
    kinesis.list_streams()  # returns once the backend is up (LocalStack waits for it, up to 60 s)


SERVER = HostServer(
    name="LocalStack",
    version=VERSION,
    home=HOME,
    requirements=REQUIREMENTS,
    command=("-m", "localstack.runtime.main"),
    health_path="/_localstack/health",
    environment=environment,
    find_python=find_python,
    warm_up=start_kinesis_backend,
)


def install(quiet: bool = True) -> Path:
    """Create LocalStack's own virtual environment and install it (once per version); returns its python."""
    return SERVER.install(quiet)


def is_up(port: int) -> bool:
    return SERVER.is_up(port)


def start(port: int = DEFAULT_PORT, timeout: float = 90.0) -> int:
    """Start LocalStack in the background and wait until it is healthy; returns its pid."""
    return SERVER.start(port, timeout).pid


def stop(port: int = DEFAULT_PORT) -> bool:
    """Stop the LocalStack this module started on ``port``; False if none was running."""
    return SERVER.stop(port)


def main(argv: Sequence[str] | None = None) -> int:
    usage = "  LABS_BACKEND=localstack LOCALSTACK_HOST=127.0.0.1:{port} pytest labs/sqs"
    return host_main(SERVER, DEFAULT_PORT, usage, argv)


if __name__ == "__main__":
    sys.exit(main())
