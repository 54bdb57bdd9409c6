"""An asynchronous invoke (InvocationType Event) is only acknowledged: Lambda answers 202, queues the event and
runs the function later. When the function fails, Lambda tries again, up to MaximumRetryAttempts (0 to 2)
more times; then it sends an invocation record to the on-failure destination, or the bare event to the
function's dead-letter queue. A success goes to the on-success destination. An event that waited longer than
MaximumEventAgeInSeconds is not run any more.

Every test runs the function for real (``lambda-execution``): ``pytest <this file> --backend ministack``.
On AWS a retry comes about 1 minute after a failure and the next about 2 minutes later, so the test with
MaximumRetryAttempts 2 takes about 3 minutes there; the waits allow 7.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from labkit.errors import error_code
from labkit.eventually import DELIVERY, Patience, retry_while
from labkit.report import show_table
from labkit.serverless import ROLE_NOT_READY, Inbox

HERE = Path(__file__).parent
pytestmark = pytest.mark.needs("lambda-execution")

#: After the function has run, its destination record follows within seconds (a minute on AWS).
AFTER_THE_RUN: Patience = {"aws_seconds": 120.0, "emulator_seconds": 3.0}
#: Lambda's retries of a failed asynchronous event: AWS waits about 1 minute, then about 2 more.
ASYNC_RETRIES: Patience = {"aws_seconds": 420.0, "emulator_seconds": 20.0}
DESTINATIONS = "localstack/localstack:tests/aws/services/lambda_/test_lambda_destinations.snapshot.json"
RECORDS_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
RETRY_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"


@dataclass
class Orders:
    """A function that takes orders asynchronously (async_order_handler.py), and the queues around it."""

    lam: object
    name: str
    arn: str
    attempts: Inbox  # one message per attempt the function made: {"request_id", "event"}
    on_failure: Inbox | None = None
    on_success: Inbox | None = None
    dlq: Inbox | None = None

    def send(self, event: dict) -> dict:
        """Invoke asynchronously; returns Invoke's answer."""
        return self.lam.invoke(FunctionName=self.name, InvocationType="Event", Payload=json.dumps(event).encode())


@pytest.fixture
def orders(aws_client, backend, inbox, grant, lambda_function):
    """``orders(retries=0, max_age=None, on_failure=False, on_success=False, dlq=False)``: the order function
    with that asynchronous configuration, and a queue for each destination asked for."""
    lam = aws_client("lambda")

    def build(*, retries=None, max_age=None, on_failure=False, on_success=False, dlq=False):
        attempts = inbox("attempts")
        queues = {name: inbox(name) for name, wanted in (("failed", on_failure), ("done", on_success)) if wanted}
        dead = inbox("orders-dlq") if dlq else None
        grant(["sqs:SendMessage"], [attempts.arn] + [q.arn for q in queues.values()] + ([dead.arn] if dead else []))
        function = lambda_function(
            HERE / "async_order_handler.py",
            handler="async_order_handler.lambda_handler",
            environment={"ATTEMPTS_QUEUE_URL": attempts.url},
        )
        if dead:
            retry_while(
                ROLE_NOT_READY,
                lam.update_function_configuration,
                backend,
                FunctionName=function.name,
                DeadLetterConfig={"TargetArn": dead.arn},
            )
            function.wait_updated()
        config = {}
        if retries is not None:
            config["MaximumRetryAttempts"] = retries
        if max_age is not None:
            config["MaximumEventAgeInSeconds"] = max_age
        destinations = {}
        if "failed" in queues:
            destinations["OnFailure"] = {"Destination": queues["failed"].arn}
        if "done" in queues:
            destinations["OnSuccess"] = {"Destination": queues["done"].arn}
        if destinations:
            config["DestinationConfig"] = destinations
        if config:
            retry_while(
                ROLE_NOT_READY, lam.put_function_event_invoke_config, backend, FunctionName=function.name, **config
            )
        return Orders(lam, function.name, function.arn, attempts, queues.get("failed"), queues.get("done"), dead)

    return build


