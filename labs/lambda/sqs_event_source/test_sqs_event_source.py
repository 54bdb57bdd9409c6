"""An SQS queue feeds a Lambda function through an event source mapping: Lambda polls the queue, hands the
function batches of at most BatchSize messages, deletes what succeeded, and lets what failed come back after
the visibility timeout (and move to the queue's dead-letter queue after maxReceiveCount receives). With
ReportBatchItemFailures, the function names the messages that failed and only those come back.

Every test runs the function for real (``lambda-execution``): ``pytest <this file> --backend ministack``.
On AWS a mapping starts polling within a minute or two; the waits allow five minutes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from labkit.errors import error_code
from labkit.eventually import MAPPING, eventually
from labkit.report import show_table
from labkit.serverless import Inbox, create_mapping

HERE = Path(__file__).parent
pytestmark = pytest.mark.needs("lambda-execution")

FUNCTION_TIMEOUT = 2  # seconds; Lambda refuses a mapping from a queue whose visibility timeout is shorter
VISIBILITY_TIMEOUT = 2  # seconds a failed batch stays hidden before Lambda can receive it again
MAX_RECEIVE_COUNT = 2  # receives before SQS moves a message to the dead-letter queue
SQS_MAPPING_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
SQS_SNAPSHOTS = (
    "localstack/localstack:tests/aws/services/lambda_/event_source_mapping/test_lambda_integration_sqs.snapshot.json"
)


@pytest.fixture
def pipeline(aws_client, backend, inbox, grant, lambda_function):
    """``pipeline(behaviour, bodies, batch_size=10, report_failures=False, dlq=False)``: a source queue holding
    ``bodies``, a consumer function behaving as ``behaviour`` (see sqs_batch_handler.py), and a mapping between
    them, Enabled. Returns a namespace with the queues (source, seen, dlq), the function and the mapping."""
    sqs, lam = aws_client("sqs"), aws_client("lambda")

    def build(behaviour, bodies, *, batch_size=10, report_failures=False, dlq=False):
        seen = inbox("seen")
        attributes = {"VisibilityTimeout": str(VISIBILITY_TIMEOUT)}
        dead = None
        if dlq:
            dead = inbox("orders-dlq")
            policy = {"deadLetterTargetArn": dead.arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
            attributes["RedrivePolicy"] = json.dumps(policy)
        source = inbox("orders", **attributes)
        grant(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [source.arn])
        grant(["sqs:SendMessage"], [seen.arn])
        function = lambda_function(
            HERE / "sqs_batch_handler.py",
            handler="sqs_batch_handler.lambda_handler",
            environment={"SEEN_QUEUE_URL": seen.url, "BEHAVIOUR": behaviour},
            timeout=FUNCTION_TIMEOUT,
        )
        sent = [
            sqs.send_message(
                QueueUrl=source.url,
                MessageBody=json.dumps(body),
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}},
            )["MessageId"]
            for body in bodies
        ]
        options = {"FunctionResponseTypes": ["ReportBatchItemFailures"]} if report_failures else {}
        mapping = create_mapping(
            lam, backend, EventSourceArn=source.arn, FunctionName=function.name, BatchSize=batch_size, **options
        )
        return _Pipeline(source, seen, dead, function, mapping, sent)

    return build


@dataclass
class _Pipeline:
    source: Inbox  # the queue the mapping reads
    seen: Inbox  # one message per batch the function received: the batch's records
    dlq: Inbox | None  # the source queue's dead-letter queue
    function: object
    mapping: dict  # the CreateEventSourceMapping answer
    sent: list  # the MessageId of each message sent to the source queue


def records_seen(batches):
    return [record for batch in batches for record in batch]


def numbers(batches):
    """The ``n`` of every message body the function received, in the order received."""
    return [json.loads(record["body"])["n"] for record in records_seen(batches)]


def test_the_function_gets_the_queue_in_batches_no_bigger_than_the_batch_size(pipeline):
    flow = pipeline("succeed", [{"n": n} for n in range(5)], batch_size=3)

    batches = flow.seen.take_until(lambda found: len(set(numbers(found))) >= 5, MAPPING)

    show_table("batches the function received", ["batch", "messages"], enumerate(map(len, batches), 1))
    assert flow.mapping["BatchSize"] == 3
    assert all(1 <= len(batch) <= 3 for batch in batches)
    assert sorted(set(numbers(batches))) == [0, 1, 2, 3, 4]  # SQS delivers at least once: a repeat is allowed


def test_lambda_deletes_the_messages_of_a_successful_batch(aws_client, backend, pipeline):
    flow = pipeline("succeed", [{"n": n} for n in range(3)])
    flow.seen.take_until(lambda found: len(records_seen(found)) >= 3, MAPPING)

    def queue_is_empty():
        attributes = aws_client("sqs").get_queue_attributes(QueueUrl=flow.source.url, AttributeNames=["All"])
        counts = attributes["Attributes"]
        return counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0"

    assert eventually(queue_is_empty, backend, **MAPPING, interval=0.5)


def test_a_record_carries_the_message_its_receipt_handle_and_where_it_came_from(pipeline, aws_region):
    flow = pipeline("succeed", [{"n": 7}])

    [[record]] = flow.seen.take_until(lambda found: len(found) >= 1, MAPPING)

    assert record["messageId"] == flow.sent[0]
    assert record["body"] == '{"n": 7}'
    assert record["md5OfBody"] == hashlib.md5(b'{"n": 7}').hexdigest()
    assert isinstance(record["receiptHandle"], str) and record["receiptHandle"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs",
        flow.source.arn,
        aws_region,
    )
    kind = record["messageAttributes"]["kind"]
    assert (kind["dataType"], kind["stringValue"]) == ("String", "order")


@pytest.mark.diverges(
    "ministack",
    "a record's message attribute has only dataType and stringValue, and the record no md5OfMessageAttributes; "
    "AWS adds stringListValues [] and binaryListValues [] and the attributes' MD5",
    evidence=f"{SQS_SNAPSHOTS}#test_message_body_and_attributes_passed_correctly",
)
def test_a_message_attribute_arrives_with_empty_list_values_and_an_md5(pipeline):
    flow = pipeline("succeed", [{"n": 1}])

    [[record]] = flow.seen.take_until(lambda found: len(found) >= 1, MAPPING)

    assert record["messageAttributes"]["kind"] == {
        "stringValue": "order",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert len(record["md5OfMessageAttributes"]) == 32


def test_a_failed_batch_comes_back_after_the_visibility_timeout_then_moves_to_the_dlq(pipeline):
    flow = pipeline("fail", [{"n": 1}], dlq=True)

    [dead] = flow.dlq.take(1, MAPPING)
    batches = flow.seen.take_all()

    receives = [record["attributes"]["ApproximateReceiveCount"] for record in records_seen(batches)]
    show_table("the failing message", ["delivery", "ApproximateReceiveCount"], enumerate(receives, 1))
    assert dead == {"n": 1}
    assert numbers(batches) == [1] * MAX_RECEIVE_COUNT
    assert receives == ["1", "2"]


def test_report_batch_item_failures_sends_back_only_the_failed_message(pipeline):
    flow = pipeline("report", [{"n": 0}, {"n": 1, "fail": True}, {"n": 2}], report_failures=True, dlq=True)

    [dead] = flow.dlq.take(1, MAPPING)
    deliveries = Counter(numbers(flow.seen.take_all()))

    show_table("deliveries per message", ["n", "times received"], sorted(deliveries.items()))
    assert dead == {"n": 1, "fail": True}
    assert deliveries == {0: 1, 1: MAX_RECEIVE_COUNT, 2: 1}


def test_batch_item_failures_are_ignored_unless_the_mapping_asks_for_them(aws_client, backend, pipeline):
    flow = pipeline("report", [{"n": 0}, {"n": 1, "fail": True}])  # no ReportBatchItemFailures, no DLQ
    flow.seen.take_until(lambda found: len(records_seen(found)) >= 2, MAPPING)

    def queue_is_empty():
        attributes = aws_client("sqs").get_queue_attributes(QueueUrl=flow.source.url, AttributeNames=["All"])
        counts = attributes["Attributes"]
        return counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0"

    # the reported failure did not count: Lambda deleted both messages as a successful batch
    assert eventually(queue_is_empty, backend, **MAPPING, interval=0.5)


@pytest.mark.diverges(
    "ministack",
    "answers CreateEventSourceMapping with State Enabled at once; AWS answers Creating and enables it later",
    evidence=f"{SQS_SNAPSHOTS}#TestSQSEventSourceMapping::test_sqs_event_source_mapping",
)
def test_a_new_mapping_is_creating_before_it_is_enabled(aws_client, inbox, grant, lambda_function):
    source = inbox("orders", VisibilityTimeout=str(VISIBILITY_TIMEOUT))
    grant(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [source.arn])
    function = lambda_function(HERE / "sqs_batch_handler.py", handler="sqs_batch_handler.lambda_handler")

    created = aws_client("lambda").create_event_source_mapping(EventSourceArn=source.arn, FunctionName=function.name)

    assert created["State"] == "Creating"


@pytest.mark.diverges(
    "ministack",
    "creates the mapping; AWS refuses a queue whose visibility timeout is shorter than the function timeout",
    evidence=SQS_MAPPING_DOCS,
)
def test_a_queue_whose_visibility_timeout_is_shorter_than_the_function_timeout_is_refused(
    aws_client, inbox, grant, lambda_function
):
    source = inbox("orders", VisibilityTimeout="1")
    grant(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [source.arn])
    function = lambda_function(HERE / "sqs_batch_handler.py", handler="sqs_batch_handler.lambda_handler", timeout=3)

    refused = error_code(
        aws_client("lambda").create_event_source_mapping, EventSourceArn=source.arn, FunctionName=function.name
    )

    assert refused == "InvalidParameterValueException"
