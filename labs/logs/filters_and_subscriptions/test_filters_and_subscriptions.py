"""CloudWatch Logs: filter patterns pick events; retention, metric filters and subscription filters act on a
log group; a subscription delivers gzip'd JSON to Kinesis; an export task copies events to S3."""

from __future__ import annotations

import gzip
import json
import time

import pytest
from botocore.exceptions import ClientError

from labkit.data import load_json
from labkit.eventually import eventually
from labkit.report import show_table

EVENTS = load_json("logs/app_events.json")
ERROR_PAYMENT, INFO, WARN, JSON_ERROR, JSON_INFO, LOWER, ERROR_TIMEOUT = EVENTS
TRUST_LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def logs(aws_client):
    return aws_client("logs")


@pytest.fixture
def group(logs, unique_name):
    name = unique_name("app")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="web-1")
    return name


def put(logs, group, messages):
    start = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="web-1",
        logEvents=[{"timestamp": start + i, "message": m} for i, m in enumerate(messages)],
    )
    return start


@pytest.fixture
def filled(logs, group):
    put(logs, group, EVENTS)
    return group


def matching(logs, group, pattern):
    found = [event["message"] for event in logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]]
    show_table(f"filter pattern {pattern}", ["matched"], [[m] for m in found])
    return found


# --- filter patterns ------------------------------------------------------------------------------------------


def test_a_term_matches_events_that_contain_it_case_sensitively(logs, filled):
    assert matching(logs, filled, "ERROR") == [ERROR_PAYMENT, JSON_ERROR, ERROR_TIMEOUT]  # not "error in lower case"


def test_several_terms_must_all_appear(logs, filled):
    assert matching(logs, filled, "ERROR timeout") == [ERROR_TIMEOUT]


def test_a_quoted_phrase_matches_as_written(logs, filled):
    assert matching(logs, filled, '"payment failed"') == [ERROR_PAYMENT]


@pytest.mark.diverges(("moto", "moto-server"), "returns every event for ?-terms; AWS returns events with any of them")
def test_question_mark_terms_match_any_of_them(logs, filled):
    assert matching(logs, filled, "?WARN ?INFO") == [INFO, WARN, JSON_INFO]


@pytest.mark.diverges(("moto", "moto-server"), "returns nothing for a minus term; AWS excludes just those events")
def test_a_minus_term_excludes_events_that_contain_it(logs, filled):
    assert matching(logs, filled, "ERROR -timeout") == [ERROR_PAYMENT, JSON_ERROR]


@pytest.mark.diverges(("moto", "moto-server"), "ignores JSON patterns and returns every event")
@pytest.mark.parametrize("pattern", ['{ $.level = "ERROR" }', "{ $.latency > 500 }"])
def test_a_json_pattern_selects_events_by_field(logs, filled, pattern):
    assert matching(logs, filled, pattern) == [JSON_ERROR]


# --- retention ------------------------------------------------------------------------------------------------


def retention(logs, group):
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    return described.get("retentionInDays")


def test_a_log_group_keeps_events_forever_until_a_retention_policy_is_set(logs, group):
    before = retention(logs, group)
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    during = retention(logs, group)
    logs.delete_retention_policy(logGroupName=group)

    assert (before, during, retention(logs, group)) == (None, 30, None)


@pytest.mark.diverges(("moto", "moto-server"), "accepts any number of days; AWS takes only its listed values")
def test_retention_must_be_one_of_the_allowed_day_counts(logs, group):
    with pytest.raises(ClientError) as raised:
        logs.put_retention_policy(logGroupName=group, retentionInDays=31)  # 30 and 60 are allowed, 31 is not

    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


# --- metric filters -------------------------------------------------------------------------------------------


@pytest.fixture
def error_filter(logs, group):
    logs.put_metric_filter(
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[{"metricName": "Errors", "metricNamespace": group, "metricValue": "1"}],
    )
    return group


def test_a_metric_filter_is_stored_on_the_log_group(logs, error_filter):
    (stored,) = logs.describe_metric_filters(logGroupName=error_filter)["metricFilters"]

    assert (stored["filterName"], stored["filterPattern"]) == ("errors", "ERROR")
    assert stored["metricTransformations"][0]["metricName"] == "Errors"


