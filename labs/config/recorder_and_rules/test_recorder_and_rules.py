"""AWS Config records what resources look like; it reports, it does not prevent.

A configuration recorder (one per Region) writes configuration items for the resource types it records; a
delivery channel names the S3 bucket the history and snapshots go to, and the recorder will not start without
one. A managed rule (here S3_BUCKET_VERSIONING_ENABLED) evaluates recorded resources and marks them COMPLIANT or
NON_COMPLIANT, and nothing stops a non-compliant change. Evaluations and deliveries happen on AWS within minutes;
no emulator here evaluates rules or writes to the bucket, so those tests are marked on every emulator.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.report import show_table

CONFIG_MODEL = "botocore:config/2014-11-12"
VERSIONING_RULE_DOC = "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-versioning-enabled.html"
SNAPSHOT_DOC = (
    "https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-snapshot-notification.html"
)
EMULATORS = ("moto", "moto-server", "ministack", "localstack")
#: AWS records a change, evaluates a rule or delivers a snapshot within minutes; an emulator is looked at once.
AWS_MINUTES = 15 * 60

MINISTACK_SKIPS_THE_CHECK = "accepts the call; AWS Config refuses it"


@pytest.mark.diverges(
    "ministack",
    f"{MINISTACK_SKIPS_THE_CHECK}: a delivery channel is stored with no recorder in the Region",
    evidence=f"{CONFIG_MODEL}#PutDeliveryChannel",
)
def test_a_delivery_channel_needs_a_configuration_recorder_first(config_lab):
    channel = {"name": "no-recorder-yet", "s3BucketName": config_lab.delivery_bucket()}

    code = error_code(config_lab.config.put_delivery_channel, DeliveryChannel=channel)

    assert code == "NoAvailableConfigurationRecorderException"


@pytest.mark.diverges(
    "ministack",
    f"{MINISTACK_SKIPS_THE_CHECK}: the recorder starts with no delivery channel",
    evidence=f"{CONFIG_MODEL}#StartConfigurationRecorder",
)
def test_a_recorder_does_not_start_without_a_delivery_channel(config_lab):
    recorder = config_lab.put_recorder()

    code = error_code(config_lab.config.start_configuration_recorder, ConfigurationRecorderName=recorder)

    assert code == "NoAvailableDeliveryChannelException"


@pytest.mark.diverges(
    "ministack",
    f"{MINISTACK_SKIPS_THE_CHECK}: it keeps any number of recorders",
    evidence=f"{CONFIG_MODEL}#PutConfigurationRecorder",
)
def test_a_region_holds_one_configuration_recorder(config_lab):
    config_lab.put_recorder()

    code = error_code(config_lab.put_recorder)

    assert code == "MaxNumberOfConfigurationRecordersExceededException"


def test_with_a_delivery_channel_to_s3_the_recorder_starts_recording(config_lab):
    recorder, channel = config_lab.recording()

    [status] = config_lab.config.describe_configuration_recorder_status(ConfigurationRecorderNames=[recorder])[
        "ConfigurationRecordersStatus"
    ]
    [delivery] = config_lab.config.describe_delivery_channels(DeliveryChannelNames=[channel])["DeliveryChannels"]

    assert status["recording"] is True
    assert delivery["s3BucketName"] == config_lab.delivery_bucket()


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "reports lastStatus 'PENDING'; the API's values are Pending, Success, Failure and NotApplicable",
    evidence=f"{CONFIG_MODEL}#RecorderStatus",
)
def test_the_recorders_last_status_uses_the_apis_spelling(config_lab):
    recorder, _ = config_lab.recording()

    [status] = config_lab.config.describe_configuration_recorder_status(ConfigurationRecorderNames=[recorder])[
        "ConfigurationRecordersStatus"
    ]

    assert status["lastStatus"] in {"Pending", "Success"}  # just started: not yet delivered, or delivered


def configuration_items(config, resource_type, resource_id):
    """GetResourceConfigHistory's items for the resource, or [] while Config has not discovered it."""
    try:
        return config.get_resource_config_history(resourceType=resource_type, resourceId=resource_id)[
            "configurationItems"
        ]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotDiscoveredException":
            return []
        raise


@pytest.mark.diverges(
    "localstack",
    "does not record the buckets its own S3 serves: GetResourceConfigHistory answers "
    "ResourceNotDiscoveredException; AWS records a bucket created while the recorder runs",
    evidence=f"{CONFIG_MODEL}#GetResourceConfigHistory ; {CONFIG_MODEL}#ConfigurationItemStatus",
)
@pytest.mark.diverges(
    "ministack",
    "has no GetResourceConfigHistory (InvalidAction); AWS returns the bucket's configuration items",
    evidence=f"{CONFIG_MODEL}#GetResourceConfigHistory",
)
def test_a_bucket_created_while_recording_gets_a_configuration_item(
    config_lab, aws_client, unique_name, backend, aws_region
):
    config_lab.recording()
    bucket = unique_name("recorded")
    aws_client("s3").create_bucket(Bucket=bucket)

    items = eventually(
        lambda: configuration_items(config_lab.config, "AWS::S3::Bucket", bucket),
        backend,
        aws_seconds=AWS_MINUTES,
        interval=30,
    )
    first = items[-1]  # newest first: the last is when Config discovered it
    show_table(
        "configuration item",
        ["field", "value"],
        [[k, first[k]] for k in ("resourceType", "resourceName", "configurationItemStatus", "awsRegion")],
    )

    assert (first["resourceType"], first["resourceName"], first["awsRegion"]) == ("AWS::S3::Bucket", bucket, aws_region)
    assert first["configurationItemStatus"] == "ResourceDiscovered"
    assert json.loads(first["configuration"])["name"] == bucket  # the resource's own configuration, as JSON
    assert isinstance(first["relationships"], list)  # links to related resources travel with each item


