"""Multipart uploads (every part but the last at least 5 MiB) and byte-range GETs."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

MIB = 1024 * 1024
PART_1 = b"a" * (5 * MIB)  # the minimum size for any part but the last
PART_2 = b"b" * 10  # the last part may be tiny


def upload_parts(s3, bucket, key, parts):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    done = []
    for number, body in enumerate(parts, start=1):
        part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=body)
        done.append({"PartNumber": number, "ETag": part["ETag"]})
    return upload, done


@pytest.mark.diverges(
    "ministack",
    "completes an upload whose first part is 1 KiB; AWS answers EntityTooSmall (every part but the last >= 5 MiB)",
    evidence="localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
    "#TestS3::test_multipart_complete_multipart_too_small",
)
def test_a_non_final_part_under_5_mib_fails_at_complete_with_entity_too_small(s3, bucket):
    upload, parts = upload_parts(s3, bucket, "small.bin", [b"a" * 1024, b"b" * 1024])  # uploading parts works

    with pytest.raises(ClientError) as raised:
        s3.complete_multipart_upload(Bucket=bucket, Key="small.bin", UploadId=upload, MultipartUpload={"Parts": parts})

    assert raised.value.response["Error"]["Code"] == "EntityTooSmall"


def test_a_multipart_upload_completes_into_one_object_with_a_dash_n_etag(s3, bucket):
    upload, parts = upload_parts(s3, bucket, "big.bin", [PART_1, PART_2])

    done = s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload, MultipartUpload={"Parts": parts})

    # The ETag is the MD5 of the parts' MD5s, then "-<number of parts>": not the MD5 of the whole object.
    part_md5s = b"".join(hashlib.md5(p).digest() for p in (PART_1, PART_2))  # noqa: S324
    assert done["ETag"] == f'"{hashlib.md5(part_md5s).hexdigest()}-2"'  # noqa: S324
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ContentLength"] == 5 * MIB + 10


@pytest.fixture
def alphabet(s3, bucket):
    s3.put_object(Bucket=bucket, Key="abc.txt", Body=b"abcdefghijklmnopqrstuvwxyz")
    return bucket, "abc.txt"


@pytest.mark.parametrize(
    ("byte_range", "body", "content_range"),
    [
        ("bytes=0-4", b"abcde", "bytes 0-4/26"),  # both ends inclusive
        ("bytes=20-", b"uvwxyz", "bytes 20-25/26"),  # from an offset to the end
        ("bytes=-3", b"xyz", "bytes 23-25/26"),  # the last 3 bytes
    ],
)
def test_a_range_get_returns_206_and_exactly_the_bytes_asked(s3, alphabet, byte_range, body, content_range):
    part = s3.get_object(Bucket=alphabet[0], Key=alphabet[1], Range=byte_range)

    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert (part["Body"].read(), part["ContentRange"], part["ContentLength"]) == (body, content_range, len(body))


def test_a_range_past_the_end_is_416_invalid_range(s3, alphabet):
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=alphabet[0], Key=alphabet[1], Range="bytes=100-")

    assert raised.value.response["Error"]["Code"] == "InvalidRange"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_a_range_across_the_seam_of_two_parts_reads_both(s3, bucket):
    upload, parts = upload_parts(s3, bucket, "big.bin", [PART_1, PART_2])
    s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload, MultipartUpload={"Parts": parts})

    seam = s3.get_object(Bucket=bucket, Key="big.bin", Range=f"bytes={5 * MIB - 2}-{5 * MIB + 1}")["Body"].read()

    assert seam == b"aabb"  # the last two bytes of part 1 and the first two of part 2
