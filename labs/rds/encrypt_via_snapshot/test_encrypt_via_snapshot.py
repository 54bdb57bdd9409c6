"""Encryption at rest is fixed when an RDS instance or Aurora cluster is created. To encrypt an unencrypted
database: snapshot it, copy the snapshot with a KMS key (the copy is encrypted), restore the copy as a new
database. Each step's state is checked; where moto allows what AWS refuses, the test is marked."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from labkit.report import show_table


@pytest.fixture
def rds(aws_client):
    return aws_client("rds")


@pytest.fixture
def key_arn(aws_client):
    return aws_client("kms").create_key(Description="database encryption")["KeyMetadata"]["Arn"]


@pytest.fixture
def plain_db(rds, unique_name):
    """An unencrypted PostgreSQL instance."""
    name = unique_name("db")
    rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
        MasterUsername="labs", MasterUserPassword="not-a-secret-1",
    )  # fmt: skip
    return name


def instance(rds, name):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]


def snapshot_of(rds, db, name):
    return rds.create_db_snapshot(DBInstanceIdentifier=db, DBSnapshotIdentifier=name)["DBSnapshot"]


def test_an_instance_created_without_encryption_is_unencrypted(rds, plain_db):
    db = instance(rds, plain_db)

    assert db["StorageEncrypted"] is False
    assert db.get("KmsKeyId") is None


def test_modify_db_instance_has_no_parameter_to_turn_encryption_on(rds, plain_db):
    parameters = rds.meta.service_model.operation_model("ModifyDBInstance").input_shape.members

    assert "StorageEncrypted" not in parameters and "KmsKeyId" not in parameters  # the API cannot even say it
    with pytest.raises(ParamValidationError):
        rds.modify_db_instance(DBInstanceIdentifier=plain_db, StorageEncrypted=True, ApplyImmediately=True)
    assert instance(rds, plain_db)["StorageEncrypted"] is False


def test_a_snapshot_of_an_unencrypted_instance_is_unencrypted(rds, plain_db, unique_name):
    snapshot = snapshot_of(rds, plain_db, unique_name("snap"))

    assert (snapshot["Status"], snapshot["Encrypted"]) == ("available", False)


def test_copying_the_snapshot_with_a_kms_key_gives_an_encrypted_copy(rds, plain_db, key_arn, unique_name):
    source = snapshot_of(rds, plain_db, unique_name("snap"))

    copy = rds.copy_db_snapshot(
        SourceDBSnapshotIdentifier=source["DBSnapshotIdentifier"], TargetDBSnapshotIdentifier=unique_name("enc"),
        KmsKeyId=key_arn,
    )["DBSnapshot"]  # fmt: skip

    assert copy["Encrypted"] is True
    assert copy["KmsKeyId"] == key_arn
    assert (
        rds.describe_db_snapshots(DBSnapshotIdentifier=source["DBSnapshotIdentifier"])["DBSnapshots"][0]["Encrypted"]
        is False
    )  # the source snapshot is untouched


def test_restoring_the_encrypted_copy_gives_a_new_encrypted_instance(rds, plain_db, key_arn, unique_name):
    source = snapshot_of(rds, plain_db, unique_name("snap"))
    copy = rds.copy_db_snapshot(
        SourceDBSnapshotIdentifier=source["DBSnapshotIdentifier"], TargetDBSnapshotIdentifier=unique_name("enc"),
        KmsKeyId=key_arn,
    )["DBSnapshot"]  # fmt: skip
    restored_name = unique_name("db-enc")

    rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier=restored_name, DBSnapshotIdentifier=copy["DBSnapshotIdentifier"]
    )

    old, new = instance(rds, plain_db), instance(rds, restored_name)
    show_table(
        "encrypting via a snapshot", ["step", "encrypted", "KMS key"],
        [
            ["original instance", old["StorageEncrypted"], old.get("KmsKeyId", "-")],
            ["snapshot", source["Encrypted"], source.get("KmsKeyId", "-")],
            ["copy with KmsKeyId", copy["Encrypted"], copy["KmsKeyId"].rsplit("/", 1)[-1]],
            ["restored instance", new["StorageEncrypted"], new["KmsKeyId"].rsplit("/", 1)[-1]],
        ],
    )  # fmt: skip
    assert (new["StorageEncrypted"], new["KmsKeyId"]) == (True, key_arn)
    assert old["StorageEncrypted"] is False  # a new database: point the application at it, then retire the old


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a copy of an encrypted snapshot made without KmsKeyId comes out unencrypted; AWS keeps it encrypted "
    "with the source's key",
)
def test_a_copy_of_an_encrypted_snapshot_stays_encrypted(rds, plain_db, key_arn, unique_name):
    source = snapshot_of(rds, plain_db, unique_name("snap"))
    encrypted = rds.copy_db_snapshot(
        SourceDBSnapshotIdentifier=source["DBSnapshotIdentifier"], TargetDBSnapshotIdentifier=unique_name("enc"),
        KmsKeyId=key_arn,
    )["DBSnapshot"]  # fmt: skip

    again = rds.copy_db_snapshot(
        SourceDBSnapshotIdentifier=encrypted["DBSnapshotIdentifier"], TargetDBSnapshotIdentifier=unique_name("again")
    )["DBSnapshot"]

    assert (again["Encrypted"], again.get("KmsKeyId")) == (True, key_arn)  # encrypted stays encrypted


# --- Aurora: the same idea, and one step fewer ------------------------------------------------------------------


@pytest.fixture
def plain_cluster_snapshot(rds, unique_name):
    """A snapshot of an unencrypted Aurora PostgreSQL cluster."""
    cluster = unique_name("aurora")
    rds.create_db_cluster(
        DBClusterIdentifier=cluster, Engine="aurora-postgresql", MasterUsername="labs",
        MasterUserPassword="not-a-secret-1",
    )  # fmt: skip
    name = unique_name("csnap")
    snapshot = rds.create_db_cluster_snapshot(DBClusterIdentifier=cluster, DBClusterSnapshotIdentifier=name)
    assert snapshot["DBClusterSnapshot"]["StorageEncrypted"] is False
    return name


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "restoring an unencrypted cluster snapshot with KmsKeyId gives StorageEncrypted False; AWS encrypts the "
    "new cluster with that key",
)
def test_an_unencrypted_aurora_snapshot_restores_to_an_encrypted_cluster_given_a_key(
    rds, plain_cluster_snapshot, key_arn, unique_name
):
    restored = rds.restore_db_cluster_from_snapshot(
        DBClusterIdentifier=unique_name("aurora-enc"), SnapshotIdentifier=plain_cluster_snapshot,
        Engine="aurora-postgresql", KmsKeyId=key_arn,
    )["DBCluster"]  # fmt: skip

    assert (restored["StorageEncrypted"], restored["KmsKeyId"]) == (True, key_arn)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "copies an unencrypted cluster snapshot into an encrypted one; AWS refuses (restore with KmsKeyId instead)",
)
def test_an_unencrypted_aurora_cluster_snapshot_cannot_be_encrypted_by_copying(
    rds, plain_cluster_snapshot, key_arn, unique_name
):
    # AWS documents that this returns an error, without naming the code: the refusal is the assertion.
    with pytest.raises(ClientError):
        rds.copy_db_cluster_snapshot(
            SourceDBClusterSnapshotIdentifier=plain_cluster_snapshot,
            TargetDBClusterSnapshotIdentifier=unique_name("csnap-enc"), KmsKeyId=key_arn,
        )  # fmt: skip
