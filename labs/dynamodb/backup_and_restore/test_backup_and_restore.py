"""On-demand backups and point-in-time recovery (PITR). Either way a restore creates a new table; the source
table is never overwritten. A backup holds the table as it was when it was taken; PITR, once enabled, can
restore the table as it was at a chosen second of its recovery window."""

from __future__ import annotations

import time

import pytest

from labkit.data import load_json
from labkit.dynamodb import create_table, put_items, to_item, wait_until_active
from labkit.errors import error_code
from labkit.eventually import eventually
from labkit.report import show_table

HAN_KANG = [book for book in load_json("dynamodb/library_books.json") if book["Author"] == "Han Kang"]
PITR_RESTORE = "botocore:dynamodb/2012-08-10#RestoreTableToPointInTime"
SNAPSHOTS = "localstack/localstack:tests/aws/services/dynamodb/test_dynamodb.snapshot.json"


def pause_on_aws(backend, seconds):
    """Wait out a documented time window on AWS; an emulator has none, so nothing to wait for there."""
    if not backend.is_emulator:
        time.sleep(seconds)


def wait_for_restore(dynamodb, table, backend):
    """A restore takes minutes or more on AWS; an emulator has the table at once."""
    wait_until_active(
        dynamodb, table, max_wait=60 if backend.is_emulator else 3 * 3600, delay=1 if backend.is_emulator else 20
    )


def titles(dynamodb, table):
    return sorted(item["Title"]["S"] for item in dynamodb.scan(TableName=table, ConsistentRead=True)["Items"])


@pytest.fixture
def shelf(dynamodb, unique_name):
    """A table holding Han Kang's three books."""
    name = unique_name("shelf")
    create_table(dynamodb, name, partition_key=("Author", "S"), sort_key=("Title", "S"))
    put_items(dynamodb, name, HAN_KANG)
    return name


def take_backup(dynamodb, table, backend):
    """CreateBackup, then wait until the backup is AVAILABLE. On AWS the backup holds everything committed a
    minute before the request and nothing committed a minute after it, so the lab keeps writes a minute away."""
    pause_on_aws(backend, 61)
    arn = dynamodb.create_backup(TableName=table, BackupName="shelf-backup")["BackupDetails"]["BackupArn"]
    status = eventually(
        lambda: (
            dynamodb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
        ),
        backend,
        aws_seconds=1800,
        interval=10,
    )
    assert status, f"backup {arn} never became AVAILABLE"
    pause_on_aws(backend, 61)
    return arn


# --- on-demand backups --------------------------------------------------------------------------------------------


def test_a_backup_restores_into_a_new_table_as_the_table_was(dynamodb, shelf, unique_name, backend):
    arn = take_backup(dynamodb, shelf, backend)
    dynamodb.delete_item(TableName=shelf, Key=to_item({"Author": "Han Kang", "Title": "Human Acts"}))
    dynamodb.put_item(TableName=shelf, Item=to_item({"Author": "Han Kang", "Title": "Greek Lessons"}))

    restored = unique_name("shelf-restored")
    dynamodb.restore_table_from_backup(TargetTableName=restored, BackupArn=arn)
    wait_for_restore(dynamodb, restored, backend)
    show_table(
        "after the backup: Human Acts deleted, Greek Lessons added",
        ["table", "titles"],
        [["source, now", titles(dynamodb, shelf)], ["restored from the backup", titles(dynamodb, restored)]],
    )

    assert titles(dynamodb, restored) == ["Human Acts", "The Vegetarian", "The White Book"]
    assert titles(dynamodb, shelf) == ["Greek Lessons", "The Vegetarian", "The White Book"]


def test_a_restore_cannot_overwrite_an_existing_table(dynamodb, shelf, backend):
    arn = take_backup(dynamodb, shelf, backend)

    code = error_code(dynamodb.restore_table_from_backup, TargetTableName=shelf, BackupArn=arn)

    assert code == "TableAlreadyExistsException"


