"""Warm environments for functions run on this machine: one per function version and configuration, reused
while it lives, replaced when it dies (timeout, init failure) or when the configuration changes, as Lambda
replaces environments after UpdateFunctionConfiguration."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

from labkit.lambda_runtime.environment import ExecutionEnvironment
from labkit.lambda_runtime.result import InvocationResult
from labkit.lambda_runtime.sandbox import FunctionConfig


class LocalRunner:
    """Runs invocations in local execution environments that reach AWS through ``endpoint_url`` only."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._environments: dict[str, ExecutionEnvironment] = {}
        self._code_root = Path(tempfile.mkdtemp(prefix="labs-lambda-code-"))
        self._code_dirs: dict[str, Path] = {}
        self.started: list[str] = []  # ids of every environment started, oldest first

    def code_dir(self, code_sha256: str, zip_bytes: bytes) -> Path:
        """The deployment package unpacked once per CodeSha256 (what Lambda copies to /var/task)."""
        if code_sha256 not in self._code_dirs:
            target = self._code_root / str(len(self._code_dirs))
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as package:
                package.extractall(target)
            self._code_dirs[code_sha256] = target
        return self._code_dirs[code_sha256]

    def invoke(self, config: FunctionConfig, code_dir: Path, payload: bytes) -> InvocationResult:
        """Invoke in the warm environment for this configuration, or in a new one (a cold start)."""
        version_config = replace(config, qualifier=None)  # an alias and its version share environments
        key = f"{version_config!r}|{code_dir}"
        environment = self._environments.get(key)
        if environment is None or environment.dead:
            environment = ExecutionEnvironment(version_config, code_dir, endpoint_url=self.endpoint_url)
            self._environments[key] = environment
            self.started.append(environment.id)
        return environment.invoke(payload, invoked_arn=config.arn)

    def discard_environments(self, function_name: str | None = None) -> None:
        """Shut down the warm environments (of one function, or all): the next invocation starts cold."""
        for key, environment in list(self._environments.items()):
            if function_name is None or environment.config.function_name == function_name:
                environment.stop()
                del self._environments[key]

    def close(self) -> None:
        self.discard_environments()
        shutil.rmtree(self._code_root, ignore_errors=True)
