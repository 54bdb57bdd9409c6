"""Each state type of the notes, run as an execution; the execution history shows the path taken."""

from __future__ import annotations

import json

import pytest
from machines import FAIL, PATHS, RETRY_THEN_CATCH, WAIT

from labkit.eventually import eventually
from labkit.report import show

SNAPSHOTS = "localstack/localstack:tests/aws/services/stepfunctions/v2"
NO_BRANCH_EVENTS = "records no events for the states inside a Parallel branch; AWS's history has them"

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def run(aws_client, unique_name, moto_config, backend):
    """``run(definition, input)``: create the state machine, start one execution, wait for its end (a few
    seconds at most); returns (describe_execution, names of the states entered, in order)."""
    moto_config({"stepfunctions": {"execute_state_machine": True}})
    sfn = aws_client("stepfunctions")
    role = aws_client("iam").create_role(RoleName=unique_name("sfn"), AssumeRolePolicyDocument=json.dumps(TRUST))

    def execute(definition, execution_input):
        machine = sfn.create_state_machine(
            name=unique_name("machine"), definition=json.dumps(definition), roleArn=role["Role"]["Arn"]
        )
        execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(execution_input))
        described = eventually(
            lambda: sfn.describe_execution(executionArn=execution["executionArn"]),
            backend,
            until=lambda found: found["status"] != "RUNNING",
            aws_seconds=10,
            emulator_seconds=10,
            interval=0.05,
        )
        assert described["status"] != "RUNNING", "execution still RUNNING after 10 s"
        events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        path = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
        show(f"{described['status']}: {' -> '.join(path)}")
        return described, path

    return execute


@pytest.mark.diverges(
    "ministack",
    NO_BRANCH_EVENTS,
    evidence=f"{SNAPSHOTS}/scenarios/test_base_scenarios.snapshot.json#test_parallel_state",
)
def test_choice_sends_a_big_value_through_parallel_and_map(run):
    execution, path = run(PATHS, {"value": 7})

    assert execution["status"] == "SUCCEEDED"
    assert path[:3] == ["Prepare", "IsBig", "FanOut"]
    assert sorted(path[3:5]) == ["Left", "Right"]  # branches run side by side: either may be entered first
    assert path[5:] == ["EachItem", "Item", "Item", "Item"]


def test_choice_sends_a_small_value_to_its_default(run):
    execution, path = run(PATHS, {"value": 1})

    assert execution["status"] == "SUCCEEDED"
    assert path == ["Prepare", "IsBig", "Small"]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    'returns a string result bare (small); AWS returns JSON text ("small")',
    evidence="botocore:stepfunctions/2016-11-23#DescribeExecutionOutput",
    raises=ValueError,
)
def test_execution_output_is_json_text_even_for_a_string_result(run):
    execution, _ = run(PATHS, {"value": 1})

    assert json.loads(execution["output"]) == "small"


def test_parallel_returns_one_result_per_branch_and_map_one_per_item(run):
    execution, _ = run(PATHS, {"value": 7})

    output = json.loads(execution["output"])
    assert output["branches"] == ["left", "right"]
    assert output["mapped"] == [1, 2, 3]
    assert output["prepared"] == {"items": [1, 2, 3]}  # Pass with ResultPath adds to the input


def test_wait_state_holds_the_execution_for_its_seconds(run):
    execution, path = run(WAIT, {})

    assert path == ["WaitASecond", "Done"]
    assert (execution["stopDate"] - execution["startDate"]).total_seconds() >= 1


def test_fail_state_fails_the_execution_with_its_error_and_cause(run):
    execution, path = run(FAIL, {})

    assert path == ["Reject"]
    assert (execution["status"], execution["error"], execution["cause"]) == (
        "FAILED",
        "Order.Rejected",
        "credit limit exceeded",
    )


@pytest.mark.diverges(
    "ministack",
    NO_BRANCH_EVENTS + " (neither the try nor the retry)",
    evidence=f"{SNAPSHOTS}/states_variables/test_error_output.snapshot.json"
    "#test_parallel_catch_error[PARALLEL_CATCH_ERROR_OUTPUT_WITH_RETRY]",
)
def test_retry_runs_the_failed_state_again_then_catch_routes_to_the_fallback(run):
    execution, path = run(RETRY_THEN_CATCH, {})

    assert path == ["Flaky", "Boom", "Boom", "Recover"]  # first try, one retry, then the catcher
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {
        "error": {"Error": "Flaky.Error", "Cause": "always"},
        "outcome": "recovered",
    }
