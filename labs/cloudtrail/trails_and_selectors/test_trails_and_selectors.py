"""CloudTrail: a trail delivers the account's API events to an S3 bucket whose policy lets CloudTrail write;
it logs only once logging is started; event selectors choose management and data events (basic selectors,
or advanced ones that replace them); an organization trail needs an organization's management account.
The event history records management events with no trail at all. What the API stores is one thing; what
CloudTrail delivers, later, is another: the last tests wait for it on AWS, and no emulator delivers."""

from __future__ import annotations

import contextlib
import gzip
import json
import re

import pytest
from botocore.exceptions import ClientError

from labkit.data import load_json
from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.report import show_table

POLICY = load_json("cloudtrail/bucket_policy.json")
MODEL = "botocore:cloudtrail/2013-11-01"
LOG_FILE = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html"
DELIVERY_WAIT = 1200.0  # s: CloudTrail delivers log files minutes after the calls


@pytest.fixture
def cloudtrail(aws_client):
    return aws_client("cloudtrail")


@pytest.fixture
def names(unique_name):
    """(trail name, bucket name) for this test."""
    return unique_name("trail"), unique_name("trail-logs")


def bucket_policy(bucket, account, region, trail):
    text = json.dumps(POLICY)
    for key, value in {"bucket": bucket, "account": account, "region": region, "trail": trail}.items():
        text = text.replace("${" + key + "}", value)
    return text


@pytest.fixture
def bucket(aws_client, aws_account_id, aws_region, names):
    """The log bucket, with the policy that lets CloudTrail (for this trail only) read its ACL and write under
    AWSLogs/<account>/."""
    trail, name = names
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=bucket_policy(name, aws_account_id, aws_region, trail))
    return name


@pytest.fixture
def trail(cloudtrail, names, bucket):
    """A single-region trail writing to the bucket (created, not yet logging); deleted afterwards, as the
    harness does not know trails yet (a logging trail on AWS keeps writing)."""
    name, _ = names
    cloudtrail.create_trail(Name=name, S3BucketName=bucket)
    yield name
    with contextlib.suppress(ClientError):
        cloudtrail.delete_trail(Name=name)


# --- the trail and its bucket ---------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates the trail on a bucket without any policy; AWS refuses: InsufficientS3BucketPolicyException",
    evidence=f"{MODEL}#CreateTrail ; {MODEL}#InsufficientS3BucketPolicyException",
)
def test_create_trail_refuses_a_bucket_whose_policy_does_not_let_cloudtrail_write(cloudtrail, aws_client, names):
    name, bare = names
    aws_client("s3").create_bucket(Bucket=bare)  # no bucket policy

    assert error_code(cloudtrail.create_trail, Name=name, S3BucketName=bare) == "InsufficientS3BucketPolicyException"


def test_a_trail_is_created_on_a_bucket_whose_policy_lets_cloudtrail_write(cloudtrail, aws_region, trail, bucket):
    (described,) = cloudtrail.describe_trails(trailNameList=[trail])["trailList"]

    assert (described["Name"], described["S3BucketName"], described["HomeRegion"]) == (trail, bucket, aws_region)
    assert (described["IsMultiRegionTrail"], described["IsOrganizationTrail"]) == (False, False)


def test_a_new_trail_logs_nothing_until_logging_is_started(cloudtrail, trail):
    states = [cloudtrail.get_trail_status(Name=trail)["IsLogging"]]
    cloudtrail.start_logging(Name=trail)
    states.append(cloudtrail.get_trail_status(Name=trail)["IsLogging"])
    cloudtrail.stop_logging(Name=trail)
    states.append(cloudtrail.get_trail_status(Name=trail)["IsLogging"])

    assert states == [False, True, False]


# --- what a trail selects -------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "returns no selectors for a new trail; AWS: one selector, all management events, no data events",
    evidence=f"{MODEL}#EventSelector ; {MODEL}#PutEventSelectors",
)
def test_a_new_trail_selects_all_management_events_and_no_data_events(cloudtrail, trail):
    (selector,) = cloudtrail.get_event_selectors(TrailName=trail)["EventSelectors"]

    assert (selector["ReadWriteType"], selector["IncludeManagementEvents"]) == ("All", True)
    assert selector.get("DataResources", []) == []


def test_data_event_selectors_for_s3_objects_are_accepted_and_stored(cloudtrail, trail, bucket):
    selector = {
        "ReadWriteType": "WriteOnly",
        "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{bucket}/"]}],
    }
    cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=[selector])

    (stored,) = cloudtrail.get_event_selectors(TrailName=trail)["EventSelectors"]
    assert (stored["ReadWriteType"], stored["DataResources"]) == ("WriteOnly", selector["DataResources"])