def test_an_event_invoke_answers_202_with_no_payload_and_the_function_runs_later(orders):
    shop = orders()

    answer = shop.send({"order": 1})
    [attempt] = shop.attempts.take(1)

    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    assert attempt["event"] == {"order": 1}


@pytest.mark.parametrize("retries", [0, 1, 2])
def test_a_failing_event_is_tried_once_plus_maximum_retry_attempts_times(orders, retries):
    shop = orders(retries=retries, on_failure=True)

    shop.send({"order": 7, "fail": True})
    [record] = shop.on_failure.take(1, ASYNC_RETRIES)  # sent after the last attempt failed
    attempts = shop.attempts.take_all()

    show_table(f"MaximumRetryAttempts {retries}", ["attempt", "event"], enumerate((a["event"] for a in attempts), 1))
    assert [a["event"] for a in attempts] == [{"order": 7, "fail": True}] * (1 + retries)
    assert record["requestContext"]["condition"] == "RetriesExhausted"


@pytest.mark.diverges(
    "ministack",
    "gives every retry a new request id; AWS retries an event under its first request id",
    evidence=f"{DESTINATIONS}#test_retries ; "
    "https://aws.amazon.com/jp/premiumsupport/knowledge-center/lambda-function-duplicate-invocations/",
)
def test_the_retries_of_an_event_keep_its_request_id(orders):
    shop = orders(retries=1, on_failure=True)

    shop.send({"order": 8, "fail": True})
    shop.on_failure.take(1, ASYNC_RETRIES)
    request_ids = [attempt["request_id"] for attempt in shop.attempts.take_all()]

    assert len(request_ids) == 2
    assert len(set(request_ids)) == 1


def test_the_on_failure_destination_gets_the_event_and_the_error(orders):
    shop = orders(retries=0, on_failure=True)

    shop.send({"order": 9, "fail": True})
    [record] = shop.on_failure.take(1, ASYNC_RETRIES)

    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["functionArn"].startswith(shop.arn)
    assert record["requestPayload"] == {"order": 9, "fail": True}
    assert (record["responseContext"]["statusCode"], record["responseContext"]["functionError"]) == (200, "Unhandled")
    assert record["responsePayload"]["errorMessage"] == "order 9 rejected"


@pytest.mark.diverges(
    "ministack",
    "reports every handler exception as errorType Runtime.HandlerError; AWS names its class (OrderRejected)",
    evidence=f"{DESTINATIONS}#test_assess_lambda_destination_invocation[payload1]",
)
def test_the_record_names_the_exception_class_as_the_error_type(orders):
    shop = orders(retries=0, on_failure=True)

    shop.send({"order": 10, "fail": True})
    [record] = shop.on_failure.take(1, ASYNC_RETRIES)

    assert record["responsePayload"]["errorType"] == "OrderRejected"


@pytest.mark.diverges(
    "ministack",
    "always writes approximateInvokeCount 3; AWS counts the attempts made (2 with MaximumRetryAttempts 1)",
    evidence=f"{DESTINATIONS}#test_assess_lambda_destination_invocation[payload1] ; {DESTINATIONS}#test_retries",
)
def test_approximate_invoke_count_is_the_number_of_attempts(orders):
    shop = orders(retries=1, on_failure=True)

    shop.send({"order": 11, "fail": True})
    [record] = shop.on_failure.take(1, ASYNC_RETRIES)

    assert record["requestContext"]["approximateInvokeCount"] == 2


@pytest.mark.diverges(
    "ministack",
    "leaves version, timestamp, requestContext.requestId and responseContext.executedVersion out of the record",
    evidence=f"{DESTINATIONS}#test_assess_lambda_destination_invocation[payload1]",
)
def test_the_record_carries_its_version_timestamp_request_id_and_executed_version(orders):
    shop = orders(retries=0, on_failure=True)

    shop.send({"order": 12, "fail": True})
    [record] = shop.on_failure.take(1, ASYNC_RETRIES)

    assert (record.get("version"), bool(record.get("timestamp"))) == ("1.0", True)
    assert bool(record["requestContext"].get("requestId")) is True
    assert record["responseContext"].get("executedVersion") == "$LATEST"


