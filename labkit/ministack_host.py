"""MiniStack on the host: a pure-Python AWS emulator that runs Lambda code and DynamoDB without Docker.

    python -m labkit.ministack_host start       # installs on first use, then serves 127.0.0.1:4567
    python -m labkit.ministack_host status
    python -m labkit.ministack_host stop

MiniStack pins its own botocore, so it gets a virtual environment of its own (under ``.ministack/`` in the
checkout). The ``ministack`` backend starts one per test session on a free port by itself; this command is
for By hand steps and for a MiniStack shared by several runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from labkit.backends import DEFAULT_REGION, FAKE_CREDENTIALS, MINISTACK_VERSION
from labkit.host_server import HostServer
from labkit.host_server_cli import main as host_main

VERSION = MINISTACK_VERSION
SANDBOX_SITE = Path(__file__).resolve().parent / "lambda_runtime" / "sandbox_site"
NOWHERE = os.path.join(os.devnull, "labs-no-aws-config")
HOME = Path(os.environ.get("LABS_MINISTACK_HOME", Path(__file__).resolve().parent.parent / ".ministack"))
#: MiniStack pins botocore 1.43.106; Lambda's Python runtime ships boto3, so its functions get the matching one.
#: cryptography: MiniStack's KMS needs it for asymmetric keys (without it CreateKey answers KMSInternalException).
REQUIREMENTS = (f"ministack=={VERSION}", "boto3>=1.43,<1.44", "cryptography>=42")
DEFAULT_PORT = 4567  # beside LocalStack's 4566, so both can run at once


def find_python() -> Path:
    """MiniStack runs on Python 3.10+: the labs' own interpreter will do."""
    return Path(sys.executable)


def data_dir(port: int) -> Path:
    """Where the MiniStack on ``port`` keeps its files (temporary files, S3 objects, function code)."""
    return HOME / f"data-{port}"


def discard(port: int) -> None:
    """Remove what a stopped MiniStack on ``port`` left on disk (its files and its log)."""
    shutil.rmtree(data_dir(port), ignore_errors=True)
    SERVER.log_file(port).unlink(missing_ok=True)


def environment(port: int) -> dict[str, str]:
    """Loopback only, quiet, state in memory, every file it writes under the checkout's .ministack/.

    MiniStack runs Lambda functions as its own child processes, which inherit this environment: fake
    credentials, no profile or config file, and the socket guard of the local Lambda sandbox (its
    ``sitecustomize``), so neither MiniStack nor a function it runs can reach anything but loopback.
    """
    data = data_dir(port)
    data.mkdir(parents=True, exist_ok=True)
    return {
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": DEFAULT_REGION,
        "AWS_CONFIG_FILE": NOWHERE,
        "AWS_SHARED_CREDENTIALS_FILE": NOWHERE,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": str(SANDBOX_SITE),
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MINISTACK_HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "TMPDIR": str(data),
        "S3_DATA_DIR": str(data / "s3"),
        "S3_PERSIST": "0",
        "STATE_DIR": str(data / "state"),  # its Cognito signing key; the default is a shared /tmp/ministack-state
        "LOCALSTACK_PERSISTENCE": "0",
        # Evaluate IAM (identity, resource, boundary, session and key policies) as AWS does; the fake keys the
        # labs sign with are the account's root, as moto treats them.
        "AUTH": "true",
    }


SERVER = HostServer(
    name="MiniStack",
    version=VERSION,
    home=HOME,
    requirements=REQUIREMENTS,
    command=("-m", "ministack"),
    health_path="/_ministack/health",
    environment=environment,
    find_python=find_python,
    # Its state lives in memory and is thrown away; SIGTERM takes it 10 s (SIGINT ~2 s) to honour.
    stop_signal=signal.SIGKILL,
)


def main(argv: Sequence[str] | None = None) -> int:
    usage = "  LABS_BACKEND=ministack MINISTACK_ENDPOINT=http://127.0.0.1:{port} pytest labs/lambda"
    return host_main(SERVER, DEFAULT_PORT, usage, argv)


if __name__ == "__main__":
    sys.exit(main())
