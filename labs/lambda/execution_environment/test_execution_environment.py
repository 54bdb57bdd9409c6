"""What an execution environment keeps between invocations, and how Lambda reports the three ways an
invocation can fail: an exception in the handler, an exception at init, and a timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture
def probe(lambda_function):
    return lambda_function(HERE / "probe.py", handler="probe.lambda_handler", timeout=1)


def test_a_file_in_tmp_is_still_there_on_the_next_warm_invocation(probe):
    probe.invoke({"action": "remember", "text": "written by invocation 1"})

    assert probe.invoke({}).json()["note"] == "written by invocation 1"


def test_module_globals_keep_their_values_across_warm_invocations(probe):
    bodies = [probe.invoke({}).json() for _ in range(3)]

    assert [b["invocations"] for b in bodies] == [1, 2, 3]
    assert len({b["environment"] for b in bodies}) == 1


def test_a_new_environment_starts_with_an_empty_tmp_and_fresh_globals(probe):
    before = probe.invoke({"action": "remember", "text": "old environment"}).json()
    probe.new_environment()
    after = probe.invoke({})

    assert after.report.init_duration_ms is not None  # a cold start again
    assert after.json()["environment"] != before["environment"]
    assert after.json()["invocations"] == 1
    assert after.json()["note"] is None


def test_an_exception_in_the_handler_returns_its_type_message_and_stack_trace(probe):
    result = probe.invoke({"action": "raise", "order": 42})

    assert result.function_error == "Unhandled"
    assert result.error["errorType"] == "ValueError"
    assert result.error["errorMessage"] == "cannot handle order 42"
    assert any("raise ValueError" in frame for frame in result.error["stackTrace"])


def test_the_environment_survives_an_exception_in_the_handler(probe):
    failed = probe.invoke({"action": "raise", "order": 1})
    after = probe.invoke({})

    assert failed.function_error == "Unhandled"
    assert after.function_error is None
    assert after.json()["invocations"] == 2
    assert after.report.init_duration_ms is None


def test_an_exception_at_import_fails_every_invocation_with_a_new_init_each_time(lambda_function):
    broken = lambda_function(HERE / "broken_init.py", handler="broken_init.lambda_handler")
    results = [broken.invoke({}) for _ in range(2)]

    assert [r.function_error for r in results] == ["Unhandled", "Unhandled"]
    assert [r.error["errorType"] for r in results] == ["KeyError", "KeyError"]
    assert results[0].error["errorMessage"] == "'TABLE_NAME is not set'"
    assert all(r.report.init_duration_ms is not None for r in results)


def test_a_timeout_fails_the_invocation_and_the_next_one_starts_a_new_environment(probe):
    first = probe.invoke({}).json()
    timed_out = probe.invoke({"action": "sleep", "seconds": 3})
    after = probe.invoke({})

    assert timed_out.function_error == "Unhandled"
    assert timed_out.error["errorType"] == "Sandbox.Timedout"
    assert timed_out.error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert timed_out.report.duration_ms == pytest.approx(1000, abs=50)
    assert after.report.init_duration_ms is not None
    assert after.json()["environment"] != first["environment"]
