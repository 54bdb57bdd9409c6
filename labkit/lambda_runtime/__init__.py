"""A local Lambda execution environment built from real parts: the function runs in its own process under
``awslambdaric`` (the AWS Python runtime interface client), served by a Runtime API on loopback, and reaches
AWS only through the emulator's endpoint.

- ``report``: the REPORT and INIT_REPORT lines (Duration, Billed Duration in 1 ms steps with a cold start's
  Init Duration included, Status and Error Type of a failed invocation).
- ``runtime_api``: the Runtime API endpoint (``/2018-06-01/runtime/...``).
- ``sandbox``: the function's configuration and its process environment (fake credentials, the endpoint).
- ``environment``: one execution environment: init, warm invocations, timeouts, failures.
- ``local``: warm environments per function version and configuration.
- ``deploy``: functions created through the Lambda API and invoked locally or by Lambda itself.
"""

from labkit.lambda_runtime.deploy import (
    ApiInvoker,
    FunctionFailed,
    LambdaFunction,
    LocalInvoker,
    create_role,
    deploy,
    package,
)
from labkit.lambda_runtime.environment import ExecutionEnvironment
from labkit.lambda_runtime.local import LocalRunner
from labkit.lambda_runtime.report import InitReport, Report, billed_duration_ms, parse_init_reports, parse_report
from labkit.lambda_runtime.result import InvocationResult
from labkit.lambda_runtime.sandbox import FunctionConfig

__all__ = [
    "ApiInvoker",
    "ExecutionEnvironment",
    "FunctionConfig",
    "FunctionFailed",
    "InitReport",
    "InvocationResult",
    "LambdaFunction",
    "LocalInvoker",
    "LocalRunner",
    "Report",
    "billed_duration_ms",
    "create_role",
    "deploy",
    "package",
    "parse_init_reports",
    "parse_report",
]
