"""Step Functions Task states that call a Lambda function, two ways: the optimized integration
``arn:aws:states:::lambda:invoke`` (the result comes back wrapped, under Payload) and the function's own ARN
(the result comes back as is). A failing task is retried by its Retry field (defaults: MaxAttempts 3,
IntervalSeconds 1, BackoffRate 2.0), then caught by its Catch field (ResultPath keeps the input and adds the
error); TimeoutSeconds fails a task that runs too long with States.Timeout. The execution history records
every attempt.

Every test runs the function for real (``lambda-execution``): ``pytest <this file> --backend ministack``.
The default Retry waits 1 + 2 + 4 seconds, on AWS as on an emulator.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import Patience, eventually, seconds
from labkit.report import show, show_table

HERE = Path(__file__).parent
pytestmark = pytest.mark.needs("lambda-execution")

#: How long an execution may run before the test gives up (the longest here retries for 7 s).
EXECUTION: Patience = {"aws_seconds": 300.0, "emulator_seconds": 30.0}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
SFN_SNAPSHOTS = "localstack/localstack:tests/aws/services/stepfunctions/v2"
#: History events that start one attempt of a Lambda task, for either way of calling it.
SCHEDULED = {"TaskScheduled", "LambdaFunctionScheduled"}
ENDED = {"TaskFailed", "TaskSucceeded", "TaskTimedOut", "LambdaFunctionFailed", "LambdaFunctionSucceeded"}


def invoke_task(function_arn, **state):
    """A Task state using the optimized integration: Lambda's Invoke with the state's input as Payload."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
        **state,
    }


def one_state(task):
    return {"StartAt": "Step", "States": {"Step": {**task, "End": True}}}


@pytest.fixture
def checkout(lambda_function):
    """The function the Task states call (sfn_checkout_handler.py)."""
    return lambda_function(HERE / "sfn_checkout_handler.py", handler="sfn_checkout_handler.lambda_handler", timeout=5)


@pytest.fixture
def run(aws_client, backend, unique_name, checkout):
    """``run(definition, input)``: create the state machine, start one execution and poll DescribeExecution until
    it ends (a bounded wait); returns (describe_execution, history events)."""
    sfn, iam = aws_client("stepfunctions"), aws_client("iam")
    role = iam.create_role(RoleName=unique_name("sfn"), AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    invoke = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [checkout.arn, f"{checkout.arn}:*"]}
    iam.put_role_policy(
        RoleName=role["RoleName"],
        PolicyName="invoke-checkout",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [invoke]}),
    )

    def execute(definition, execution_input):
        machine = create_state_machine(sfn, backend, unique_name("checkout"), definition, role["Arn"])
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))["executionArn"]
        described = eventually(
            lambda: sfn.describe_execution(executionArn=arn),
            backend,
            until=lambda execution: execution["status"] != "RUNNING",
            **EXECUTION,
            interval=0.2,
        )
        assert described["status"] != "RUNNING", f"execution still RUNNING after {seconds(EXECUTION, backend)} s"
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        show(f"{described['status']}: " + " -> ".join(e["type"] for e in events))
        return described, events

    return execute


def create_state_machine(sfn, backend, name, definition, role_arn):
    """CreateStateMachine; on AWS retried for up to a minute while the new role cannot be assumed yet."""
    for attempt in range(12):
        try:
            return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role_arn)[
                "stateMachineArn"
            ]
        except ClientError as exc:
            if backend.is_emulator or attempt == 11 or "role" not in str(exc).lower():
                raise
            time.sleep(5)
    raise AssertionError("unreachable")


def attempts_in(events):
    return [e for e in events if e["type"] in SCHEDULED]


def test_a_lambda_invoke_task_returns_the_result_under_payload_with_a_status_code(run, checkout):
    execution, _ = run(one_state(invoke_task(checkout.arn)), {"action": "price", "items": [2, 4]})

    output = json.loads(execution["output"])
    assert execution["status"] == "SUCCEEDED"
    assert (output["StatusCode"], output["Payload"]) == (200, {"total": 6})


def test_a_task_with_the_function_arn_as_resource_returns_the_result_as_is(run, checkout):
    execution, _ = run(one_state({"Type": "Task", "Resource": checkout.arn}), {"action": "price", "items": [1, 2]})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"total": 3}