def test_a_table_restored_from_a_backup_comes_back_without_its_ttl_setting(dynamodb, shelf, unique_name, backend):
    """Among what a restore does not bring back: Time to Live (and streams, alarms, tags, IAM policies)."""
    dynamodb.update_time_to_live(TableName=shelf, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    arn = take_backup(dynamodb, shelf, backend)

    restored = unique_name("shelf-restored")
    dynamodb.restore_table_from_backup(TargetTableName=restored, BackupArn=arn)
    wait_for_restore(dynamodb, restored, backend)

    def ttl_status(table):
        return dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["TimeToLiveStatus"]

    assert ttl_status(shelf) in ("ENABLING", "ENABLED")  # the source has it (AWS: ENABLING for up to an hour)
    assert ttl_status(restored) == "DISABLED"  # the restored table does not


# --- point-in-time recovery ---------------------------------------------------------------------------------------


def pitr(dynamodb, table):
    return dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]


def enable_pitr(dynamodb, table, **spec):
    dynamodb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, **spec}
    )
    return pitr(dynamodb, table)


def test_point_in_time_recovery_is_off_until_enabled(dynamodb, shelf):
    assert pitr(dynamodb, shelf)["PointInTimeRecoveryStatus"] == "DISABLED"


@pytest.mark.diverges(
    "ministack",
    "reports no RecoveryPeriodInDays; AWS answers 35 when none is given",
    evidence=f"{SNAPSHOTS}#test_continuous_backup_update",
)
def test_enabling_point_in_time_recovery_gives_a_35_day_window_by_default(dynamodb, shelf):
    description = enable_pitr(dynamodb, shelf)

    assert (description["PointInTimeRecoveryStatus"], description["RecoveryPeriodInDays"]) == ("ENABLED", 35)
    assert description["EarliestRestorableDateTime"] <= description["LatestRestorableDateTime"]


@pytest.mark.diverges(
    "ministack",
    "ignores RecoveryPeriodInDays and reports none; AWS keeps the period asked for (1 to 35 days)",
    evidence="botocore:dynamodb/2012-08-10#UpdateContinuousBackups ; botocore:dynamodb/2012-08-10#RecoveryPeriodInDays",
)
def test_a_7_day_recovery_period_is_accepted_and_stored(dynamodb, shelf):
    """Shorter windows (1 to 35 days) exist since the notes were written; the lab reads the setting back."""
    assert enable_pitr(dynamodb, shelf, RecoveryPeriodInDays=7)["RecoveryPeriodInDays"] == 7


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "restores a table without point-in-time recovery; AWS refuses: PITR must be enabled on the source",
    evidence=f"{PITR_RESTORE} ; botocore:dynamodb/2012-08-10#PointInTimeRecoveryUnavailableException",
)
def test_a_point_in_time_restore_needs_recovery_enabled(dynamodb, shelf, unique_name):
    code = error_code(
        dynamodb.restore_table_to_point_in_time,
        SourceTableName=shelf,
        TargetTableName=unique_name("shelf-restored"),
        UseLatestRestorableTime=True,
    )

    assert code == "PointInTimeRecoveryUnavailableException"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "copies the table as it is now, whatever the restore time; AWS restores it as it was at that second",
    evidence=PITR_RESTORE,
)
def test_a_point_in_time_restore_brings_back_an_item_deleted_after_that_time(dynamodb, shelf, unique_name, backend):
    restore_to = enable_pitr(dynamodb, shelf)["EarliestRestorableDateTime"]
    pause_on_aws(backend, 2)  # restore times have one-second steps: delete clearly after restore_to
    dynamodb.delete_item(TableName=shelf, Key=to_item({"Author": "Han Kang", "Title": "Human Acts"}))
    # AWS: the latest restorable time trails the clock by about 5 minutes; wait until it passes restore_to.
    eventually(
        lambda: pitr(dynamodb, shelf)["LatestRestorableDateTime"] >= restore_to, backend, aws_seconds=900, interval=30
    )

    restored = unique_name("shelf-restored")
    dynamodb.restore_table_to_point_in_time(SourceTableName=shelf, TargetTableName=restored, RestoreDateTime=restore_to)
    wait_for_restore(dynamodb, restored, backend)

    assert titles(dynamodb, restored) == ["Human Acts", "The Vegetarian", "The White Book"]
