"""The process environment of a function: Lambda's variables, the emulator's endpoint, fake credentials, and
nothing from the host that could lead to real AWS.

The variable list follows "Defined runtime environment variables" in the Lambda developer guide. The child
does not inherit the parent's environment: it starts from this dictionary alone.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import awslambdaric

from labkit.backends import FAKE_CREDENTIALS

SANDBOX_SITE = Path(__file__).resolve().parent / "sandbox_site"
NOWHERE = os.path.join(os.devnull, "labs-no-aws-config")

#: Set by Lambda; a function's own Environment cannot change them.
RESERVED = frozenset(
    {
        "_HANDLER",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


@dataclass(frozen=True)
class FunctionConfig:
    """What an execution environment needs to know about the function (a subset of GetFunctionConfiguration)."""

    function_name: str
    handler: str  # "module.function", as in Lambda's Handler setting
    memory_size: int = 128
    timeout: float = 3.0  # seconds; Lambda's default
    environment: Mapping[str, str] = field(default_factory=dict)
    version: str = "$LATEST"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    init_timeout: float = 10.0  # Lambda allows 10 s of init for on-demand functions
    qualifier: str | None = None  # the version or alias invoked, part of the invoked ARN

    @property
    def arn(self) -> str:
        """The invoked function ARN the handler sees in ``context.invoked_function_arn``."""
        arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"
        return f"{arn}:{self.qualifier}" if self.qualifier else arn


def runtime_name() -> str:
    """``AWS_Lambda_python3.11``: the AWS_EXECUTION_ENV of a managed runtime of this Python."""
    return f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}"


def child_environment(
    config: FunctionConfig,
    *,
    task_root: Path,
    tmp_dir: Path,
    runtime_api: str,
    endpoint_url: str,
    log_stream: str,
) -> dict[str, str]:
    """The complete environment of a function process. The SDK inside reaches the emulator only
    (``AWS_ENDPOINT_URL``), signs with fake credentials, and finds no profile, config file or metadata service."""
    env = {name: value for name, value in config.environment.items() if name not in RESERVED}
    env.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "HOME": str(tmp_dir),
            "TMPDIR": str(tmp_dir),  # the environment's private /tmp (see ExecutionEnvironment)
            "PYTHONPATH": os.pathsep.join([str(SANDBOX_SITE), str(task_root)]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "_HANDLER": config.handler,
            "AWS_EXECUTION_ENV": runtime_name(),
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": config.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(Path(awslambdaric.__file__).resolve().parent),
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_CONFIG_FILE": NOWHERE,
            "AWS_SHARED_CREDENTIALS_FILE": NOWHERE,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env
