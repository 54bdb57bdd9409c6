"""Server-side encryption: per object (a header), per bucket (a default), enforced (a bucket policy)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labkit.data import load_json

DENY_UNENCRYPTED = load_json("s3/deny_unencrypted_uploads_policy.json")

DEFAULT_SSE_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html"
API_SNAPSHOTS = "localstack/localstack:tests/aws/services/s3/test_s3_api.snapshot.json"
POLICY_KEYS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html"


@pytest.fixture
def kms_key(aws_client):
    return aws_client("kms").create_key(Description="labs s3 encryption")["KeyMetadata"]["KeyId"]


def test_sse_s3_header_stores_the_object_with_aes256(s3, bucket):
    written = s3.put_object(Bucket=bucket, Key="a.txt", Body=b"x", ServerSideEncryption="AES256")

    assert written["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="a.txt")["ServerSideEncryption"] == "AES256"


def test_sse_kms_uses_the_key_named_in_the_request(s3, bucket, kms_key):
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)

    head = s3.head_object(Bucket=bucket, Key="k.txt")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(kms_key)  # AWS answers with the key's ARN
    assert s3.get_object(Bucket=bucket, Key="k.txt")["Body"].read() == b"x"  # decrypted transparently


def test_bucket_default_encryption_applies_to_uploads_without_a_header(s3, bucket, kms_key):
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key}}]
        },
    )

    written = s3.put_object(Bucket=bucket, Key="plain.txt", Body=b"x")  # no encryption header

    assert written["ServerSideEncryption"] == "aws:kms"
    assert written["SSEKMSKeyId"].endswith(kms_key)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "stores it unencrypted (no ServerSideEncryption in the answer); "
    "AWS encrypts every new object with SSE-S3 since January 2023",
    evidence=DEFAULT_SSE_DOC,
)
def test_every_new_object_is_encrypted_with_sse_s3_by_default(s3, bucket):
    written = s3.put_object(Bucket=bucket, Key="plain.txt", Body=b"x")

    assert written["ServerSideEncryption"] == "AES256"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a new bucket has no encryption configuration (ServerSideEncryptionConfigurationNotFoundError); AWS reports SSE-S3",
    evidence=f"{API_SNAPSHOTS}#TestS3BucketEncryption::test_s3_default_bucket_encryption ; {DEFAULT_SSE_DOC}",
)
def test_a_new_bucket_reports_sse_s3_as_its_default_encryption(s3, bucket):
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]

    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def deny_unencrypted(s3, bucket):
    policy = json.dumps(DENY_UNENCRYPTED).replace("BUCKET", bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)


@pytest.mark.diverges(
    ("moto", "moto-server"), "a bare 403 with no error code; AWS answers 403 AccessDenied", evidence=POLICY_KEYS_DOC
)
@pytest.mark.diverges(
    ("localstack", "ministack"),
    "does not apply the bucket policy's Deny to this caller (LocalStack: no policy evaluation without ENFORCE_IAM; "
    "MiniStack: not even with AUTH=true), so the upload succeeds; AWS answers 403 AccessDenied",
    evidence=POLICY_KEYS_DOC,
)
def test_policy_refuses_an_upload_without_the_encryption_header(s3, bucket):
    deny_unencrypted(s3, bucket)

    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="plain.txt", Body=b"x")

    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "AccessDenied")


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "ignores policy conditions, so the Deny refuses every upload; AWS lets the upload with the header through",
    evidence=POLICY_KEYS_DOC,
)
def test_policy_lets_an_upload_with_the_encryption_header_through(s3, bucket):
    deny_unencrypted(s3, bucket)

    written = s3.put_object(Bucket=bucket, Key="sealed.txt", Body=b"x", ServerSideEncryption="AES256")

    assert written["ServerSideEncryption"] == "AES256"
