"""Kinesis encrypts a stream's records at rest with a KMS key once StartStreamEncryption has taken effect.

Turning encryption on (or off) is asynchronous: the stream is UPDATING, then ACTIVE again, and from then on each
new record is encrypted with the key (PutRecord and GetRecords say so per record, with EncryptionType); records
written before stay as they were. Readers and writers see plain data, provided IAM lets them use the key too:
a producer needs kms:GenerateDataKey on it, a consumer kms:Decrypt, on top of the Kinesis actions.
"""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.iam import allow, create_user_with_key, iam_enforced, policy, require_iam_checks
from labkit.messaging import read_records
from labkit.report import show_table

MODEL = "botocore:kinesis/2013-12-02"
KEY_PERMISSIONS = "https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html"
MOTO = ("moto", "moto-server")
NO_KEY_CHECK = pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "checks the caller's Kinesis permissions but not its use of the stream's KMS key; AWS refuses a producer "
    "without kms:GenerateDataKey and a consumer without kms:Decrypt (KMSAccessDeniedException)",
    evidence=f"{KEY_PERMISSIONS} ; {MODEL}#KMSAccessDeniedException ; unverified: that the refusal's code is "
    "KMSAccessDeniedException (the error Kinesis documents for a key the caller may not use) and not "
    "AccessDeniedException; one PutRecord by such a producer on AWS settles it",
)
#: AWS: "up to 5 seconds after the stream is ACTIVE before all records written to the stream are encrypted".
SETTLING_SECONDS = 10.0


@pytest.fixture
def key_arn(aws_client):
    """A customer managed KMS key (default key policy: IAM policies in the account decide who may use it)."""
    return aws_client("kms").create_key(Description="labs kinesis stream encryption")["KeyMetadata"]["Arn"]


@pytest.fixture
def encrypted_stream(aws_client, make_stream, wait_active, key_arn):
    """A one-shard stream with server-side encryption under ``key_arn``, ACTIVE again."""
    kinesis = aws_client("kinesis")
    stream = make_stream("encrypted")
    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId=key_arn)
    wait_active(stream)
    return stream


def summary(kinesis, stream):
    return kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]


def put_encrypted(kinesis, stream, data, backend):
    """PutRecord, repeated for a few seconds on AWS until the answer says KMS (encryption starts up to 5 s after the
    stream is ACTIVE again); the last answer."""
    return eventually(
        lambda: kinesis.put_record(StreamName=stream, Data=data, PartitionKey="sensor-7"),
        backend,
        until=lambda answer: answer.get("EncryptionType") == "KMS",
        aws_seconds=SETTLING_SECONDS,
        interval=1.0,
    )


def from_the_start(kinesis, stream):
    [shard] = kinesis.list_shards(StreamName=stream)["Shards"]
    return kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]


@pytest.mark.diverges(
    (*MOTO, "ministack"),
    "applies encryption at once and stays ACTIVE; AWS answers at once and sets the stream UPDATING until the "
    "change is done",
    evidence=f"{MODEL}#StartStreamEncryption",
)
def test_start_stream_encryption_leaves_the_stream_updating_at_first(aws_client, make_stream, wait_active, key_arn):
    kinesis = aws_client("kinesis")
    stream = make_stream("updating")

    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId=key_arn)
    right_after = summary(kinesis, stream)["StreamStatus"]
    wait_active(stream)  # a stream cannot be deleted (or changed again) while UPDATING

    assert right_after == "UPDATING"


def test_once_active_again_the_stream_reports_kms_and_its_key(aws_client, encrypted_stream, key_arn):
    found = summary(aws_client("kinesis"), encrypted_stream)

    assert (found["StreamStatus"], found["EncryptionType"], found["KeyId"]) == ("ACTIVE", "KMS", key_arn)


@pytest.mark.diverges(
    MOTO,
    "leaves EncryptionType out of PutRecord's answer; AWS says per record whether it was encrypted",
    evidence=f"{MODEL}#PutRecordOutput ; {MODEL}#StartStreamEncryption",
)
def test_put_record_says_whether_each_record_was_encrypted(aws_client, backend, make_stream, wait_active, key_arn):
    kinesis = aws_client("kinesis")
    stream = make_stream("per-record")
    before = kinesis.put_record(StreamName=stream, Data=b"before", PartitionKey="sensor-7")

    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId=key_arn)
    wait_active(stream)
    after = put_encrypted(kinesis, stream, b"after", backend)

    assert (before["EncryptionType"], after["EncryptionType"]) == ("NONE", "KMS")


