"""Archive storage classes: the object is listed, but its bytes are offline until a restore finishes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.report import show_table
from labkit.s3 import wait_for_restore

RESTORE_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html"
SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
DEEP_ARCHIVE_SNAPSHOT = f"{SNAPSHOTS}#TestS3DeepArchive::test_s3_get_deep_archive_object_restore"

CLASSES = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]


@pytest.fixture
def archived(s3, bucket):
    s3.put_object(Bucket=bucket, Key="2019/audit.csv", Body=b"id,amount\n1,10\n", StorageClass="GLACIER")
    return bucket, "2019/audit.csv"


def test_the_listing_shows_each_objects_storage_class(s3, bucket):
    for storage_class in CLASSES:
        s3.put_object(Bucket=bucket, Key=f"{storage_class}.txt", Body=b"x", StorageClass=storage_class)

    listed = {o["Key"].removesuffix(".txt"): o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    show_table("list_objects_v2", ["Key", "StorageClass"], sorted(listed.items()))

    assert listed == {c: c for c in CLASSES}


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_get_of_an_archived_object_is_invalid_object_state(s3, bucket, storage_class):
    s3.put_object(Bucket=bucket, Key="cold.bin", Body=b"x", StorageClass=storage_class)

    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="cold.bin")

    assert raised.value.response["Error"]["Code"] == "InvalidObjectState"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_glacier_instant_retrieval_is_readable_at_once(s3, bucket):
    s3.put_object(Bucket=bucket, Key="instant.bin", Body=b"ms access", StorageClass="GLACIER_IR")

    assert s3.get_object(Bucket=bucket, Key="instant.bin")["Body"].read() == b"ms access"


def test_head_works_on_an_archived_object_and_shows_no_restore_yet(s3, archived):
    head = s3.head_object(Bucket=archived[0], Key=archived[1])

    assert (head["StorageClass"], head.get("Restore")) == ("GLACIER", None)


@pytest.mark.diverges(
    "ministack",
    "answers ObjectAlreadyInActiveTierError; AWS answers 403 InvalidObjectState ('Restore is not allowed for the "
    "object's current storage class')",
    evidence="unverified: the botocore model lists only ObjectAlreadyInActiveTierError for RestoreObject, while "
    "users quote real S3 answering InvalidObjectState (getmoto/moto#4670, s3tools/s3cmd#1375); a response "
    "recorded on AWS would settle it",
)
def test_restore_object_only_applies_to_archived_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key="hot.txt", Body=b"x")

    with pytest.raises(ClientError) as raised:
        s3.restore_object(Bucket=bucket, Key="hot.txt", RestoreRequest={"Days": 1})

    assert raised.value.response["Error"]["Code"] == "InvalidObjectState"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    'restores at once (200, ongoing-request="false", GET works); AWS accepts with 202 and the restore takes '
    "minutes (Expedited) to hours",
    evidence=f"{RESTORE_DOC} ; {DEEP_ARCHIVE_SNAPSHOT}",
)
@pytest.mark.diverges(
    "localstack",
    'restores at once (ongoing-request="false", GET works); AWS keeps the restore in progress',
    evidence=RESTORE_DOC,
)
def test_a_restore_takes_time_so_the_object_stays_unreadable_at_first(s3, archived):
    bucket, key = archived
    accepted = s3.restore_object(
        Bucket=bucket, Key=key, RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Standard"}}
    )

    assert accepted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key=key)["Restore"] == 'ongoing-request="true"'
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key=key)
    assert raised.value.response["Error"]["Code"] == "InvalidObjectState"


def test_once_the_restore_completes_the_object_reads_back(s3, backend, archived):
    """On AWS an Expedited restore typically takes 1-5 minutes: poll HEAD's Restore header until it says
    ongoing-request="false" (or subscribe to s3:ObjectRestore:Completed). moto and LocalStack finish at once,
    MiniStack after about two seconds."""
    bucket, key = archived
    s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})

    restore = wait_for_restore(s3, bucket, key, backend)

    assert restore is not None and restore.startswith('ongoing-request="false", expiry-date="')
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"id,amount\n1,10\n"
    assert s3.head_object(Bucket=bucket, Key=key)["StorageClass"] == "GLACIER"  # a temporary copy; still GLACIER
