"""SSE-C: the caller sends a 256-bit key with every request; S3 encrypts with it, keeps only the key's MD5,
and cannot read the object back without it. Since April 2026 new buckets refuse SSE-C until it is unblocked."""

from __future__ import annotations

import base64
import hashlib

import pytest

from labkit.errors import error_code

KEY = bytes(range(32))  # a customer key: 256 bits that S3 never stores
OTHER_KEY = bytes(range(1, 33))
KEY_MD5 = base64.b64encode(hashlib.md5(KEY).digest()).decode()  # noqa: S324 - what S3 keeps to check the key

BLOCK_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html"
SSEC_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html"
SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json"
RETRIEVAL = f"{SNAPSHOTS}#TestS3SSECEncryption::test_object_retrieval_sse_c"
EVERY_EMULATOR = ("moto", "moto-server", "ministack", "localstack")


def with_key(key=KEY):
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def encryption_rule(blocked):
    return {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BlockedEncryptionTypes": {"EncryptionType": [blocked]},
            }
        ]
    }


@pytest.fixture
def ssec_bucket(s3, bucket):
    """A bucket that allows SSE-C again (BlockedEncryptionTypes NONE), holding secret.txt under KEY."""
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption_rule("NONE"))
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"launch codes", **with_key())
    return bucket


@pytest.mark.diverges(
    EVERY_EMULATOR, "accepts an SSE-C upload to a new bucket; AWS answers 403 AccessDenied since April 2026",
    evidence=f"{BLOCK_DOC} ; {SSEC_DOC}",
)  # fmt: skip
def test_a_new_bucket_refuses_an_sse_c_upload(s3, bucket):
    code = error_code(s3.put_object, Bucket=bucket, Key="secret.txt", Body=b"launch codes", **with_key())

    assert code == "AccessDenied"


@pytest.mark.diverges(
    EVERY_EMULATOR,
    "a new bucket's encryption configuration does not list SSE-C as blocked; AWS blocks it by default since April 2026",
    evidence=BLOCK_DOC,
)
def test_a_new_bucket_lists_sse_c_as_a_blocked_encryption_type(s3, bucket):
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]

    assert rules[0]["BlockedEncryptionTypes"]["EncryptionType"] == ["SSE-C"]


@pytest.mark.diverges(("moto", "moto-server"), "drops BlockedEncryptionTypes; AWS stores it", evidence=BLOCK_DOC)
def test_unblocking_sse_c_is_accepted_and_stored(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption_rule("NONE"))

    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["BlockedEncryptionTypes"]["EncryptionType"] == ["NONE"]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores the customer key (no SSECustomerAlgorithm or SSECustomerKeyMD5 in the answer); AWS encrypts with it",
    evidence=RETRIEVAL,
)
def test_an_upload_with_a_customer_key_answers_with_the_keys_md5(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption_rule("NONE"))

    written = s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"launch codes", **with_key())

    assert (written["SSECustomerAlgorithm"], written["SSECustomerKeyMD5"]) == ("AES256", KEY_MD5)


@pytest.mark.diverges(
    ("moto", "moto-server"), "serves the object without the key; AWS answers 400 InvalidRequest", evidence=RETRIEVAL
)
def test_a_get_without_the_key_is_refused(s3, ssec_bucket):
    assert error_code(s3.get_object, Bucket=ssec_bucket, Key="secret.txt") == "InvalidRequest"


@pytest.mark.diverges(
    ("moto", "moto-server"), "serves the object with another key; AWS answers 403 AccessDenied", evidence=RETRIEVAL
)
def test_a_get_with_another_key_is_refused(s3, ssec_bucket):
    code = error_code(s3.get_object, Bucket=ssec_bucket, Key="secret.txt", **with_key(OTHER_KEY))

    assert code == "AccessDenied"


def test_a_get_with_the_key_returns_the_plain_bytes(s3, ssec_bucket):
    body = s3.get_object(Bucket=ssec_bucket, Key="secret.txt", **with_key())["Body"].read()

    assert body == b"launch codes"


@pytest.mark.diverges(
    ("moto", "moto-server"), "answers HEAD without SSE-C fields; AWS reports the algorithm and the key's MD5",
    evidence=RETRIEVAL,
)  # fmt: skip
def test_head_with_the_key_shows_its_md5(s3, ssec_bucket):
    head = s3.head_object(Bucket=ssec_bucket, Key="secret.txt", **with_key())

    assert (head["SSECustomerAlgorithm"], head["SSECustomerKeyMD5"]) == ("AES256", KEY_MD5)
