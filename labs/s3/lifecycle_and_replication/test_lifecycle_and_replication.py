"""Lifecycle and replication are bucket configurations; S3 runs them later, on its own schedule.

An emulator stores them and gives them back; it never moves, expires or copies an object because of them.
"""

from __future__ import annotations

import pytest

from labkit.data import load_json
from labkit.errors import error_code

RULES = load_json("s3/lifecycle_rules.json")

SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
TRANSITION_DOC = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html"
    "#lifecycle-configuration-constraints"
)


def replication(account_id, destination):
    return {
        "Role": f"arn:aws:iam::{account_id}:role/s3-replication",  # S3 assumes it to copy the objects
        "Rules": [
            {
                "ID": "everything",
                "Priority": 1,
                "Filter": {"Prefix": ""},
                "Status": "Enabled",
                "DeleteMarkerReplication": {"Status": "Disabled"},
                "Destination": {"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD_IA"},
            }
        ],
    }


def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


@pytest.mark.diverges(
    "ministack",
    "adds ObjectSizeGreaterThan: 0 to a rule's And filter; AWS gives the rules back as written",
    evidence=f"{SNAPSHOTS}#TestS3BucketLifecycle::test_bucket_lifecycle_tag_rules",
)
def test_lifecycle_rules_are_accepted_and_stored(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": RULES})

    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == RULES


def test_a_lifecycle_configuration_reports_the_128_kb_transition_minimum(s3, bucket):
    """By default objects under 128 KB are not transitioned at all; the answer says which minimum applies (the
    transition itself is not shown: see the README)."""
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": RULES})

    answer = s3.get_bucket_lifecycle_configuration(Bucket=bucket)

    assert answer.get("TransitionDefaultMinimumObjectSize") == "all_storage_classes_128K"


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack", "ministack"),
    "accepts a transition to STANDARD_IA after 10 days; AWS answers InvalidArgument (at least 30 days in STANDARD "
    "first)",
    evidence=f"{TRANSITION_DOC} ; https://docs.aws.amazon.com/goto/WebAPI/s3-2006-03-01/Transition",
)
def test_a_transition_to_standard_ia_before_30_days_is_refused(s3, bucket):
    too_soon = {"ID": "too-soon", "Filter": {"Prefix": ""}, "Status": "Enabled",
                "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]}  # fmt: skip

    code = error_code(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                      LifecycleConfiguration={"Rules": [too_soon]})  # fmt: skip

    assert code == "InvalidArgument"


def test_replication_configuration_is_accepted_and_stored_when_both_buckets_are_versioned(
    s3, make_bucket, aws_account_id
):
    source, destination = versioned(s3, make_bucket("source")), versioned(s3, make_bucket("replica"))
    config = replication(aws_account_id, destination)

    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=config)

    assert s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"] == config


def test_replication_needs_versioning_on_the_source(s3, make_bucket, aws_account_id):
    source, destination = make_bucket("source"), versioned(s3, make_bucket("replica"))

    code = error_code(s3.put_bucket_replication, Bucket=source,
                      ReplicationConfiguration=replication(aws_account_id, destination))  # fmt: skip

    assert code == "InvalidRequest"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "accepts an unversioned destination; AWS answers InvalidRequest 'Destination bucket must have versioning enabled.'",
    evidence=f"{SNAPSHOTS}#TestS3BucketReplication::test_replication_config_without_filter",
)
def test_replication_needs_versioning_on_the_destination(s3, make_bucket, aws_account_id):
    source, destination = versioned(s3, make_bucket("source")), make_bucket("replica")

    code = error_code(s3.put_bucket_replication, Bucket=source,
                      ReplicationConfiguration=replication(aws_account_id, destination))  # fmt: skip

    assert code == "InvalidRequest"
