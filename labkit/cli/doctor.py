"""``labs doctor``: what this machine can run, and what to do about what it cannot. Never calls AWS."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from labkit import ministack_host
from labkit.backends import (
    LOCALSTACK_HOW_TO_START,
    BackendError,
    LocalStackBackend,
    MiniStackBackend,
    MotoServerBackend,
)

PACKAGES = ("boto3", "botocore", "moto", "pytest", "awscli", "localstack-client", "awslambdaric")
MINIMUM_PYTHON = (3, 11)
INSTALL = "pip install -e '.[dev]' (in the checkout's virtual environment)"


@dataclass(frozen=True)
class Check:
    """One line of the report: ``ok`` True (fine), False (missing: see ``fix``) or None (optional, absent)."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""


def check_python() -> Check:
    version = platform.python_version()
    if sys.version_info[:2] >= MINIMUM_PYTHON:
        return Check("Python", True, f"{version} ({sys.executable})")
    return Check("Python", False, version, "the labs need Python 3.11 or newer")


def check_packages() -> list[Check]:
    checks = []
    for package in PACKAGES:
        try:
            checks.append(Check(package, True, metadata.version(package)))
        except metadata.PackageNotFoundError:
            checks.append(Check(package, False, "not installed", INSTALL))
    return checks


def check_moto() -> Check:
    try:
        from moto import mock_aws

        with mock_aws():
            pass
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Check("backend moto", False, f"moto cannot start: {exc}", INSTALL)
    return Check("backend moto", True, "in-process moto works (the default backend)")


def check_moto_server() -> Check:
    server = MotoServerBackend()
    try:
        server.start()
    except BackendError as exc:
        return Check("backend moto-server", False, str(exc), "pip install 'moto[server]'")
    finally:
        endpoint = server.endpoint_url
        server.stop()
    return Check("backend moto-server", True, f"moto server starts and answers (tried {endpoint})")


def check_ministack() -> Check:
    """MiniStack (Lambda code and DynamoDB without Docker): installed in its own venv on first use, then started."""
    name = "backend ministack"
    if not ministack_host.SERVER.installed():
        return Check(
            name,
            None,
            f"MiniStack {ministack_host.VERSION} is not installed yet (it installs itself on first use)",
            "python -m labkit.ministack_host install (its own virtual environment under .ministack/, ~20 s)",
        )
    backend = MiniStackBackend()
    try:
        backend.start()
    except BackendError as exc:
        return Check(name, False, str(exc), "python -m labkit.ministack_host install, then labs doctor again")
    finally:
        endpoint = backend.endpoint_url
        backend.stop()
    return Check(name, True, f"MiniStack {ministack_host.VERSION} starts and answers (tried {endpoint})")


def check_localstack() -> Check:
    backend = LocalStackBackend(check_timeout=1.0)
    try:
        backend.health()
    except BackendError:
        fix = LOCALSTACK_HOW_TO_START.replace("\n", " ").replace("  ", " ")
        return Check("backend localstack", None, f"nothing answers at {backend.endpoint_url}", fix)
    return Check("backend localstack", True, f"answers at {backend.endpoint_url}")


def check_aws_credentials() -> Check:
    """Whether credentials for real AWS are configured; looks at variables and files, sends nothing."""
    found = [name for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE") if os.environ.get(name)]
    home = Path.home() / ".aws"
    files = [
        Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", home / "credentials")),
        Path(os.environ.get("AWS_CONFIG_FILE", home / "config")),
    ]
    found += [str(file) for file in files if file.is_file()]
    fix = "only for --backend aws: configure credentials, and set LABS_AWS_I_ACCEPT_REAL_CHARGES=yes"
    if found:
        return Check("backend aws", True, f"credentials configured ({', '.join(found)}); not contacted", fix)
    return Check("backend aws", None, "no AWS credentials configured (the emulators need none)", fix)


def check_docker(timeout: float = 5.0) -> Check:
    fix = "optional: install Docker for LocalStack's DynamoDB and Lambda (docker compose up -d localstack)"
    if not shutil.which("docker"):
        return Check("Docker", None, "no docker command on PATH", fix)
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Check("Docker", None, f"`docker info` did not answer within {timeout:g} s", fix)
    if done.returncode != 0:
        return Check("Docker", None, f"`docker info` failed (exit {done.returncode}): is the daemon running?", fix)
    return Check("Docker", True, "the Docker daemon answers")


def find_recent_pythons(timeout: float = 5.0) -> list[str]:
    """Python 3.12+ interpreters LocalStack could run on the host with: on PATH, or installed by pyenv."""
    found = [path for name in ("python3.13", "python3.12") if (path := shutil.which(name))]
    if shutil.which("pyenv"):
        try:
            done = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True, timeout=timeout)
            versions = done.stdout.split()
        except subprocess.TimeoutExpired:
            versions = []
        found += [f"pyenv {v}" for v in versions if v.startswith(("3.12", "3.13", "3.14"))]
    return found


def check_host_localstack_python() -> Check:
    found = find_recent_pythons()
    fix = "optional, for LocalStack without Docker: install Python 3.12+ (e.g. pyenv install 3.13)"
    if found:
        return Check("Python 3.12+ for host LocalStack", True, ", ".join(found), fix)
    return Check("Python 3.12+ for host LocalStack", None, "none found (python3.12, python3.13, pyenv)", fix)


def run_checks() -> list[Check]:
    """Every check, in the order the report shows them."""
    return [
        check_python(),
        *check_packages(),
        check_moto(),
        check_moto_server(),
        check_ministack(),
        check_localstack(),
        check_aws_credentials(),
        check_docker(),
        check_host_localstack_python(),
    ]
