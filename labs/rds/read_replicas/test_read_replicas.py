"""Read replicas of an RDS instance: CreateDBInstanceReadReplica links a new instance to its source (each names the
other), the replica starts without automated backups of its own, needs a source that keeps backups, inherits the
source's encryption, and PromoteReadReplica cuts the link for good. Every instance is waited for (AWS takes
minutes to create a replica, and a promotion runs in the background)."""

from __future__ import annotations

import pytest

from labkit.compute import create_db, describe_db, refused, wait_for_db
from labkit.errors import error_code
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

REPLICA = "botocore:rds/2014-10-31#CreateDBInstanceReadReplicaMessage"
READ_REPLICAS_DOC = "https://docs.amazonaws.cn/en_us/AmazonRDS/latest/UserGuide/USER_ReadRepl.md"
EVERY = ("moto", "moto-server", "ministack")


def replica_of(rds, source, name, backend, **extra):
    rds.create_db_instance_read_replica(DBInstanceIdentifier=name, SourceDBInstanceIdentifier=source, **extra)
    return wait_for_db(rds, name, backend)


def test_a_replica_and_its_source_name_each_other(rds, plain_db, unique_name, backend):
    source = plain_db["DBInstanceIdentifier"]

    replica = replica_of(rds, source, unique_name("replica"), backend)

    name = replica["DBInstanceIdentifier"]
    rows = [[db["DBInstanceIdentifier"], db.get("ReadReplicaSourceDBInstanceIdentifier", "-"),
             db["ReadReplicaDBInstanceIdentifiers"]] for db in (describe_db(rds, source), replica)]  # fmt: skip
    show_table("replication", ["instance", "replicates", "replicas"], rows)
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == source
    assert describe_db(rds, source)["ReadReplicaDBInstanceIdentifiers"] == [name]


@pytest.mark.diverges(
    EVERY, "gives the replica the source's 1 day of automated backups; AWS creates replicas with backups disabled (0)",
    evidence="botocore:rds/2014-10-31#CreateDBInstanceReadReplica",
)  # fmt: skip
def test_a_replica_starts_without_automated_backups(rds, plain_db, unique_name, backend):
    assert plain_db["BackupRetentionPeriod"] == 1  # the API's default for the source

    replica = replica_of(rds, plain_db["DBInstanceIdentifier"], unique_name("replica"), backend)

    assert replica["BackupRetentionPeriod"] == 0


@pytest.mark.diverges(
    EVERY, "creates a replica of a source that keeps no automated backups; AWS refuses", evidence=REPLICA
)
def test_a_source_without_automated_backups_cannot_have_a_replica(rds, unique_name, backend):
    source = create_db(rds, unique_name("db"), backend, BackupRetentionPeriod=0)["DBInstanceIdentifier"]

    # The rule is documented, its error code is not: the refusal is the assertion.
    code = error_code(rds.create_db_instance_read_replica, DBInstanceIdentifier=unique_name("replica"),
                      SourceDBInstanceIdentifier=source)  # fmt: skip
    assert refused(code)


@pytest.fixture
def encrypted_db(rds, key_arn, unique_name, backend):
    """A PostgreSQL instance encrypted with the test's KMS key."""
    return create_db(rds, unique_name("db-enc"), backend, StorageEncrypted=True, KmsKeyId=key_arn)


def test_a_replica_of_an_encrypted_instance_is_encrypted_with_the_same_key(rds, encrypted_db, key_arn, unique_name,
                                                                             backend):  # fmt: skip
    replica = replica_of(rds, encrypted_db["DBInstanceIdentifier"], unique_name("replica"), backend)

    assert (replica["StorageEncrypted"], replica["KmsKeyId"]) == (True, key_arn)


@pytest.mark.diverges(
    EVERY, "creates an encrypted replica of an unencrypted instance when given a KMS key; AWS refuses",
    evidence=f"{REPLICA} ; {READ_REPLICAS_DOC}",
)  # fmt: skip
def test_an_unencrypted_instance_cannot_have_an_encrypted_replica(rds, plain_db, key_arn, unique_name):
    code = error_code(rds.create_db_instance_read_replica, DBInstanceIdentifier=unique_name("replica"),
                      SourceDBInstanceIdentifier=plain_db["DBInstanceIdentifier"], KmsKeyId=key_arn)  # fmt: skip

    # Documented as impossible; the error code is not documented, so the refusal is the assertion.
    assert refused(code)


@pytest.mark.diverges(
    ("moto", "moto-server"), "keeps ReadReplicaSourceDBInstanceIdentifier after PromoteReadReplica; AWS cuts the link",
    evidence="botocore:rds/2014-10-31#PromoteReadReplica",
)  # fmt: skip
@pytest.mark.diverges("ministack", "has no PromoteReadReplica (InvalidAction)",
                      evidence="botocore:rds/2014-10-31#PromoteReadReplica")  # fmt: skip
def test_a_promoted_replica_becomes_a_standalone_instance(rds, plain_db, unique_name, backend):
    source = plain_db["DBInstanceIdentifier"]
    name = replica_of(rds, source, unique_name("replica"), backend)["DBInstanceIdentifier"]

    rds.promote_read_replica(DBInstanceIdentifier=name)

    standalone = eventually(
        lambda: not describe_db(rds, name).get("ReadReplicaSourceDBInstanceIdentifier"), backend, **TRANSITION
    )
    promoted = wait_for_db(rds, name, backend)
    assert standalone, f"{name} still replicates {promoted.get('ReadReplicaSourceDBInstanceIdentifier')}"
    assert describe_db(rds, source).get("ReadReplicaDBInstanceIdentifiers", []) == []  # no way back