@pytest.mark.diverges(
    "ministack",
    "records a Task whose Resource is a function ARN with Task* events; AWS records LambdaFunctionScheduled, "
    "LambdaFunctionStarted, LambdaFunctionSucceeded/Failed",
    evidence=f"{SFN_SNAPSHOTS}/error_handling/test_task_lambda.snapshot.json#TestTaskLambda::test_raise_custom_exception",
)
def test_a_function_arn_task_is_recorded_as_lambda_function_events(run, checkout):
    _, events = run(one_state({"Type": "Task", "Resource": checkout.arn}), {"action": "price", "items": [1]})

    types = [e["type"] for e in events]
    assert [t for t in types if t.startswith("LambdaFunction")] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]


def test_retry_with_its_defaults_tries_three_more_times_one_two_and_four_seconds_apart(run, checkout):
    # no MaxAttempts, IntervalSeconds or BackoffRate: the defaults apply
    task = invoke_task(checkout.arn, Retry=[{"ErrorEquals": ["States.ALL"]}])

    execution, events = run(one_state(task), {"action": "charge", "card": "4242"})

    attempts = attempts_in(events)
    failures = [e for e in events if e["type"] in ENDED]
    waits = [(a["timestamp"] - f["timestamp"]).total_seconds() for f, a in zip(failures, attempts[1:], strict=False)]
    show_table("attempts", ["attempt", "waited before it (s)"], enumerate(["-"] + [f"{w:.2f}" for w in waits], 1))
    assert execution["status"] == "FAILED"
    assert len(attempts) == 4  # the first try and MaxAttempts 3 retries
    # IntervalSeconds 1 before the first retry, then doubled by BackoffRate 2.0 (history times are in milliseconds)
    assert [w >= least - 0.05 for w, least in zip(waits, [1, 2, 4], strict=True)] == [True, True, True]


@pytest.mark.diverges(
    "ministack",
    "names every function error Runtime.HandlerError; AWS names the exception class (PaymentDeclined)",
    evidence=f"{SFN_SNAPSHOTS}/error_handling/test_task_service_lambda.snapshot.json"
    "#TestTaskServiceLambda::test_raise_custom_exception",
)
def test_a_failed_lambda_task_reports_the_exception_class_as_the_error(run, checkout):
    execution, _ = run(one_state(invoke_task(checkout.arn)), {"action": "charge", "card": "4242"})

    assert (execution["status"], execution["error"]) == ("FAILED", "PaymentDeclined")
    assert json.loads(execution["cause"])["errorMessage"] == "card 4242 declined"


def test_catch_keeps_the_input_adds_the_error_at_its_result_path_and_moves_on(run, checkout):
    catch = {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Apologise"}
    task = invoke_task(checkout.arn, Catch=[catch])
    definition = {
        "StartAt": "Charge",
        "States": {"Charge": {**task, "End": True}, "Apologise": {"Type": "Pass", "End": True}},
    }

    execution, events = run(definition, {"action": "charge", "card": "4242"})

    output = json.loads(execution["output"])
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert execution["status"] == "SUCCEEDED"
    assert entered == ["Charge", "Apologise"]
    assert {key: output[key] for key in ("action", "card")} == {"action": "charge", "card": "4242"}
    assert set(output["error"]) == {"Error", "Cause"}
    assert json.loads(output["error"]["Cause"])["errorMessage"] == "card 4242 declined"


def test_timeout_seconds_fails_a_slow_task_with_states_timeout(run, checkout):
    task = invoke_task(checkout.arn, TimeoutSeconds=1)

    execution, _ = run(one_state(task), {"action": "wait", "seconds": 3})

    assert (execution["status"], execution["error"]) == ("FAILED", "States.Timeout")


@pytest.mark.diverges(
    "ministack",
    "records the timed-out task as TaskFailed with a cause; AWS records TaskTimedOut",
    evidence=f"{SFN_SNAPSHOTS}/timeouts/test_timeouts.snapshot.json#TestTimeouts::test_fixed_timeout_service_lambda",
)
def test_a_timed_out_task_is_recorded_as_task_timed_out(run, checkout):
    _, events = run(one_state(invoke_task(checkout.arn, TimeoutSeconds=1)), {"action": "wait", "seconds": 3})

    ended = [e["type"] for e in events if e["type"] in ENDED]
    assert ended == ["TaskTimedOut"]
