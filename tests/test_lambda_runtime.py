"""The local Lambda execution environment (labkit.lambda_runtime): Runtime API, life cycle, errors, sandbox."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from labkit.lambda_runtime import (
    ExecutionEnvironment,
    FunctionConfig,
    InitReport,
    Report,
    billed_duration_ms,
    parse_init_reports,
    parse_report,
)
from labkit.lambda_runtime.sandbox import NOWHERE

NO_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there; these functions never call AWS

HANDLER = """
import json, os, socket, sys, tempfile, time, uuid

ENVIRONMENT_ID = uuid.uuid4().hex
INITS_FILE = os.path.join(tempfile.gettempdir(), "inits.txt")
with open(INITS_FILE, "a") as f:
    f.write("x")  # one mark per init, in /tmp: it survives a reset
if os.environ.get("SLOW_INIT_ONCE") and open(INITS_FILE).read() == "x":
    time.sleep(float(os.environ["SLOW_INIT_ONCE"]))
SHOWN = ("AWS_", "LAMBDA_", "_HANDLER", "TMPDIR", "GREETING")
CALLS = 0
print("init: module loaded")
if os.environ.get("FAIL_AT_INIT"):
    raise RuntimeError("cannot start: FAIL_AT_INIT is set")


def handler(event, context):
    global CALLS
    CALLS += 1
    print(f"call {CALLS}")
    action = event.get("action")
    if action == "raise":
        raise ValueError("bad input: " + str(event.get("value")))
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "exit":
        sys.exit(3)
    if action == "grow_then_exit":
        ballast = bytearray(event["mb"] * 1024 * 1024)
        ballast[::4096] = b"x" * len(ballast[::4096])
        os._exit(3)
    if action == "write_tmp":
        with open(os.path.join(tempfile.gettempdir(), "note.txt"), "w") as f:
            f.write(event["text"])
    if action == "connect":
        try:
            socket.create_connection((event["host"], 443), timeout=1)
            return {"connected": True}
        except Exception as exc:
            return {"connected": False, "error": type(exc).__name__, "message": str(exc)}
    tmp_file = os.path.join(tempfile.gettempdir(), "note.txt")
    return {
        "environment": ENVIRONMENT_ID,
        "calls": CALLS,
        "request_id": context.aws_request_id,
        "invoked_arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "memory_limit": context.memory_limit_in_mb,
        "tmp_note": open(tmp_file).read() if os.path.exists(tmp_file) else None,
        "inits": len(open(INITS_FILE).read()),
        "env": {k: v for k, v in os.environ.items() if k.startswith(SHOWN)},
    }
