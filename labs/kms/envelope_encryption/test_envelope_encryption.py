"""KMS Encrypt takes at most 4096 bytes; envelope encryption (envelope.py) handles anything larger.

The encryption context is bound to the ciphertext: decrypting needs exactly the same pairs.
"""

from __future__ import annotations

import os
from dataclasses import asdict

import pytest
from botocore.exceptions import ClientError
from envelope import open_envelope, seal

from labkit.report import show_table

CONTEXT = {"department": "payroll"}
SNAPSHOTS = "localstack/localstack:tests/aws/services/kms/test_kms.snapshot.json"


@pytest.fixture
def key_id(aws_client):
    return aws_client("kms").create_key(Description="labs envelope encryption")["KeyMetadata"]["KeyId"]


def test_encrypt_takes_up_to_4096_bytes(aws_client, key_id):
    kms = aws_client("kms")
    data = os.urandom(4096)

    blob = kms.encrypt(KeyId=key_id, Plaintext=data)["CiphertextBlob"]

    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == data  # no KeyId needed: it is in the blob


@pytest.mark.diverges(
    "ministack",
    "encrypts 4097 bytes; AWS answers ValidationException (at most 4096)",
    evidence=f"{SNAPSHOTS}#test_plaintext_size_for_encrypt",
)
def test_encrypt_rejects_4097_bytes(aws_client, key_id):
    with pytest.raises(ClientError) as raised:
        aws_client("kms").encrypt(KeyId=key_id, Plaintext=os.urandom(4097))

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_generate_data_key_returns_a_plain_key_and_the_same_key_encrypted(aws_client, key_id):
    kms = aws_client("kms")

    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")

    assert len(data_key["Plaintext"]) == 32  # AES-256
    assert data_key["CiphertextBlob"] != data_key["Plaintext"]
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]


def test_envelope_encryption_handles_a_megabyte_and_keeps_only_the_encrypted_key(aws_client, key_id):
    kms = aws_client("kms")
    data = os.urandom(1024 * 1024)

    envelope = seal(kms, key_id, data, CONTEXT)
    show_table(
        "the envelope (what is stored)",
        ["part", "bytes"],
        [[name, len(value)] for name, value in asdict(envelope).items()],
    )

    assert data not in envelope.ciphertext and len(envelope.ciphertext) == len(data) + 16  # + GCM tag
    assert open_envelope(kms, envelope, CONTEXT) == data  # later, with KMS decrypting the data key


def test_decrypt_needs_the_same_encryption_context(aws_client, key_id):
    kms = aws_client("kms")
    envelope = seal(kms, key_id, b"salaries", CONTEXT)
    outcomes = {}
    for label, context in [("same", CONTEXT), ("other value", {"department": "sales"}), ("none", {})]:
        try:
            outcomes[label] = open_envelope(kms, envelope, context)
        except ClientError as exc:
            outcomes[label] = exc.response["Error"]["Code"]

    assert outcomes == {
        "same": b"salaries",
        "other value": "InvalidCiphertextException",
        "none": "InvalidCiphertextException",
    }


@pytest.mark.diverges(
    "ministack",
    "answers InvalidAction for ReEncrypt; AWS re-encrypts under the destination key",
    evidence=f"{SNAPSHOTS}#test_re_encrypt[SYMMETRIC_DEFAULT-SYMMETRIC_DEFAULT]",
    raises=ClientError,
)
def test_re_encrypt_moves_a_ciphertext_to_another_key(aws_client, key_id):
    kms = aws_client("kms")
    other = kms.create_key(Description="labs second key")["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"token", EncryptionContext=CONTEXT)["CiphertextBlob"]

    moved = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceKeyId=key_id,  # optional for symmetric keys, but naming it is good practice
        SourceEncryptionContext=CONTEXT,
        DestinationKeyId=other,
        DestinationEncryptionContext=CONTEXT,
    )  # the plaintext never leaves KMS
    decrypted = kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext=CONTEXT)

    assert moved["SourceKeyId"].endswith(key_id)
    assert (decrypted["KeyId"], decrypted["Plaintext"]) == (other, b"token")
