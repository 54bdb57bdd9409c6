"""Automated backups: a retention period of 0-35 days (0 turns them off), and point-in-time restore, which makes a
new instance from the backups as the source was at a moment up to its latest restorable time. The source is never
changed by a restore."""

from __future__ import annotations

import datetime

import pytest
from botocore.config import Config

from labkit.compute import create_db, describe_db, refused, wait_for_db
from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.report import show_table

RETENTION = "botocore:rds/2014-10-31#CreateDBInstanceMessage"
PITR = "botocore:rds/2014-10-31#RestoreDBInstanceToPointInTime"
NO_PITR = ("ministack", "has no RestoreDBInstanceToPointInTime (InvalidAction)")


@pytest.fixture
def unvalidated_rds(aws_client):
    """An RDS client that sends every value to the service, as botocore's own checks are off."""
    return aws_client("rds", config=Config(parameter_validation=False))


def test_a_new_instance_keeps_one_day_of_automated_backups_unless_told(plain_db):
    assert plain_db["BackupRetentionPeriod"] == 1  # the API's default (the console suggests 7)


def test_a_35_day_retention_is_accepted_and_stored(rds, unique_name, backend):
    db = create_db(rds, unique_name("db"), backend, BackupRetentionPeriod=35)

    assert db["BackupRetentionPeriod"] == 35


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"), "creates an instance keeping backups 36 days; AWS allows 0-35",
    evidence=RETENTION,
)  # fmt: skip
def test_a_36_day_retention_is_refused(unvalidated_rds, unique_name):
    code = error_code(
        unvalidated_rds.create_db_instance, DBInstanceIdentifier=unique_name("db"), Engine="postgres",
        DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="labs",
        MasterUserPassword="not-a-secret-1", BackupRetentionPeriod=36,
    )  # fmt: skip

    # The range is documented; the error code is not, so the refusal is the assertion.
    assert refused(code)


def restorable(rds, name, backend):
    """The source's LatestRestorableTime, once AWS has one (after the first automated backup: minutes)."""
    return eventually(
        lambda: describe_db(rds, name).get("LatestRestorableTime"),
        backend,
        aws_seconds=1800,
        emulator_seconds=2,
        interval=10,
    )


@pytest.mark.diverges(*NO_PITR, evidence=PITR)
def test_a_point_in_time_restore_makes_a_new_instance_and_leaves_the_source_alone(rds, plain_db, unique_name,
                                                                                  backend):  # fmt: skip
    source = plain_db["DBInstanceIdentifier"]
    latest = restorable(rds, source, backend)
    assert latest, "the source reports no LatestRestorableTime"
    name = unique_name("db-restored")

    rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier=source, TargetDBInstanceIdentifier=name, UseLatestRestorableTime=True
    )

    restored, original = wait_for_db(rds, name, backend), describe_db(rds, source)
    rows = [[db["DBInstanceIdentifier"], db["DBInstanceStatus"], db["Engine"]] for db in (original, restored)]
    show_table("point-in-time restore", ["instance", "status", "engine"], rows)
    assert (restored["DBInstanceStatus"], restored["Engine"]) == ("available", "postgres")
    assert (original["DBInstanceStatus"], original["DBInstanceIdentifier"]) == ("available", source)


@pytest.mark.diverges(
    ("moto", "moto-server"), "restores to a time after the latest restorable time; AWS refuses", evidence=PITR
)
@pytest.mark.diverges(*NO_PITR, evidence=PITR)
def test_a_restore_time_after_the_latest_restorable_time_is_refused(rds, plain_db, unique_name, backend):
    source = plain_db["DBInstanceIdentifier"]
    latest = restorable(rds, source, backend)
    assert latest, "the source reports no LatestRestorableTime"

    code = error_code(
        rds.restore_db_instance_to_point_in_time, SourceDBInstanceIdentifier=source,
        TargetDBInstanceIdentifier=unique_name("db-future"), RestoreTime=latest + datetime.timedelta(days=1),
    )  # fmt: skip

    assert refused(code)  # "must be before the latest restorable time"; the code is not documented


@pytest.mark.diverges(
    ("moto", "moto-server"), "restores an instance that keeps no automated backups; AWS: PointInTimeRestoreNotEnabled",
    evidence="botocore:rds/2014-10-31#PointInTimeRestoreNotEnabledFault",
)  # fmt: skip
@pytest.mark.diverges(*NO_PITR, evidence=PITR)
def test_an_instance_without_automated_backups_cannot_be_restored_to_a_point_in_time(rds, unique_name, backend):
    source = create_db(rds, unique_name("db"), backend, BackupRetentionPeriod=0)["DBInstanceIdentifier"]

    code = error_code(
        rds.restore_db_instance_to_point_in_time, SourceDBInstanceIdentifier=source,
        TargetDBInstanceIdentifier=unique_name("db-restored"), UseLatestRestorableTime=True,
    )  # fmt: skip

    assert code == "PointInTimeRestoreNotEnabled"
