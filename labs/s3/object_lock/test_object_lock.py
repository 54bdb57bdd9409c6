"""Object Lock: write once, read many. GOVERNANCE can be bypassed by the permitted; COMPLIANCE by no one.

Since November 2023 Object Lock can be turned on for an existing bucket too, once its versioning is Enabled.
"""

from __future__ import annotations

import datetime

import pytest

from labkit.errors import error_code

# Short on purpose: on a real account a COMPLIANCE object cannot be removed by anyone until this passes.
RETENTION = datetime.timedelta(minutes=5)

SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
API_SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3_api.snapshot.json"
MODES_DOC = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-overview.html#object-lock-retention-modes"
)


@pytest.fixture
def locked_bucket(make_bucket):
    """A bucket created with Object Lock on; that also turns versioning on."""
    return make_bucket("locked", ObjectLockEnabledForBucket=True)


def until(delta=RETENTION):
    return datetime.datetime.now(datetime.UTC) + delta


def put_locked(s3, bucket, key, **lock):
    return s3.put_object(Bucket=bucket, Key=key, Body=b"ledger", **lock)["VersionId"]


def lock_status(s3, bucket):
    return s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]["ObjectLockEnabled"]


def test_a_bucket_created_with_object_lock_is_versioned(s3, locked_bucket):
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"
    assert lock_status(s3, locked_bucket) == "Enabled"


def test_object_lock_can_be_turned_on_for_an_existing_versioned_bucket(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})

    assert lock_status(s3, bucket) == "Enabled"


def test_an_existing_bucket_without_versioning_refuses_object_lock(s3, bucket):
    code = error_code(
        s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}
    )

    assert code == "InvalidBucketState"  # "Versioning must be 'Enabled' on the bucket to apply a Object Lock ..."


def test_a_retention_protects_a_version_in_a_bucket_locked_after_creation(s3, bucket, request):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    version = put_locked(s3, bucket, "g.txt", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until())
    request.addfinalizer(  # the harness's cleanup sends the bypass only to buckets created with Object Lock
        lambda: s3.delete_object(Bucket=bucket, Key="g.txt", VersionId=version, BypassGovernanceRetention=True)
    )

    code = error_code(s3.delete_object, Bucket=bucket, Key="g.txt", VersionId=version)

    assert code == "AccessDenied"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "lets versioning be suspended on an Object Lock bucket; AWS answers 409 InvalidBucketState",
    evidence=f"{API_SNAPSHOTS}#TestS3ObjectLock::test_disable_versioning_on_locked_bucket ; "
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html",
)
def test_versioning_cannot_be_suspended_once_object_lock_is_on(s3, locked_bucket):
    code = error_code(s3.put_bucket_versioning, Bucket=locked_bucket, VersioningConfiguration={"Status": "Suspended"})

    assert code == "InvalidBucketState"


def test_a_bucket_without_object_lock_refuses_a_retention(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    code = error_code(
        s3.put_object_retention, Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until()}
    )

    assert code == "InvalidRequest"  # "Bucket is missing Object Lock Configuration"


def test_governance_refuses_deleting_the_version_without_bypass(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "g.txt", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until())

    code = error_code(s3.delete_object, Bucket=locked_bucket, Key="g.txt", VersionId=version)

    assert code == "AccessDenied"


def test_governance_allows_the_delete_with_bypass_governance_retention(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "g.txt", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until())

    s3.delete_object(Bucket=locked_bucket, Key="g.txt", VersionId=version, BypassGovernanceRetention=True)

    assert "Versions" not in s3.list_object_versions(Bucket=locked_bucket, Prefix="g.txt")


def test_a_plain_delete_of_a_locked_object_only_adds_a_delete_marker(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "g.txt", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until())

    answer = s3.delete_object(Bucket=locked_bucket, Key="g.txt")  # no VersionId: nothing is destroyed

    assert answer["DeleteMarker"] is True
    listing = s3.list_object_versions(Bucket=locked_bucket, Prefix="g.txt")
    assert [v["VersionId"] for v in listing["Versions"]] == [version]


def test_compliance_refuses_the_delete_even_with_bypass(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "c.txt", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until())

    code = error_code(
        s3.delete_object, Bucket=locked_bucket, Key="c.txt", VersionId=version, BypassGovernanceRetention=True
    )

    assert code == "AccessDenied"


def test_compliance_retention_can_be_extended(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "c.txt", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until())
    later = until(RETENTION * 2)

    s3.put_object_retention(
        Bucket=locked_bucket, Key="c.txt", VersionId=version, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": later}
    )

    head = s3.head_object(Bucket=locked_bucket, Key="c.txt", VersionId=version)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert abs(head["ObjectLockRetainUntilDate"] - later) < datetime.timedelta(seconds=1)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "lets a COMPLIANCE retention be shortened; AWS answers 403 AccessDenied",
    evidence=f"{SNAPSHOTS}#TestS3ObjectLockRetention::test_s3_object_retention_compliance_mode ; {MODES_DOC}",
)
def test_compliance_retention_cannot_be_shortened(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "c.txt", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until())

    code = error_code(
        s3.put_object_retention,
        Bucket=locked_bucket,
        Key="c.txt",
        VersionId=version,
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until(RETENTION / 5)},
    )

    assert code == "AccessDenied"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "lets COMPLIANCE be changed to GOVERNANCE (even with bypass); AWS answers 403 AccessDenied",
    evidence=f"{SNAPSHOTS}#TestS3ObjectLockRetention::test_s3_object_retention_compliance_mode ; {MODES_DOC}",
)
def test_compliance_mode_cannot_be_changed_to_governance(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "c.txt", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until())

    code = error_code(
        s3.put_object_retention,
        Bucket=locked_bucket,
        Key="c.txt",
        VersionId=version,
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until(RETENTION * 2)},
        BypassGovernanceRetention=True,
    )

    assert code == "AccessDenied"


def test_legal_hold_blocks_the_delete_even_with_bypass(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "h.txt", ObjectLockLegalHoldStatus="ON")

    code = error_code(
        s3.delete_object, Bucket=locked_bucket, Key="h.txt", VersionId=version, BypassGovernanceRetention=True
    )

    assert code == "AccessDenied"


def test_removing_the_legal_hold_allows_the_delete(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "h.txt", ObjectLockLegalHoldStatus="ON")

    s3.put_object_legal_hold(Bucket=locked_bucket, Key="h.txt", VersionId=version, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=locked_bucket, Key="h.txt", VersionId=version)

    assert "Versions" not in s3.list_object_versions(Bucket=locked_bucket, Prefix="h.txt")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "GetObjectRetention answers 500 InternalError; AWS returns the mode and the date",
    evidence=f"{SNAPSHOTS}#TestS3ObjectLockRetention::test_s3_object_retention",
)
def test_get_object_retention_reports_the_mode_and_date(s3, locked_bucket):
    version = put_locked(s3, locked_bucket, "c.txt", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until())

    retention = s3.get_object_retention(Bucket=locked_bucket, Key="c.txt", VersionId=version)["Retention"]

    assert retention["Mode"] == "COMPLIANCE"
