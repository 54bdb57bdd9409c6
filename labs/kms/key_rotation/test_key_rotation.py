"""Rotating a KMS key changes its backing material, not its id; older material is kept for decryption.

Manual rotation is a new key behind the same alias. A disabled key is refused for cryptography.
"""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.report import show_table


@pytest.fixture
def key_id(aws_client):
    return aws_client("kms").create_key(Description="labs rotation")["KeyMetadata"]["KeyId"]


def test_automatic_rotation_is_off_until_enabled(aws_client, key_id):
    kms = aws_client("kms")
    before = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]

    kms.enable_key_rotation(KeyId=key_id)

    assert (before, kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]) == (False, True)


@pytest.mark.diverges(
    ("moto", "moto-server"), "leaves RotationPeriodInDays out; AWS reports 365 by default", raises=KeyError
)
def test_automatic_rotation_happens_every_365_days_by_default(aws_client, key_id):
    kms = aws_client("kms")
    kms.enable_key_rotation(KeyId=key_id)

    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 365  # the note's "every 1 year"


def test_rotation_keeps_the_key_id_and_old_ciphertext_still_decrypts(aws_client, key_id):
    kms = aws_client("kms")
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"written before rotation")["CiphertextBlob"]

    kms.rotate_key_on_demand(KeyId=key_id)
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    decrypted = kms.decrypt(CiphertextBlob=old_blob)
    new_blob = kms.encrypt(KeyId=key_id, Plaintext=b"written after rotation")["CiphertextBlob"]
    show_table("after one on-demand rotation", ["what", "value"], [["rotations", len(rotations)], ["key id", key_id]])

    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
    assert decrypted["KeyId"].endswith(f"key/{key_id}") and decrypted["Plaintext"] == b"written before rotation"
    assert kms.decrypt(CiphertextBlob=new_blob)["Plaintext"] == b"written after rotation"


def test_manual_rotation_moves_the_alias_and_the_old_key_still_decrypts(aws_client, unique_name, key_id):
    kms = aws_client("kms")
    alias = f"alias/{unique_name('app')}"
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    old_blob = kms.encrypt(KeyId=alias, Plaintext=b"v1")["CiphertextBlob"]

    new_key = kms.create_key(Description="labs rotation, manual")["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName=alias, TargetKeyId=new_key)  # the application keeps using the alias
    new_encrypt = kms.encrypt(KeyId=alias, Plaintext=b"v2")

    assert new_encrypt["KeyId"].endswith(f"key/{new_key}") and new_key != key_id  # manual: a new key id
    assert kms.decrypt(CiphertextBlob=old_blob)["KeyId"].endswith(f"key/{key_id}")  # keep the old key enabled


def test_disabling_a_key_changes_its_state(aws_client, key_id):
    kms = aws_client("kms")

    kms.disable_key(KeyId=key_id)
    disabled = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    kms.enable_key(KeyId=key_id)

    assert (disabled["KeyState"], disabled["Enabled"]) == ("Disabled", False)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


@pytest.mark.diverges(("moto", "moto-server"), "encrypts with a disabled key; AWS answers DisabledException")
def test_a_disabled_key_refuses_to_encrypt(aws_client, key_id):
    kms = aws_client("kms")
    kms.disable_key(KeyId=key_id)

    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "DisabledException"


@pytest.mark.diverges(("moto", "moto-server"), "decrypts with a disabled key; AWS answers DisabledException")
def test_a_disabled_key_refuses_to_decrypt_what_it_encrypted(aws_client, key_id):
    kms = aws_client("kms")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)

    assert error_code(kms.decrypt, CiphertextBlob=blob) == "DisabledException"
