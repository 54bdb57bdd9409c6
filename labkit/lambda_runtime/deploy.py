"""A Lambda function a lab writes once and invokes anywhere: created through the Lambda API on every backend,
run by the local execution environment where the backend cannot run code (moto), or by Lambda itself
where it can (LocalStack with Docker, real AWS: the ``lambda-execution`` capability).

The Lambda-API execution path (``ApiInvoker``) runs on MiniStack here: it invokes with ``LogType=Tail`` and reads
the REPORT line from the log tail, as Lambda returns it (the last 4 KB of the execution log). MiniStack's tail
holds only the function's own output, no START/END/REPORT: there ``InvocationResult.report`` is None.
"""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError, WaiterError

from labkit.lambda_runtime.local import LocalRunner
from labkit.lambda_runtime.report import parse_report
from labkit.lambda_runtime.result import InvocationResult
from labkit.lambda_runtime.sandbox import FunctionConfig

RUNTIME = "python3.11"
TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def package(sources: Iterable[Path]) -> bytes:
    """A deployment package: the files at the root of a zip, as the console's "Upload .zip" expects."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sources:
            archive.write(source, source.name)
    return buffer.getvalue()


def create_role(iam: Any, name: str) -> str:
    """An execution role Lambda may assume (no permissions: emulators do not enforce them); returns its ARN."""
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_POLICY)["Role"]["Arn"])


class FunctionFailed(RuntimeError):
    """CreateFunction left the function in State Failed (LocalStack without Docker does): it cannot be invoked."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"function {name} is in State Failed: {reason}")
        self.reason = reason


class Invoker(Protocol):
    def invoke(self, function: LambdaFunction, payload: bytes, qualifier: str | None) -> InvocationResult: ...

    def new_environment(self, function: LambdaFunction) -> None: ...


class LambdaFunction:
    """A deployed function: ``invoke(event)`` returns the result and the REPORT of that invocation."""

    def __init__(self, client: Any, name: str, arn: str, invoker: Invoker) -> None:
        self.client = client
        self.name = name
        self.arn = arn
        self._invoker = invoker
        self.packages: dict[str, bytes] = {}  # CodeSha256 -> the zip, for every code version deployed

    def invoke(self, event: Any, qualifier: str | None = None) -> InvocationResult:
        """A synchronous (RequestResponse) invocation of $LATEST, a version or an alias."""
        return self._invoker.invoke(self, json.dumps(event).encode(), qualifier)

    def new_environment(self) -> None:
        """Make the next invocation start in a new execution environment (a cold start)."""
        self._invoker.new_environment(self)

    def update_code(self, sources: Iterable[Path]) -> str:
        """Deploy new code to $LATEST; returns its CodeSha256."""
        zipped = package(sources)
        response = self.client.update_function_code(FunctionName=self.name, ZipFile=zipped)
        self.packages[response["CodeSha256"]] = zipped
        self.wait_updated()
        return str(response["CodeSha256"])

    def wait_updated(self) -> None:
        self.client.get_waiter("function_updated_v2").wait(
            FunctionName=self.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )


def deploy(
    client: Any,
    *,
    name: str,
    role_arn: str,
    sources: Iterable[Path],
    handler: str,
    invoker: Invoker,
    environment: Mapping[str, str] | None = None,
    timeout: int = 3,
    memory_size: int = 128,
) -> LambdaFunction:
    """CreateFunction from local files, wait until Active, and return the handle labs invoke."""
    zipped = package(sources)
    options: dict[str, Any] = {}
    if environment:
        options["Environment"] = {"Variables": dict(environment)}
    for attempt in range(10):
        try:
            response = client.create_function(
                FunctionName=name,
                Runtime=RUNTIME,
                Role=role_arn,
                Handler=handler,
                Code={"ZipFile": zipped},
                Timeout=timeout,
                MemorySize=memory_size,
                **options,
            )
            break
        except ClientError as exc:
            # On AWS a new role takes a few seconds to become assumable by Lambda.
            if exc.response["Error"]["Code"] != "InvalidParameterValueException" or attempt == 9:
                raise
            time.sleep(2)
    function = LambdaFunction(client, name, response["FunctionArn"], invoker)
    function.packages[response["CodeSha256"]] = zipped
    try:
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    except WaiterError:
        configuration = client.get_function_configuration(FunctionName=name)
        if configuration.get("State") != "Failed":
            raise
        reason = f"{configuration.get('StateReasonCode', '')}: {configuration.get('StateReason', '')}"
        raise FunctionFailed(name, reason) from None
    return function


class LocalInvoker:
    """Runs the function's code here, in a local execution environment, with the configuration the Lambda API
    holds for it (handler, memory, timeout, environment variables of the version or alias invoked)."""

    def __init__(self, runner: LocalRunner, region: str) -> None:
        self.runner = runner
        self.region = region

    def invoke(self, function: LambdaFunction, payload: bytes, qualifier: str | None) -> InvocationResult:
        options = {"Qualifier": qualifier} if qualifier else {}
        configuration = function.client.get_function_configuration(FunctionName=function.name, **options)
        account = configuration["FunctionArn"].split(":")[4]
        config = FunctionConfig(
            function_name=function.name,
            handler=configuration["Handler"],
            memory_size=int(configuration.get("MemorySize", 128)),
            timeout=float(configuration.get("Timeout", 3)),
            environment=dict(configuration.get("Environment", {}).get("Variables", {})),
            version=str(configuration.get("Version", "$LATEST")),
            region=self.region,
            account_id=account,
            qualifier=qualifier,
        )
        code = self.runner.code_dir(configuration["CodeSha256"], function.packages[configuration["CodeSha256"]])
        return self.runner.invoke(config, code, payload)

    def new_environment(self, function: LambdaFunction) -> None:
        self.runner.discard_environments(function.name)


class ApiInvoker:
    """Lambda runs the code (MiniStack, LocalStack with Docker, AWS): Invoke with ``LogType=Tail``."""

    def invoke(self, function: LambdaFunction, payload: bytes, qualifier: str | None) -> InvocationResult:
        options = {"Qualifier": qualifier} if qualifier else {}
        response = function.client.invoke(FunctionName=function.name, Payload=payload, LogType="Tail", **options)
        logs = base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace")
        report = parse_report(logs)
        request_id = report.request_id if report else str(response["ResponseMetadata"].get("RequestId", ""))
        return InvocationResult(
            request_id=request_id,
            payload=response["Payload"].read(),
            function_error=response.get("FunctionError"),
            report=report,
            logs=logs,
        )

    def new_environment(self, function: LambdaFunction) -> None:
        """A configuration change retires the function's environments; the next invocation starts cold."""
        current = function.client.get_function_configuration(FunctionName=function.name)
        variables = dict(current.get("Environment", {}).get("Variables", {}))
        variables["LABS_ENVIRONMENT_GENERATION"] = str(int(variables.get("LABS_ENVIRONMENT_GENERATION", "0")) + 1)
        function.client.update_function_configuration(FunctionName=function.name, Environment={"Variables": variables})
        function.wait_updated()