"""


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "app.py").write_text(textwrap.dedent(HANDLER))
    return folder


@pytest.fixture
def make_environment(code_dir):
    started: list[ExecutionEnvironment] = []

    def make(**options) -> ExecutionEnvironment:
        options.setdefault("timeout", 2)
        config = FunctionConfig(function_name="labs-runtime-test", handler="app.handler", **options)
        environment = ExecutionEnvironment(config, code_dir, endpoint_url=NO_ENDPOINT)
        started.append(environment)
        return environment

    yield make
    for environment in started:
        environment.stop()


def invoke(environment, event):
    return environment.invoke(json.dumps(event).encode())


def test_billed_duration_rounds_up_to_the_next_millisecond():
    assert [billed_duration_ms(d) for d in (120.31, 1954.15, 3.0, 0.01)] == [121, 1955, 3, 1]


def test_billed_duration_of_a_cold_start_includes_the_init_duration():
    assert billed_duration_ms(2.03, 140.6) == 143  # 142.63 ms rounded up


def test_report_with_status_and_error_type_round_trips_through_the_parser():
    report = Report("req-2", 12.1, 13, 128, 41, status="error", error_type="Runtime.ExitError")
    assert report.line().endswith("Max Memory Used: 41 MB\tStatus: error\tError Type: Runtime.ExitError")
    assert parse_report(report.line()) == report


def test_init_report_lines_round_trip_through_the_parser():
    lines = [InitReport(10000.0, "init", "timeout"), InitReport(150.79, "invoke", "error", "Runtime.ExitError")]
    text = "\n".join(r.line() for r in lines)
    assert (
        text.splitlines()[1]
        == "INIT_REPORT Init Duration: 150.79 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError"
    )
    assert parse_init_reports(text) == lines


def test_report_line_round_trips_through_the_parser():
    report = Report("req-1", 321.61, 322, 128, 73, init_duration_ms=424.98)
    assert report.line() == (
        "REPORT RequestId: req-1\tDuration: 321.61 ms\tBilled Duration: 322 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 73 MB\tInit Duration: 424.98 ms"
    )
    assert parse_report("END RequestId: req-1\n" + report.line() + "\n") == report


def test_first_invocation_is_cold_and_later_ones_are_warm_in_the_same_process(make_environment):
    environment = make_environment()
    results = [invoke(environment, {}) for _ in range(3)]

    bodies = [r.json() for r in results]
    assert [b["calls"] for b in bodies] == [1, 2, 3]
    assert len({b["environment"] for b in bodies}) == 1
    assert [r.report.cold for r in results] == [True, False, False]
    assert results[0].report.init_duration_ms > 0
    assert all("Init Duration" not in r.logs for r in results[1:])
    first = results[0].report
    assert first.billed_duration_ms == billed_duration_ms(first.duration_ms, first.init_duration_ms)
    assert first.billed_duration_ms > first.duration_ms + first.init_duration_ms - 1


def test_context_carries_the_request_id_arn_deadline_and_memory(make_environment):
    environment = make_environment(memory_size=256)
    result = invoke(environment, {})

    body = result.json()
    assert body["request_id"] == result.request_id == result.report.request_id
    assert body["invoked_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:labs-runtime-test"
    assert 0 < body["remaining_ms"] <= 2000
    assert body["memory_limit"] == "256"  # a string, read from AWS_LAMBDA_FUNCTION_MEMORY_SIZE as on Lambda
    assert result.report.memory_size_mb == 256


def test_logs_put_init_output_before_start_and_handler_output_between_start_and_end(make_environment):
    environment = make_environment()
    first, second = invoke(environment, {}), invoke(environment, {})

    lines = first.logs.splitlines()
    assert lines[0] == "init: module loaded"
    assert lines[1] == f"START RequestId: {first.request_id} Version: $LATEST"
    assert first.output == "call 1"
    assert lines[-2] == f"END RequestId: {first.request_id}"
    assert lines[-1] == first.report.line()
    assert second.output == "call 2"
    assert "init: module loaded" not in second.logs


def test_handler_exception_returns_error_type_message_and_stack_trace(make_environment):
    environment = make_environment()
    result = invoke(environment, {"action": "raise", "value": 42})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "ValueError"
    assert result.error["errorMessage"] == "bad input: 42"
    assert result.error["requestId"] == result.request_id
    assert "raise ValueError" in "".join(result.error["stackTrace"])
    assert invoke(environment, {}).json()["calls"] == 2  # the environment survives a handler error


def test_exception_at_import_is_reported_then_retried_inside_the_invocation(make_environment):
    environment = make_environment(environment={"FAIL_AT_INIT": "1"})
    result = invoke(environment, {})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "RuntimeError"
    assert result.error["errorMessage"] == "cannot start: FAIL_AT_INIT is set"
    assert [(r.phase, r.status, r.error_type) for r in result.init_reports] == [
        ("init", "error", "RuntimeError"),
        ("invoke", "error", "RuntimeError"),
    ]
    assert environment.inits == 2  # the Init phase, then its retry within the invocation
    lines = result.logs.splitlines()
    assert lines.index(next(x for x in lines if "Phase: invoke" in x)) < lines.index(
        f"START RequestId: {result.request_id} Version: $LATEST"
    )
    assert (result.report.status, result.report.error_type) == ("error", "RuntimeError")
    assert result.report.line().endswith("Status: error\tError Type: RuntimeError")


def test_an_init_error_resets_the_environment_and_the_next_invocation_inits_again(make_environment):
    environment = make_environment(environment={"FAIL_AT_INIT": "1"})
    invoke(environment, {})
    invoke(environment, {})

    assert environment.inits == 4
    assert not environment.dead


def test_an_init_longer_than_the_init_limit_is_retried_under_the_function_timeout(make_environment):
    # Lambda's limit is 10 s; 0.3 s here keeps the test short. The first init sleeps 1 s, the retry does not.
    environment = make_environment(init_timeout=0.3, timeout=5, environment={"SLOW_INIT_ONCE": "1"})
    result = invoke(environment, {})

    assert result.function_error is None, result.logs
    assert [(r.phase, r.status) for r in result.init_reports] == [("init", "timeout")]
    assert result.json()["inits"] == 2
    assert result.report.init_duration_ms is None  # the retried init ran inside the invocation, in its Duration
    assert result.report.billed_duration_ms == billed_duration_ms(result.report.duration_ms)


def test_timeout_resets_the_runtime_and_reports_task_timed_out(make_environment):
    environment = make_environment(timeout=1)
    result = invoke(environment, {"action": "sleep", "seconds": 5})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert result.error["errorMessage"] == f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds"
    assert result.report.status == "timeout"
    assert result.report.duration_ms == 1000.0
    assert environment.resets == 1 and not environment.dead


def test_after_a_timeout_globals_start_over_but_tmp_keeps_its_files(make_environment):
    environment = make_environment(timeout=1)
    before = invoke(environment, {"action": "write_tmp", "text": "kept"}).json()
    invoke(environment, {"action": "sleep", "seconds": 5})
    after = invoke(environment, {})

    assert after.report.cold  # init ran again
    body = after.json()
    assert body["environment"] != before["environment"]
    assert body["calls"] == 1
    assert body["tmp_note"] == "kept"


def test_a_runtime_that_exits_mid_invocation_is_a_runtime_exit_error(make_environment):
    environment = make_environment()
    result = invoke(environment, {"action": "exit"})

    assert result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"].endswith("Runtime exited with error: exit status 3")
    assert (result.report.status, result.report.error_type) == ("error", "Runtime.ExitError")
    assert invoke(environment, {}).json()["calls"] == 1  # reset: init again, globals start over


def test_max_memory_used_after_a_crash_is_the_real_peak(make_environment):
    environment = make_environment(memory_size=512)
    result = invoke(environment, {"action": "grow_then_exit", "mb": 200})

    assert result.error["errorType"] == "Runtime.ExitError"
    assert result.report.max_memory_used_mb >= 200


def test_tmp_persists_while_warm_and_a_new_environment_has_its_own(make_environment):
    first = make_environment()
    invoke(first, {"action": "write_tmp", "text": "kept"})
    assert invoke(first, {}).json()["tmp_note"] == "kept"

    second = make_environment()
    assert invoke(second, {}).json()["tmp_note"] is None


def test_the_function_gets_fake_credentials_the_endpoint_and_no_config_files(make_environment, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY")
    env = invoke(make_environment(environment={"GREETING": "hi", "AWS_REGION": "eu-west-1"}), {}).json()["env"]

    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_ENDPOINT_URL"] == NO_ENDPOINT
    assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == NOWHERE
    assert "AWS_PROFILE" not in env
    assert env["GREETING"] == "hi"
    assert env["AWS_REGION"] == "us-east-1"  # reserved: a function's Environment cannot change it
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "labs-runtime-test"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_EXECUTION_ENV"].startswith("AWS_Lambda_python3.")


@pytest.mark.parametrize("host", ["203.0.113.10", "s3.amazonaws.com"])
def test_the_function_process_cannot_reach_anything_but_loopback(make_environment, host):
    body = invoke(make_environment(), {"action": "connect", "host": host}).json()

    assert body["connected"] is False
    assert body["error"] == "SandboxRefused"
    assert host in body["message"]
