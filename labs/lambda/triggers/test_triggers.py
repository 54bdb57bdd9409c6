"""Three services that push events to a function, each in its own shape: S3 (an object was created), SNS (a
message was published to a topic) and EventBridge (an event matched a rule). Each one needs a statement in
the function's resource policy (AddPermission) naming it as principal and its resource as the source.

Every test runs the function for real (``lambda-execution``): ``pytest <this file> --backend ministack``.
On AWS each delivery takes seconds; the waits allow three minutes.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from labkit.errors import error_code
from labkit.eventually import DELIVERY, Patience
from labkit.report import show_table

HERE = Path(__file__).parent
pytestmark = pytest.mark.needs("lambda-execution")

#: After a matching event arrived, a non-matching one sent with it would have come too.
AFTER_A_DELIVERY: Patience = {"aws_seconds": 30.0, "emulator_seconds": 2.0}
S3_PERMISSIONS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html"
S3_SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3_notifications_lambda.snapshot.json"
SNS_SNAPSHOTS = "localstack/localstack:tests/aws/services/sns/test_sns.snapshot.json"


@pytest.fixture
def recorder(inbox, grant, lambda_function):
    """The function every trigger invokes (trigger_recorder.py), and the inbox it reports each event to."""
    seen = inbox("seen")
    grant(["sqs:SendMessage"], [seen.arn])
    function = lambda_function(
        HERE / "trigger_recorder.py",
        handler="trigger_recorder.lambda_handler",
        environment={"SEEN_QUEUE_URL": seen.url},
    )
    return function, seen


def allow(function, principal, source_arn, account):
    """AddPermission: ``principal`` (``s3.amazonaws.com``...) may invoke the function, for ``source_arn`` only."""
    function.client.add_permission(
        FunctionName=function.name,
        StatementId=principal.split(".")[0] + "-invoke",
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source_arn,
        SourceAccount=account,
    )


def notify_on_create(s3, bucket, function):
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"Id": "new-uploads", "LambdaFunctionArn": function.arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )


# --- S3 ------------------------------------------------------------------------------------------------------


def test_an_object_created_in_s3_invokes_the_function_with_the_bucket_and_the_url_encoded_key(
    aws_client, unique_name, aws_account_id, recorder
):
    function, seen = recorder
    s3, bucket = aws_client("s3"), unique_name("uploads")
    s3.create_bucket(Bucket=bucket)
    allow(function, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", aws_account_id)
    notify_on_create(s3, bucket, function)

    s3.put_object(Bucket=bucket, Key="reports/May 2024 totals.csv", Body=b"a,b\n1,2\n")
    [event] = seen.take(1, DELIVERY)

    [record] = event["Records"]
    show_table("what S3 sent", ["field", "value"], [
        ("eventSource", record["eventSource"]),
        ("eventName", record["eventName"]),
        ("s3.bucket.name", record["s3"]["bucket"]["name"]),
        ("s3.object.key", record["s3"]["object"]["key"]),
    ])  # fmt: skip
    assert (record["eventSource"], record["eventName"]) == ("aws:s3", "ObjectCreated:Put")
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert record["s3"]["configurationId"] == "new-uploads"
    assert record["s3"]["object"]["key"] == "reports/May+2024+totals.csv"  # URL-encoded: a space is a +
    assert unquote_plus(record["s3"]["object"]["key"]) == "reports/May 2024 totals.csv"
    assert record["s3"]["object"]["size"] == 8


@pytest.mark.diverges(
    "ministack",
    "accepts a Lambda destination whose resource policy does not let S3 invoke it; AWS checks the policy and "
    "refuses the configuration with InvalidArgument (Unable to validate the following destination configurations)",
    evidence=f"{S3_PERMISSIONS} ; {S3_SNAPSHOTS}#test_invalid_lambda_arn",
)
def test_without_an_invoke_permission_s3_refuses_the_notification_configuration(aws_client, unique_name, recorder):
    function, _ = recorder
    s3, bucket = aws_client("s3"), unique_name("uploads")
    s3.create_bucket(Bucket=bucket)

    refused = error_code(notify_on_create, s3, bucket, function)  # no AddPermission for s3.amazonaws.com

    assert refused == "InvalidArgument"


# --- SNS -----------------------------------------------------------------------------------------------------


@pytest.fixture
def subscribed_topic(aws_client, unique_name, aws_account_id, recorder):
    """A topic the recorder function subscribes to; returns (topic ARN, subscription ARN)."""
    function, _ = recorder
    sns = aws_client("sns")
    topic = sns.create_topic(Name=unique_name("shipping"))["TopicArn"]
    allow(function, "sns.amazonaws.com", topic, aws_account_id)
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function.arn, ReturnSubscriptionArn=True)
    return topic, subscription["SubscriptionArn"]


def test_a_message_published_to_a_topic_invokes_the_function_with_the_sns_record(
    aws_client, recorder, subscribed_topic
):
    _, seen = recorder
    topic, subscription = subscribed_topic

    published = aws_client("sns").publish(
        TopicArn=topic,
        Subject="shipped",
        Message="order 42 left the warehouse",
        MessageAttributes={"priority": {"DataType": "String", "StringValue": "high"}},
    )
    [event] = seen.take(1, DELIVERY)

    [record] = event["Records"]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == (
        "aws:sns",
        "1.0",
        subscription,
    )
    message = record["Sns"]
    assert (message["Type"], message["TopicArn"], message["MessageId"]) == (
        "Notification",
        topic,
        published["MessageId"],
    )
    assert (message["Subject"], message["Message"]) == ("shipped", "order 42 left the warehouse")
    assert message["MessageAttributes"] == {"priority": {"Type": "String", "Value": "high"}}


@pytest.mark.diverges(
    "ministack",
    "hands Lambda the SQS-style envelope with SigningCertURL and UnsubscribeURL; in a Lambda event AWS spells "
    "them SigningCertUrl and UnsubscribeUrl",
    evidence=f"{SNS_SNAPSHOTS}#TestSNSSubscriptionLambda::test_python_lambda_subscribe_sns_topic",
)
def test_the_sns_record_spells_signing_cert_url_and_unsubscribe_url_as_lambda_does(
    aws_client, recorder, subscribed_topic
):
    _, seen = recorder
    topic, _ = subscribed_topic

    aws_client("sns").publish(TopicArn=topic, Message="order 43 left the warehouse")
    [event] = seen.take(1, DELIVERY)

    message = event["Records"][0]["Sns"]
    assert {"SigningCertUrl", "UnsubscribeUrl", "Signature", "SignatureVersion", "Timestamp"} <= set(message)


# --- EventBridge ---------------------------------------------------------------------------------------------

BIG_ORDERS = {"source": ["labs.shop"], "detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">", 100]}]}}


def test_an_event_matching_the_rule_invokes_the_function_with_the_eventbridge_event(
    aws_client, unique_name, aws_account_id, aws_region, recorder
):
    function, seen = recorder
    events = aws_client("events")
    bus = events.create_event_bus(Name=unique_name("shop"))["EventBusArn"].rsplit("/", 1)[-1]
    rule = events.put_rule(Name=unique_name("big-orders"), EventBusName=bus, EventPattern=json.dumps(BIG_ORDERS))
    allow(function, "events.amazonaws.com", rule["RuleArn"], aws_account_id)
    events.put_targets(Rule=rule["RuleArn"].rsplit("/", 1)[-1], EventBusName=bus, Targets=[
        {"Id": "recorder", "Arn": function.arn}
    ])  # fmt: skip

    sent = events.put_events(Entries=[
        {"EventBusName": bus, "Source": "labs.shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 20})},
        {"EventBusName": bus, "Source": "labs.shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 250})},
    ])  # fmt: skip
    [event] = seen.take(1, DELIVERY)
    later = seen.take(1, AFTER_A_DELIVERY)

    assert sent["FailedEntryCount"] == 0
    assert (event["source"], event["detail-type"], event["detail"]) == ("labs.shop", "OrderPlaced", {"total": 250})
    assert event["id"] == sent["Entries"][1]["EventId"]
    assert (event["version"], event["account"], event["region"]) == ("0", aws_account_id, aws_region)
    assert later == []  # the order of 20 did not match the rule