def test_a_managed_rule_is_accepted_and_stored_as_active(config_lab, aws_account_id, aws_region):
    config_lab.recording()
    name = config_lab.put_managed_rule("S3_BUCKET_VERSIONING_ENABLED", "AWS::S3::Bucket")

    [rule] = config_lab.config.describe_config_rules(ConfigRuleNames=[name])["ConfigRules"]

    assert rule["ConfigRuleState"] == "ACTIVE"
    assert rule["Source"] == {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}
    assert rule["Scope"] == {"ComplianceResourceTypes": ["AWS::S3::Bucket"]}
    assert rule["ConfigRuleArn"].startswith(f"arn:aws:config:{aws_region}:{aws_account_id}:config-rule/")


def compliance_of(config, rule, buckets):
    """{bucket: COMPLIANT | NON_COMPLIANT} for those of ``buckets`` the rule has evaluated so far."""
    found = {}
    for page in config.get_paginator("get_compliance_details_by_config_rule").paginate(ConfigRuleName=rule):
        for result in page["EvaluationResults"]:
            resource = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
            if resource in buckets:
                found[resource] = result["ComplianceType"]
    return found


@pytest.mark.diverges(
    EMULATORS,
    "evaluates no managed rule (moto and LocalStack have no GetComplianceDetailsByConfigRule; MiniStack lists no "
    "evaluation); AWS evaluates S3_BUCKET_VERSIONING_ENABLED on each recorded bucket",
    evidence=VERSIONING_RULE_DOC,
)
def test_config_flags_the_unversioned_bucket_and_still_lets_it_be_written(config_lab, aws_client, unique_name, backend):
    s3 = aws_client("s3")
    config_lab.recording()
    rule = config_lab.put_managed_rule("S3_BUCKET_VERSIONING_ENABLED", "AWS::S3::Bucket")
    plain, versioned = unique_name("plain"), unique_name("versioned")
    for bucket in (plain, versioned):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})

    s3.put_object(Bucket=plain, Key="still-writable.txt", Body=b"Config reports; it does not block")

    def both_evaluated():
        found = compliance_of(config_lab.config, rule, {plain, versioned})
        return found if len(found) == 2 else None

    verdicts = eventually(both_evaluated, backend, aws_seconds=AWS_MINUTES, interval=30)

    assert verdicts == {plain: "NON_COMPLIANT", versioned: "COMPLIANT"}
    assert s3.head_object(Bucket=plain, Key="still-writable.txt")["ContentLength"] == 33


@pytest.mark.diverges(
    EMULATORS,
    "writes nothing to the bucket (moto and LocalStack have no DeliverConfigSnapshot, MiniStack answers "
    "InvalidAction); AWS delivers a snapshot under AWSLogs/<account>/Config/<region>/",
    evidence=f"{SNAPSHOT_DOC} ; {CONFIG_MODEL}#DeliverConfigSnapshot",
)
def test_a_configuration_snapshot_is_delivered_to_the_bucket(
    config_lab, aws_client, backend, aws_account_id, aws_region
):
    s3 = aws_client("s3")
    _, channel = config_lab.recording()
    bucket = config_lab.delivery_bucket()

    snapshot = config_lab.config.deliver_config_snapshot(deliveryChannelName=channel)["configSnapshotId"]
    prefix = f"AWSLogs/{aws_account_id}/Config/{aws_region}/"

    def delivered():
        listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        return [o["Key"] for o in listing if "/ConfigSnapshot/" in o["Key"] and snapshot in o["Key"]]

    keys = eventually(delivered, backend, aws_seconds=AWS_MINUTES, interval=30)

    assert len(keys) == 1
    assert keys[0].endswith(".json.gz")


@pytest.mark.diverges(
    "ministack",
    "has no PutConfigurationAggregator (InvalidAction); AWS stores the aggregator",
    evidence=f"{CONFIG_MODEL}#PutConfigurationAggregator",
)
def test_an_aggregator_over_every_region_of_this_account_is_accepted_and_stored(config_lab, aws_account_id):
    name = config_lab.put_aggregator()

    [aggregator] = config_lab.config.describe_configuration_aggregators(ConfigurationAggregatorNames=[name])[
        "ConfigurationAggregators"
    ]

    assert aggregator["AccountAggregationSources"] == [{"AccountIds": [aws_account_id], "AllAwsRegions": True}]