@pytest.mark.diverges(("moto", "moto-server"), "stores the filter but never publishes its metric")
def test_a_metric_filter_counts_matching_events_as_they_arrive(logs, aws_client, backend, error_filter):
    put(logs, error_filter, EVENTS)  # 3 of the 7 contain ERROR
    cloudwatch = aws_client("cloudwatch")

    published = eventually(lambda: cloudwatch.list_metrics(Namespace=error_filter)["Metrics"], backend)
    assert [m["MetricName"] for m in published] == ["Errors"]


# --- subscription to Kinesis ----------------------------------------------------------------------------------


@pytest.fixture
def subscribed(logs, aws_client, group, unique_name):
    """The log group's ERROR events stream to a one-shard Kinesis stream."""
    kinesis, iam = aws_client("kinesis"), aws_client("iam")
    stream = unique_name("logs")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1})
    description = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    role = iam.create_role(RoleName=unique_name("cwl-to-kinesis"), AssumeRolePolicyDocument=json.dumps(TRUST_LOGS))
    iam.put_role_policy(
        RoleName=role["Role"]["RoleName"],
        PolicyName="put-records",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": description["StreamARN"]}]}),
    )  # fmt: skip
    logs.put_subscription_filter(
        logGroupName=group,
        filterName="errors-to-kinesis",
        filterPattern="ERROR",
        destinationArn=description["StreamARN"],
        roleArn=role["Role"]["Arn"],
    )
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=description["Shards"][0]["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return group, iterator


def data_messages(aws_client, iterator, backend):
    """Every DATA_MESSAGE on the shard: each Kinesis record is a gzip'd JSON document."""

    def read():
        records = aws_client("kinesis").get_records(ShardIterator=iterator)["Records"]
        documents = [json.loads(gzip.decompress(record["Data"])) for record in records]
        return [d for d in documents if d["messageType"] == "DATA_MESSAGE"]  # AWS sends a CONTROL_MESSAGE first

    return eventually(read, backend)


def test_a_subscription_delivers_gzipped_json_documents_to_kinesis(logs, aws_client, backend, subscribed):
    group, iterator = subscribed
    put(logs, group, [ERROR_PAYMENT, INFO])

    (document,) = data_messages(aws_client, iterator, backend)

    assert (document["logGroup"], document["logStream"]) == (group, "web-1")
    assert document["subscriptionFilters"] == ["errors-to-kinesis"]
    assert ERROR_PAYMENT in [event["message"] for event in document["logEvents"]]


@pytest.mark.diverges(("moto", "moto-server"), "delivers every event; AWS delivers only events matching the pattern")
def test_a_subscription_delivers_only_events_matching_its_pattern(logs, aws_client, backend, subscribed):
    group, iterator = subscribed
    put(logs, group, [ERROR_PAYMENT, INFO])

    delivered = [e["message"] for d in data_messages(aws_client, iterator, backend) for e in d["logEvents"]]
    assert delivered == [ERROR_PAYMENT]


# --- export to S3 ---------------------------------------------------------------------------------------------


@pytest.fixture
def exported(logs, aws_client, aws_region, backend, filled, unique_name):
    """Export the last minute of the filled group to a bucket under "archive/"; the task id and the .gz keys."""
    s3, bucket = aws_client("s3"), unique_name("exports")
    s3.create_bucket(Bucket=bucket)
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{aws_region}.amazonaws.com"},
        "Action": ["s3:GetBucketAcl", "s3:PutObject"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    now = int(time.time() * 1000)
    task = logs.create_export_task(
        logGroupName=filled, fromTime=now - 60_000, to=now + 60_000, destination=bucket, destinationPrefix="archive"
    )["taskId"]
    done = eventually(
        lambda: logs.describe_export_tasks(taskId=task)["exportTasks"][0]["status"]["code"] == "COMPLETED", backend
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if o["Key"].endswith(".gz")]
    return done, bucket, task, keys


def test_an_export_task_copies_the_events_to_s3_as_gzip(aws_client, exported):
    done, bucket, _, keys = exported

    assert done is True
    (key,) = keys
    assert key.startswith("archive/") and key.endswith("/web-1/000000.gz")
    body = aws_client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    lines = gzip.decompress(body).decode().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == EVENTS  # "<timestamp> <message>" per event


@pytest.mark.diverges(("moto", "moto-server"), "names the folder with a fresh id, not the export task's id")
def test_the_export_lands_in_a_folder_named_after_the_task(exported):
    _, _, task, keys = exported

    assert keys == [f"archive/{task}/web-1/000000.gz"]