ADVANCED = {
    "Name": "writes to the log bucket's objects",
    "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "readOnly", "Equals": ["false"]},
    ],
}


def test_advanced_event_selectors_replace_the_basic_ones(cloudtrail, trail, bucket):
    cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=[{"ReadWriteType": "All"}])
    advanced = {**ADVANCED, "FieldSelectors": [*ADVANCED["FieldSelectors"],
                {"Field": "resources.ARN", "StartsWith": [f"arn:aws:s3:::{bucket}/"]}]}  # fmt: skip
    cloudtrail.put_event_selectors(TrailName=trail, AdvancedEventSelectors=[advanced])

    stored = cloudtrail.get_event_selectors(TrailName=trail)
    show_table("selectors after the second put", ["kind", "count"],
               [[k, len(stored.get(k, []))] for k in ("EventSelectors", "AdvancedEventSelectors")])  # fmt: skip
    assert stored.get("EventSelectors", []) == []
    assert [s["Name"] for s in stored["AdvancedEventSelectors"]] == [ADVANCED["Name"]]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "accepts basic and advanced selectors in one call; AWS takes one kind or the other",
    evidence=f"{MODEL}#PutEventSelectors ; {MODEL}#InvalidEventSelectorsException ; unverified: the error code "
    "(InvalidEventSelectorsException is the documented error for an invalid combination of selectors)",
)
def test_basic_and_advanced_selectors_cannot_be_sent_together(cloudtrail, trail):
    code = error_code(
        cloudtrail.put_event_selectors, TrailName=trail,
        EventSelectors=[{"ReadWriteType": "All"}], AdvancedEventSelectors=[ADVANCED],
    )  # fmt: skip

    assert code == "InvalidEventSelectorsException"


# --- organization trails --------------------------------------------------------------------------------------


def organization_role(aws_client, account):
    """ "none", "member" or "management": where this account stands in Organizations."""
    try:
        organization = aws_client("organizations").describe_organization()["Organization"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "AWSOrganizationsNotInUseException":
            return "none"
        raise
    return "management" if organization["MasterAccountId"] == account else "member"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates an organization trail in an account that belongs to no organization",
    evidence=f"{MODEL}#CreateTrailRequest ; {MODEL}#OrganizationsNotInUseException ; "
    f"{MODEL}#NotOrganizationMasterAccountException",
)
def test_an_organization_trail_needs_an_organizations_management_account(
    cloudtrail, aws_client, aws_account_id, names, bucket
):
    role = organization_role(aws_client, aws_account_id)
    if role == "management":
        pytest.skip("this account manages an organization (MiniStack says so of every account): the test would "
                    "create a real organization trail")  # fmt: skip
    expected = {"none": "OrganizationsNotInUseException", "member": "NotOrganizationMasterAccountException"}[role]

    code = error_code(cloudtrail.create_trail, Name=names[0], S3BucketName=bucket, IsOrganizationTrail=True)
    assert code == expected


# --- what CloudTrail records and delivers, later --------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "keeps no event history (moto: LookupEvents not implemented; MiniStack: recording is off unless "
    "CLOUDTRAIL_RECORDING=1); AWS records management events for 90 days, trail or not",
    evidence=f"{MODEL}#LookupEvents",
)
def test_the_event_history_records_the_create_trail_call(cloudtrail, backend, trail):
    def found():
        pages = cloudtrail.get_paginator("lookup_events").paginate(
            LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": trail}]
        )
        return [event["EventName"] for page in pages for event in page["Events"]]

    events = eventually(lambda: "CreateTrail" in found(), backend, aws_seconds=DELIVERY_WAIT, interval=30)
    assert events is True


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "stores the trail and its logging state but delivers no log file",
    evidence=LOG_FILE,
)
def test_a_logging_trail_delivers_gzip_log_files_under_awslogs(
    cloudtrail, aws_client, backend, aws_account_id, aws_region, trail, bucket
):
    cloudtrail.start_logging(Name=trail)
    s3, prefix = aws_client("s3"), f"AWSLogs/{aws_account_id}/CloudTrail/{aws_region}/"

    def delivered():
        return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]

    keys = eventually(delivered, backend, aws_seconds=DELIVERY_WAIT, interval=30)
    name = re.compile(rf"{aws_account_id}_CloudTrail_{aws_region}_\d{{8}}T\d{{4}}Z_\w{{16}}\.json\.gz")
    assert keys and all(name.fullmatch(key.rsplit("/", 1)[1]) for key in keys)
    records = json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()))["Records"]
    assert records and all("eventName" in record for record in records)
