"""What an execution environment keeps between invocations, and how Lambda reports the ways an invocation can
fail: an exception in the handler, an exception at init, a timeout and a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent
LIFECYCLE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html"
SNAPSHOTS = "localstack/localstack:tests/aws/services/lambda_/test_lambda.snapshot.json"
NO_REPORT = "its Invoke log tail holds only the function's output: no START, END, REPORT or INIT_REPORT lines"
TAIL = "botocore:lambda/2015-03-31#InvocationResponse"


@pytest.fixture
def probe(lambda_function):
    return lambda_function(HERE / "probe.py", handler="probe.lambda_handler", timeout=1, memory_size=256)


def test_a_file_in_tmp_is_still_there_on_the_next_warm_invocation(probe):
    probe.invoke({"action": "remember", "text": "written by invocation 1"})

    assert probe.invoke({}).json()["note"] == "written by invocation 1"


def test_module_globals_keep_their_values_across_warm_invocations(probe):
    bodies = [probe.invoke({}).json() for _ in range(3)]

    assert [b["invocations"] for b in bodies] == [1, 2, 3]
    assert len({b["environment"] for b in bodies}) == 1


def test_a_new_environment_starts_with_fresh_globals(probe):
    before = probe.invoke({}).json()
    probe.new_environment()
    after = probe.invoke({}).json()

    assert after["environment"] != before["environment"]
    assert after["invocations"] == 1


@pytest.mark.diverges(
    "ministack",
    "gives a function's new worker the /tmp of the one it replaced; on AWS each execution environment has its own",
    evidence=LIFECYCLE,
)
def test_a_new_environment_starts_with_an_empty_tmp(probe):
    probe.invoke({"action": "remember", "text": "old environment"})
    probe.new_environment()

    assert probe.invoke({}).json()["note"] is None


@pytest.mark.diverges(
    "ministack",
    "answers errorType Runtime.HandlerError and no stackTrace; AWS answers the exception's class and a stack trace",
    evidence="localstack/localstack:tests/aws/services/lambda_/test_lambda_common.snapshot.json"
    "#test_uncaught_exception_invoke[python3.11] ; https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html",
)
def test_an_exception_in_the_handler_returns_its_type_message_and_stack_trace(probe):
    result = probe.invoke({"action": "raise", "order": 42})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "ValueError"
    assert result.error["errorMessage"] == "cannot handle order 42"
    assert any("raise ValueError" in frame for frame in result.error["stackTrace"])


@pytest.mark.diverges(
    "ministack",
    "kills the worker after a handler exception, so the next invocation runs init again; on AWS only a crash or "
    "a timeout resets the environment",
    evidence=LIFECYCLE,
)
def test_the_environment_survives_an_exception_in_the_handler(probe):
    first = probe.invoke({"action": "raise", "order": 1})
    after = probe.invoke({})

    assert first.function_error == "Unhandled"
    assert after.function_error is None
    assert after.json()["invocations"] == 2


@pytest.mark.diverges(
    "ministack",
    "answers errorType RuntimeError, message \"Worker init failed: 'TABLE_NAME is not set'\"; AWS answers the "
    "exception's own class and message",
    evidence=f"{SNAPSHOTS}#test_lambda_runtime_error",
)
def test_an_exception_at_import_fails_every_invocation_with_its_type_and_message(lambda_function):
    broken = lambda_function(HERE / "broken_init.py", handler="broken_init.lambda_handler")
    results = [broken.invoke({}) for _ in range(2)]

    assert [r.function_error for r in results] == ["Unhandled", "Unhandled"]
    assert [r.error["errorType"] for r in results] == ["KeyError", "KeyError"]
    assert [r.error["errorMessage"] for r in results] == ["'TABLE_NAME is not set'"] * 2


@pytest.mark.diverges("ministack", NO_REPORT, evidence=f"{LIFECYCLE} ; {TAIL}")
def test_a_failed_init_is_logged_in_init_report_lines_and_retried_inside_the_invocation(lambda_function):
    broken = lambda_function(HERE / "broken_init.py", handler="broken_init.lambda_handler")
    result = broken.invoke({})

    assert [(r.phase, r.status) for r in result.init_reports] == [("init", "error"), ("invoke", "error")]
    assert all(r.error_type for r in result.init_reports)
    assert result.report.status == "error"
    assert result.report.error_type is not None


@pytest.mark.diverges(
    "ministack",
    'answers "Task timed out after 1.00 seconds"; AWS prefixes "RequestId: <id> Error: "',
    evidence=f"{SNAPSHOTS}#test_lambda_invoke_with_timeout",
)
def test_a_timeout_fails_the_invocation_with_sandbox_timedout(probe):
    result = probe.invoke({"action": "sleep", "seconds": 3})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(r"RequestId: \S+ Error: Task timed out after 1\.00 seconds", result.error["errorMessage"])


@pytest.mark.diverges("ministack", NO_REPORT, evidence=f"{LIFECYCLE} ; {TAIL}")
def test_a_timeout_is_reported_with_status_timeout(probe):
    result = probe.invoke({"action": "sleep", "seconds": 3})

    assert result.report.status == "timeout"
    assert result.report.duration_ms == pytest.approx(1000, abs=50)


def test_after_a_timeout_init_runs_again_but_tmp_keeps_its_files(probe):
    before = probe.invoke({"action": "remember", "text": "written before the timeout"}).json()
    probe.invoke({"action": "sleep", "seconds": 3})
    after = probe.invoke({}).json()

    assert after["environment"] != before["environment"]  # module code ran again
    assert after["invocations"] == 1
    assert after["note"] == "written before the timeout"


@pytest.mark.diverges("ministack", NO_REPORT, evidence=f"{LIFECYCLE} ; {TAIL}")
def test_a_crash_is_a_runtime_exit_error_and_its_report_shows_the_memory_it_used(probe):
    result = probe.invoke({"action": "crash", "mb": 150})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "Runtime.ExitError"
    assert (result.report.status, result.report.error_type) == ("error", "Runtime.ExitError")
    assert result.report.max_memory_used_mb >= 150
