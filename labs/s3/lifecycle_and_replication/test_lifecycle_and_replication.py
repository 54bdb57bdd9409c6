"""Lifecycle and replication are bucket configurations; S3 runs them later, on its own schedule.

An emulator stores them and gives them back; it never moves, expires or copies an object because of them.
"""

from __future__ import annotations

import pytest

from labkit.data import load_json
from labkit.errors import error_code

RULES = load_json("s3/lifecycle_rules.json")


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


def test_lifecycle_rules_round_trip(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": RULES})

    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == RULES


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "accepts a transition to STANDARD_IA after 10 days; AWS answers "
    "InvalidArgument (at least 30 days in STANDARD first)",
)
@pytest.mark.diverges("localstack", "accepts a transition to STANDARD_IA after 10 days; AWS answers InvalidArgument")
def test_a_transition_to_standard_ia_before_30_days_is_refused(s3, bucket):
    too_soon = {"ID": "too-soon", "Filter": {"Prefix": ""}, "Status": "Enabled",
                "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]}  # fmt: skip

    code = error_code(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                      LifecycleConfiguration={"Rules": [too_soon]})  # fmt: skip

    assert code == "InvalidArgument"


def test_replication_configuration_round_trips_when_both_buckets_are_versioned(s3, make_bucket, aws_account_id):
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
)
def test_replication_needs_versioning_on_the_destination(s3, make_bucket, aws_account_id):
    source, destination = versioned(s3, make_bucket("source")), make_bucket("replica")

    code = error_code(s3.put_bucket_replication, Bucket=source,
                      ReplicationConfiguration=replication(aws_account_id, destination))  # fmt: skip

    assert code == "InvalidRequest"
