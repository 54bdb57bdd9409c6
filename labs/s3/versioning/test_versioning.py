"""Versioning keeps every write; a delete only stacks a marker on top; S3 reads are strongly consistent."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.report import show_table

API_SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3_api.snapshot.json"


def versions_of(s3, bucket, key):
    """[(VersionId, IsLatest, body)] newest first, and the delete markers' ids."""
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    versions = [
        (v["VersionId"], v["IsLatest"], s3.get_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])["Body"].read())
        for v in listing.get("Versions", [])
    ]
    return versions, [m["VersionId"] for m in listing.get("DeleteMarkers", [])]


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def test_an_object_written_before_versioning_keeps_version_null(s3, bucket):
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v0")
    enable(s3, bucket)
    written = s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v1")

    versions, _ = versions_of(s3, bucket, "notes.txt")
    show_table("versions of notes.txt", ["VersionId", "IsLatest", "body"], versions)

    assert [(vid == "null", latest, body) for vid, latest, body in versions] == [
        (False, True, b"v1"),
        (True, False, b"v0"),
    ]
    assert written["VersionId"] == versions[0][0] != "null"


def test_a_delete_adds_a_delete_marker_and_keeps_the_data(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v1")

    deleted = s3.delete_object(Bucket=bucket, Key="notes.txt")

    assert deleted["DeleteMarker"] is True
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="notes.txt")
    assert raised.value.response["Error"]["Code"] == "NoSuchKey"
    versions, markers = versions_of(s3, bucket, "notes.txt")
    assert [body for _, _, body in versions] == [b"v1"]  # the data is still there, under its version id
    assert markers == [deleted["VersionId"]]


def test_deleting_the_delete_marker_restores_the_object(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v1")
    marker = s3.delete_object(Bucket=bucket, Key="notes.txt")["VersionId"]

    s3.delete_object(Bucket=bucket, Key="notes.txt", VersionId=marker)

    assert s3.get_object(Bucket=bucket, Key="notes.txt")["Body"].read() == b"v1"
    assert versions_of(s3, bucket, "notes.txt")[1] == []


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "answers without DeleteMarker; AWS says DeleteMarker: true",
    evidence=f"{API_SNAPSHOTS}#TestS3ObjectCRUD::test_delete_object_versioned",
)
def test_deleting_a_delete_marker_says_a_marker_was_deleted(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v1")
    marker = s3.delete_object(Bucket=bucket, Key="notes.txt")["VersionId"]

    answer = s3.delete_object(Bucket=bucket, Key="notes.txt", VersionId=marker)

    assert (answer.get("DeleteMarker"), answer["VersionId"]) == (True, marker)


def test_deleting_a_version_by_id_removes_it_for_good(s3, bucket):
    enable(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v2")

    s3.delete_object(Bucket=bucket, Key="notes.txt", VersionId=first)

    versions, markers = versions_of(s3, bucket, "notes.txt")
    assert ([body for _, _, body in versions], markers) == ([b"v2"], [])


def test_suspending_versioning_keeps_the_existing_versions(s3, bucket):
    enable(s3, bucket)
    for body in (b"v1", b"v2", b"v3"):
        s3.put_object(Bucket=bucket, Key="notes.txt", Body=body)

    enable(s3, bucket, "Suspended")

    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert [body for _, _, body in versions_of(s3, bucket, "notes.txt")[0]] == [b"v3", b"v2", b"v1"]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a write while suspended drops every older version; AWS replaces only the null version",
    evidence=f"{API_SNAPSHOTS}#TestS3ObjectCRUD::test_put_object_on_suspended_bucket",
)
def test_a_write_while_suspended_gets_version_null_and_keeps_older_versions(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v1")
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v2")
    enable(s3, bucket, "Suspended")

    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"v3")

    versions, _ = versions_of(s3, bucket, "notes.txt")
    assert [(vid == "null", body) for vid, _, body in versions] == [(True, b"v3"), (False, b"v2"), (False, b"v1")]


def test_reads_right_after_a_write_an_overwrite_or_a_delete_see_the_latest_state(s3, bucket):
    """002 says S3 is eventually consistent; today every read and list after a write is strongly consistent.
    On AWS this sequence would catch a stale read; on an emulator it cannot prove there is no race."""
    s3.put_object(Bucket=bucket, Key="state.json", Body=b'{"n": 1}')
    first_read = s3.get_object(Bucket=bucket, Key="state.json")["Body"].read()
    s3.put_object(Bucket=bucket, Key="state.json", Body=b'{"n": 2}')
    after_overwrite = s3.get_object(Bucket=bucket, Key="state.json")["Body"].read()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    s3.delete_object(Bucket=bucket, Key="state.json")
    after_delete = s3.list_objects_v2(Bucket=bucket)["KeyCount"]

    assert (first_read, after_overwrite, listed, after_delete) == (b'{"n": 1}', b'{"n": 2}', ["state.json"], 0)