@pytest.mark.diverges(
    MOTO,
    "returns records without EncryptionType; AWS marks each record NONE or KMS",
    evidence=f"{MODEL}#Record",
)
@pytest.mark.diverges(
    "ministack",
    "marks every record with the stream's current encryption, also records written before it was turned on; AWS "
    "encrypts only records written once the stream is ACTIVE again",
    evidence=f"{MODEL}#StartStreamEncryption ; {MODEL}#Record",
)
def test_a_reader_gets_plain_data_and_only_later_records_are_encrypted(
    aws_client, backend, make_stream, wait_active, key_arn
):
    kinesis = aws_client("kinesis")
    stream = make_stream("read-back")
    kinesis.put_record(StreamName=stream, Data=b"written before", PartitionKey="sensor-7")
    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId=key_arn)
    wait_active(stream)
    put_encrypted(kinesis, stream, b"written after", backend)

    records = read_records(kinesis, from_the_start(kinesis, stream), 2)
    show_table("records", ["data", "encryption"], [[r["Data"], r.get("EncryptionType", "-")] for r in records])

    assert [r["Data"] for r in records] == [b"written before", b"written after"]  # decrypted for the reader
    assert [r["EncryptionType"] for r in records] == ["NONE", "KMS"]


def test_stop_stream_encryption_returns_the_stream_to_none(aws_client, encrypted_stream, wait_active, key_arn):
    kinesis = aws_client("kinesis")

    kinesis.stop_stream_encryption(StreamName=encrypted_stream, EncryptionType="KMS", KeyId=key_arn)
    wait_active(encrypted_stream)
    found = summary(kinesis, encrypted_stream)

    assert found["EncryptionType"] == "NONE"
    assert found.get("KeyId") is None


# --- who may write and read an encrypted stream -------------------------------------------------------------------

CONSUMER_ACTIONS = ["kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"]


@pytest.mark.diverges(
    MOTO,
    "refuses with HTTP 403 but an XML AccessDenied body, which botocore cannot read for a JSON service (the code "
    "comes out as '403'); AWS answers AccessDeniedException",
    evidence=f"{MODEL}#PutRecord ; {MODEL}#AccessDeniedException",
)
def test_without_kinesis_put_record_a_user_is_refused(aws_client, backend, unique_name, encrypted_stream):
    require_iam_checks(backend)
    reader = create_user_with_key(aws_client("iam"), unique_name("reader"), {"read": policy(allow(CONSUMER_ACTIONS))})

    with iam_enforced(backend):
        code = error_code(
            aws_client("kinesis", **reader).put_record, StreamName=encrypted_stream, Data=b"x", PartitionKey="k"
        )

    assert code == "AccessDeniedException"


@NO_KEY_CHECK
def test_a_producer_without_kms_generate_data_key_is_refused(aws_client, backend, unique_name, encrypted_stream):
    require_iam_checks(backend)
    producer = create_user_with_key(
        aws_client("iam"), unique_name("producer"), {"put": policy(allow(["kinesis:PutRecord", "kinesis:PutRecords"]))}
    )

    with iam_enforced(backend):
        code = error_code(
            aws_client("kinesis", **producer).put_record, StreamName=encrypted_stream, Data=b"x", PartitionKey="k"
        )

    assert code == "KMSAccessDeniedException"


@NO_KEY_CHECK
def test_a_consumer_without_kms_decrypt_is_refused(aws_client, backend, unique_name, encrypted_stream):
    require_iam_checks(backend)
    kinesis = aws_client("kinesis")
    kinesis.put_record(StreamName=encrypted_stream, Data=b"secret reading", PartitionKey="sensor-7")
    reading = {"read": policy(allow(CONSUMER_ACTIONS))}
    consumer = create_user_with_key(aws_client("iam"), unique_name("consumer"), reading)

    with iam_enforced(backend):
        theirs = aws_client("kinesis", **consumer)
        code = error_code(theirs.get_records, ShardIterator=from_the_start(theirs, encrypted_stream))

    assert code == "KMSAccessDeniedException"


def test_a_consumer_allowed_to_decrypt_with_the_key_reads_the_records(
    aws_client, backend, unique_name, encrypted_stream, key_arn
):
    require_iam_checks(backend)
    aws_client("kinesis").put_record(StreamName=encrypted_stream, Data=b"secret reading", PartitionKey="sensor-7")
    consumer = create_user_with_key(
        aws_client("iam"),
        unique_name("consumer"),
        {"read": policy(allow(CONSUMER_ACTIONS), allow("kms:Decrypt", key_arn))},
    )

    with iam_enforced(backend):
        theirs = aws_client("kinesis", **consumer)
        records = read_records(theirs, from_the_start(theirs, encrypted_stream), 1)

    assert [r["Data"] for r in records] == [b"secret reading"]
