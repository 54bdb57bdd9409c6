"""pytest fixtures for Lambda labs: ``lambda_function(...)`` deploys a function and returns a handle whose
``invoke(event)`` gives the result and the REPORT line, on every backend.

- moto (in-process): moto cannot run code, so the function runs in a local execution environment
  (labkit.lambda_runtime) and reaches AWS through a moto server started in this process on a free loopback
  port. That server shares moto's in-process state, so what a test creates with ``aws_client`` the function
  sees, and the reverse.
- moto-server: the same local environment, pointed at the session's moto server.
- MiniStack, LocalStack with Docker, AWS (``lambda-execution``): Lambda runs the code; invoked through the Lambda
  API (``ApiInvoker``).
- LocalStack on the host (no Docker): CreateFunction leaves every function in State Failed (which it then cannot
  delete), so a test that deploys one is skipped before creating it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from labkit.backends import Backend
from labkit.lambda_runtime import (
    ApiInvoker,
    FunctionFailed,
    LambdaFunction,
    LocalInvoker,
    LocalRunner,
    create_role,
    deploy,
)
from labkit.lambda_runtime.deploy import Invoker
from labkit.moto_thread_server import MotoThreadServer


@pytest.fixture(scope="session")
def _in_process_moto_endpoint() -> Iterator[str]:
    """A moto server thread in this process, for functions to call while the test uses in-process moto."""
    server = MotoThreadServer(0)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def lambda_endpoint(backend: Backend, request: pytest.FixtureRequest) -> str:
    """The URL a locally run function uses as AWS_ENDPOINT_URL."""
    if backend.endpoint_url:
        return backend.endpoint_url
    if backend.name == "moto":
        return str(request.getfixturevalue("_in_process_moto_endpoint"))
    raise RuntimeError(f"the {backend.name} backend has no endpoint a local function could use")


@pytest.fixture
def lambda_runner(request: pytest.FixtureRequest) -> Iterator[LocalRunner]:
    """Local execution environments for this test; all shut down when it ends."""
    runner = LocalRunner(str(request.getfixturevalue("lambda_endpoint")))
    yield runner
    runner.close()


@pytest.fixture
def lambda_invoker(backend: Backend, request: pytest.FixtureRequest) -> Invoker:
    """Who runs the code: Lambda itself where the backend can (``lambda-execution``), else a local environment."""
    if backend.lacks("lambda-execution") is None:
        return ApiInvoker()
    return LocalInvoker(request.getfixturevalue("lambda_runner"), backend.region)


@pytest.fixture
def lambda_role(aws_client: Callable[..., Any], unique_name: Callable[..., str]) -> str:
    """An execution role ARN for CreateFunction (the Lambda API checks that the role exists)."""
    return create_role(aws_client("iam"), unique_name("lambda-role"))


LambdaFactory = Callable[..., LambdaFunction]


@pytest.fixture
def lambda_function(
    aws_client: Callable[..., Any],
    unique_name: Callable[..., str],
    lambda_role: str,
    lambda_invoker: Invoker,
    backend: Backend,
) -> LambdaFactory:
    """``lambda_function(Path(...)/"handler.py", handler="handler.lambda_handler", environment={...},
    timeout=3, memory_size=128)``: CreateFunction with those files, and a handle to ``invoke(event)`` it."""

    def make(
        *sources: Path,
        handler: str,
        environment: dict[str, str] | None = None,
        timeout: int = 3,
        memory_size: int = 128,
        name: str | None = None,
    ) -> LambdaFunction:
        why = backend.lacks("lambda-execution")
        if why and backend.lacks("localstack-internals") is None:
            # LocalStack without Docker leaves every function in State Failed, and then cannot delete it
            # (DeleteFunction: InternalError), so the function is not even created.
            pytest.skip(f"needs lambda-execution: {why} (its functions end in State Failed)")
        try:
            return deploy(
                aws_client("lambda"),
                name=name or unique_name("fn"),
                role_arn=lambda_role,
                sources=sources,
                handler=handler,
                invoker=lambda_invoker,
                environment=environment,
                timeout=timeout,
                memory_size=memory_size,
            )
        except FunctionFailed as exc:
            why = backend.lacks("lambda-execution")
            if why is None:
                raise
            state = f"CreateFunction left the function in State Failed: {exc.reason}"
            pytest.skip(f"needs lambda-execution: {why} ({state})")

    return make