@pytest.mark.diverges(
    "ministack",
    "never sends to an OnSuccess destination (only failures are routed); AWS sends a Success record",
    evidence=f"{DESTINATIONS}#test_assess_lambda_destination_invocation[Success-payload0] ; {RECORDS_DOCS}",
)
def test_the_on_success_destination_gets_the_result(orders):
    shop = orders(on_success=True)

    shop.send({"order": 13})
    shop.attempts.take(1)  # the function has run
    records = shop.on_success.take(1, AFTER_THE_RUN)

    assert [(r["requestContext"]["condition"], r["responsePayload"]) for r in records] == [
        ("Success", {"accepted": 13})
    ]


@pytest.mark.diverges(
    "ministack",
    "sends the whole invocation record to the dead-letter queue; AWS sends only the event, with RequestID, "
    "ErrorCode and ErrorMessage as message attributes",
    evidence=f"{DESTINATIONS}#TestLambdaDLQ::test_dead_letter_queue ; {RECORDS_DOCS}",
)
def test_a_dead_letter_queue_gets_only_the_event_with_the_error_as_message_attributes(orders):
    shop = orders(retries=0, dlq=True)

    shop.send({"order": 14, "fail": True})
    [message] = shop.dlq.messages(1, ASYNC_RETRIES)

    assert json.loads(message["Body"]) == {"order": 14, "fail": True}
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["ErrorMessage"] == "order 14 rejected"
    assert attributes["ErrorCode"] == "200"
    assert attributes["RequestID"]


@pytest.mark.diverges(
    "ministack",
    "retries on its own 1 s and 2 s schedule, so no retry ever waits past MaximumEventAgeInSeconds 60: 3 attempts "
    "and RetriesExhausted; AWS's first retry would come after about a minute, so it stops after one attempt "
    "with EventAgeExceeded",
    evidence=f"{DESTINATIONS}#test_maxeventage ; {RETRY_DOCS}",
)
def test_an_event_too_old_to_retry_goes_to_on_failure_as_event_age_exceeded(orders):
    shop = orders(retries=2, max_age=60, on_failure=True)

    shop.send({"order": 15, "fail": True})
    [record] = shop.on_failure.take(1, ASYNC_RETRIES)
    attempts = shop.attempts.take_all()

    assert (record["requestContext"]["condition"], record["requestContext"]["approximateInvokeCount"]) == (
        "EventAgeExceeded",
        1,
    )
    assert len(attempts) == 1


def test_a_synchronous_invoke_of_a_function_with_zero_reserved_concurrency_is_throttled(aws_client, orders):
    shop = orders()
    aws_client("lambda").put_function_concurrency(FunctionName=shop.name, ReservedConcurrentExecutions=0)

    refused = error_code(aws_client("lambda").invoke, FunctionName=shop.name, Payload=b'{"order": 16}')

    assert refused == "TooManyRequestsException"


@pytest.mark.diverges(
    "ministack",
    "treats zero reserved concurrency as a throttle it retries, then records RetriesExhausted; AWS does not run "
    "the event at all and records ZeroReservedConcurrency with approximateInvokeCount 0",
    evidence="localstack/localstack:tests/aws/services/lambda_/test_lambda.snapshot.json"
    "#TestLambdaConcurrency::test_reserved_concurrency ; " + RECORDS_DOCS,
)
def test_with_zero_reserved_concurrency_an_event_goes_to_on_failure_without_running(aws_client, orders):
    shop = orders(on_failure=True)
    aws_client("lambda").put_function_concurrency(FunctionName=shop.name, ReservedConcurrentExecutions=0)

    shop.send({"order": 17})
    [record] = shop.on_failure.take(1, DELIVERY)

    assert (record["requestContext"]["condition"], record["requestContext"]["approximateInvokeCount"]) == (
        "ZeroReservedConcurrency",
        0,
    )
    assert record["requestPayload"] == {"order": 17}
    assert shop.attempts.take_all() == []
