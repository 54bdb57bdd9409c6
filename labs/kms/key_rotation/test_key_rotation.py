"""Rotating a KMS key changes its backing material, not its id; older material is kept for decryption.

Manual rotation is a new key behind the same alias. A disabled key, or one pending deletion, is refused for
cryptography. On AWS an on-demand rotation runs in the background: the tests wait for the new material.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.report import show_table

SNAPSHOTS = "localstack/localstack:tests/aws/services/kms/test_kms.snapshot.json"
NEW_MATERIAL = f"{SNAPSHOTS}#test_key_rotation_updates_current_key_material_id_for_aws_symmetric_keys"
DECRYPT_NAMES_MATERIAL = f"{SNAPSHOTS}#test_encrypt_decrypt_encryption_context"
ON_DEMAND_DOCS = "https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-on-demand.html"
PERIOD_DOCS = (
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/kms/aws.sdk.kotlin.services.kms.model/"
    "-enable-key-rotation-request/rotation-period-in-days.html"
)
DISABLED_DOCS = (
    "https://docs.aws.amazon.com/kms/latest/cryptographic-details/enable-and-disable-key.html ; "
    "https://docs.aws.amazon.com/botocore/latest/reference/services/kms/client/exceptions/DisabledException.html"
)
NO_ON_DEMAND = "answers InvalidAction for RotateKeyOnDemand; AWS rotates the key material on demand"


@pytest.fixture
def key_id(aws_client):
    return aws_client("kms").create_key(Description="labs rotation")["KeyMetadata"]["KeyId"]


def material_of(kms, key_id):
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]


def rotate_and_wait(kms, key_id, backend):
    """Start an on-demand rotation and wait until the key's current material is a new one; its id."""
    before = material_of(kms, key_id)
    kms.rotate_key_on_demand(KeyId=key_id)
    return eventually(lambda: (now := material_of(kms, key_id)) != before and now, backend)


def test_automatic_rotation_is_off_until_enabled(aws_client, key_id):
    kms = aws_client("kms")
    before = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]

    kms.enable_key_rotation(KeyId=key_id)

    assert (before, kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]) == (False, True)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "leaves RotationPeriodInDays out; AWS reports 365 by default",
    evidence=f"{PERIOD_DOCS} ; {SNAPSHOTS}#test_key_enable_rotation_status[90]",
    raises=KeyError,
)
def test_automatic_rotation_happens_every_365_days_by_default(aws_client, key_id):
    kms = aws_client("kms")
    kms.enable_key_rotation(KeyId=key_id)

    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 365  # the note's "every 1 year"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "has no CurrentKeyMaterialId and rotates nothing; AWS gives the key new material",
    evidence=NEW_MATERIAL,
    raises=KeyError,
)
@pytest.mark.diverges("ministack", NO_ON_DEMAND, evidence=ON_DEMAND_DOCS, raises=ClientError)
def test_rotation_gives_the_key_new_material_under_the_same_key_id(aws_client, backend, key_id):
    kms = aws_client("kms")
    before = material_of(kms, key_id)

    after = rotate_and_wait(kms, key_id, backend)

    show_table(
        "one on-demand rotation",
        ["", "key id", "current key material"],
        [["before", key_id, before], ["after", kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"], after]],
    )
    assert after != before
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"] == key_id  # same key, new material


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "Decrypt does not say which key material it used; AWS returns KeyMaterialId",
    evidence=f"{DECRYPT_NAMES_MATERIAL} ; {NEW_MATERIAL}",
    raises=KeyError,
)
@pytest.mark.diverges("ministack", NO_ON_DEMAND, evidence=ON_DEMAND_DOCS, raises=ClientError)
def test_ciphertext_from_before_a_rotation_decrypts_with_the_old_material(aws_client, backend, key_id):
    kms = aws_client("kms")
    old_material = material_of(kms, key_id)
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"written before rotation")["CiphertextBlob"]

    new_material = rotate_and_wait(kms, key_id, backend)
    old = kms.decrypt(CiphertextBlob=old_blob)
    new = kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"])

    assert (old["Plaintext"], old["KeyMaterialId"]) == (b"written before rotation", old_material)
    assert (new["Plaintext"], new["KeyMaterialId"]) == (b"after", new_material)


@pytest.mark.diverges("ministack", NO_ON_DEMAND, evidence=ON_DEMAND_DOCS, raises=ClientError)
@pytest.mark.diverges(
    "localstack",
    "answers InternalFailure (not in its licence) for ListKeyRotations; AWS lists completed rotations",
    evidence=ON_DEMAND_DOCS,
    raises=ClientError,
)
def test_an_on_demand_rotation_is_listed_with_its_type(aws_client, backend, key_id):
    kms = aws_client("kms")

    kms.rotate_key_on_demand(KeyId=key_id)
    rotations = eventually(lambda: kms.list_key_rotations(KeyId=key_id)["Rotations"], backend)

    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]


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


@pytest.mark.diverges(
    ("moto", "moto-server"), "encrypts with a disabled key; AWS answers DisabledException", evidence=DISABLED_DOCS
)
def test_a_disabled_key_refuses_to_encrypt(aws_client, key_id):
    kms = aws_client("kms")
    kms.disable_key(KeyId=key_id)

    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "DisabledException"


@pytest.mark.diverges(
    ("moto", "moto-server"), "decrypts with a disabled key; AWS answers DisabledException", evidence=DISABLED_DOCS
)
def test_a_disabled_key_refuses_to_decrypt_what_it_encrypted(aws_client, key_id):
    kms = aws_client("kms")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)

    assert error_code(kms.decrypt, CiphertextBlob=blob) == "DisabledException"


def test_a_key_scheduled_for_deletion_waits_in_pending_deletion_until_cancelled(aws_client, key_id):
    kms = aws_client("kms")

    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)  # the shortest wait AWS allows
    pending = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    kms.cancel_key_deletion(KeyId=key_id)  # possible only while pending

    assert pending == "PendingDeletion"  # not deleted yet: the key waits out its 7 days
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"  # cancelled: disabled, not gone


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "encrypts with a key pending deletion; AWS answers KMSInvalidStateException",
    evidence="https://docs.amazonaws.cn/en_us/kms/latest/developerguide/key-state.md",
)
def test_a_key_pending_deletion_refuses_to_encrypt(aws_client, key_id):
    kms = aws_client("kms")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)

    refused = error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    kms.cancel_key_deletion(KeyId=key_id)

    assert refused == "KMSInvalidStateException"
