"""Encryption at rest is fixed when an RDS instance is created. To encrypt an unencrypted database: snapshot it,
copy the snapshot with a KMS key (the copy is encrypted), restore the copy as a new database. Snapshots and
databases are waited for (AWS answers ``creating``, and an instance still ``creating`` cannot be snapshotted)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ParamValidationError

from labkit.compute import describe_db, wait_for_db, wait_for_snapshot
from labkit.eventually import waiter_config
from labkit.report import show_table

NO_COPY = "has no CopyDBSnapshot (InvalidAction)"


def snapshot_of(rds, db, name, backend):
    rds.create_db_snapshot(DBInstanceIdentifier=db, DBSnapshotIdentifier=name)
    return wait_for_snapshot(rds, name, backend)


def copy_of(rds, source, name, backend, **extra):
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier=source, TargetDBSnapshotIdentifier=name, **extra)
    return wait_for_snapshot(rds, name, backend)


def test_an_instance_created_without_encryption_is_unencrypted(plain_db):
    assert plain_db["StorageEncrypted"] is False
    assert not plain_db.get("KmsKeyId")  # no key at all (MiniStack answers an empty one)


def test_modify_db_instance_has_no_parameter_to_turn_encryption_on(rds, plain_db):
    parameters = rds.meta.service_model.operation_model("ModifyDBInstance").input_shape.members
    name = plain_db["DBInstanceIdentifier"]

    assert "StorageEncrypted" not in parameters and "KmsKeyId" not in parameters  # the API cannot even say it
    with pytest.raises(ParamValidationError):
        rds.modify_db_instance(DBInstanceIdentifier=name, StorageEncrypted=True, ApplyImmediately=True)
    assert describe_db(rds, name)["StorageEncrypted"] is False


def test_a_snapshot_of_an_unencrypted_instance_is_unencrypted(rds, plain_db, unique_name, backend):
    snapshot = snapshot_of(rds, plain_db["DBInstanceIdentifier"], unique_name("snap"), backend)

    assert (snapshot["Status"], snapshot["Encrypted"]) == ("available", False)


@pytest.mark.diverges("ministack", NO_COPY, evidence="botocore:rds/2014-10-31#CopyDBSnapshot")
def test_copying_the_snapshot_with_a_kms_key_gives_an_encrypted_copy(rds, plain_db, key_arn, unique_name, backend):
    source = snapshot_of(rds, plain_db["DBInstanceIdentifier"], unique_name("snap"), backend)

    copy = copy_of(rds, source["DBSnapshotIdentifier"], unique_name("enc"), backend, KmsKeyId=key_arn)

    assert (copy["Encrypted"], copy["KmsKeyId"]) == (True, key_arn)
    source_now = rds.describe_db_snapshots(DBSnapshotIdentifier=source["DBSnapshotIdentifier"])["DBSnapshots"][0]
    assert source_now["Encrypted"] is False  # the source snapshot is untouched


@pytest.mark.diverges("ministack", NO_COPY, evidence="botocore:rds/2014-10-31#CopyDBSnapshot")
def test_restoring_the_encrypted_copy_gives_a_new_encrypted_instance(rds, plain_db, key_arn, unique_name, backend):
    source = snapshot_of(rds, plain_db["DBInstanceIdentifier"], unique_name("snap"), backend)
    copy = copy_of(rds, source["DBSnapshotIdentifier"], unique_name("enc"), backend, KmsKeyId=key_arn)
    restored_name = unique_name("db-enc")

    rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier=restored_name, DBSnapshotIdentifier=copy["DBSnapshotIdentifier"]
    )

    old, new = describe_db(rds, plain_db["DBInstanceIdentifier"]), wait_for_db(rds, restored_name, backend)
    show_table(
        "encrypting via a snapshot", ["step", "encrypted", "KMS key"],
        [
            ["original instance", old["StorageEncrypted"], old.get("KmsKeyId") or "-"],
            ["snapshot", source["Encrypted"], source.get("KmsKeyId") or "-"],
            ["copy with KmsKeyId", copy["Encrypted"], copy["KmsKeyId"].rsplit("/", 1)[-1]],
            ["restored instance", new["StorageEncrypted"], new["KmsKeyId"].rsplit("/", 1)[-1]],
        ],
    )  # fmt: skip
    assert (new["StorageEncrypted"], new["KmsKeyId"]) == (True, key_arn)
    assert old["StorageEncrypted"] is False  # a new database: point the application at it, then retire the old


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a copy of an encrypted snapshot made without KmsKeyId comes out unencrypted; AWS keeps it encrypted with the "
    "source's key",
    evidence="botocore:rds/2014-10-31#CopyDBSnapshotMessage",
)
@pytest.mark.diverges("ministack", NO_COPY, evidence="botocore:rds/2014-10-31#CopyDBSnapshot")
def test_a_copy_of_an_encrypted_snapshot_stays_encrypted(rds, plain_db, key_arn, unique_name, backend):
    source = snapshot_of(rds, plain_db["DBInstanceIdentifier"], unique_name("snap"), backend)
    encrypted = copy_of(rds, source["DBSnapshotIdentifier"], unique_name("enc"), backend, KmsKeyId=key_arn)

    again = copy_of(rds, encrypted["DBSnapshotIdentifier"], unique_name("again"), backend)

    assert (again["Encrypted"], again.get("KmsKeyId")) == (True, key_arn)  # encrypted stays encrypted


# --- Aurora: a cluster snapshot restores straight into a cluster encrypted with the key you name ------------------


@pytest.fixture
def cluster_snapshot(rds, unique_name, backend):
    """A snapshot of an Aurora PostgreSQL cluster created without StorageEncrypted (StorageEncrypted false; on AWS
    such a cluster's data is still encrypted, with a key AWS owns: StorageEncryptionType sse-rds)."""
    cluster = unique_name("aurora")
    rds.create_db_cluster(
        DBClusterIdentifier=cluster, Engine="aurora-postgresql", MasterUsername="labs",
        MasterUserPassword="not-a-secret-1",
    )  # fmt: skip
    rds.get_waiter("db_cluster_available").wait(
        DBClusterIdentifier=cluster, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )
    name = unique_name("csnap")
    rds.create_db_cluster_snapshot(DBClusterIdentifier=cluster, DBClusterSnapshotIdentifier=name)
    rds.get_waiter("db_cluster_snapshot_available").wait(
        DBClusterSnapshotIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )
    snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)["DBClusterSnapshots"][0]
    assert snapshot["StorageEncrypted"] is False
    return name


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "restoring a cluster snapshot with KmsKeyId gives StorageEncrypted False; AWS encrypts the new cluster with that "
    "key",
    evidence="botocore:rds/2014-10-31#RestoreDBClusterFromSnapshotMessage ; "
    "https://docs.aws.amazon.com/en_us/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html",
)
@pytest.mark.diverges(
    "ministack", "has no RestoreDBClusterFromSnapshot (InvalidAction)",
    evidence="botocore:rds/2014-10-31#RestoreDBClusterFromSnapshot",
)  # fmt: skip
def test_an_aurora_snapshot_restores_to_a_cluster_encrypted_with_the_key_given(
    rds, cluster_snapshot, key_arn, unique_name, backend
):
    name = unique_name("aurora-enc")

    rds.restore_db_cluster_from_snapshot(
        DBClusterIdentifier=name, SnapshotIdentifier=cluster_snapshot, Engine="aurora-postgresql", KmsKeyId=key_arn
    )

    rds.get_waiter("db_cluster_available").wait(
        DBClusterIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )
    restored = rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]
    assert (restored["StorageEncrypted"], restored["KmsKeyId"]) == (True, key_arn)
