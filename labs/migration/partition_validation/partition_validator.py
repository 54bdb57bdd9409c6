"""Validate a migrated table in contiguous primary-key partitions, the method the note describes.

(AWS DMS data validation compares row by row by default, ValidationMode ROW_LEVEL; group-level comparison is
automatic only from replication engine 3.5.4 on some migration paths. This module is not DMS.)

The source table's keys, in order, are cut into partitions of ``size`` rows. Each partition is a key range
``[low, high)`` (the first open below, the last open above, so a row the target has and the source lacks
still lands in a partition). The same query runs on both sides for every range, and each side's rows are
reduced to a row count and a checksum. Only partitions whose count or checksum differ are compared row by
row, which is what keeps validation of a large table affordable.

Usage, on two SQLite files:  python partition_validator.py SOURCE.db TARGET.db TABLE KEY [SIZE]
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from dataclasses import dataclass, field
from typing import Any

Key = Any
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Partition:
    """One contiguous key range: ``low <= key < high``; None means open on that side."""

    index: int
    low: Key | None
    high: Key | None

    def where(self, key: str) -> tuple[str, list[Key]]:
        """The SQL condition selecting this partition's rows, and its parameters."""
        clauses, params = [], []
        if self.low is not None:
            clauses.append(f'"{key}" >= ?')
            params.append(self.low)
        if self.high is not None:
            clauses.append(f'"{key}" < ?')
            params.append(self.high)
        return (" AND ".join(clauses) or "1 = 1"), params


@dataclass(frozen=True)
class Summary:
    """What one side holds in one partition: how many rows, and a digest of them in key order."""

    rows: int
    checksum: str


@dataclass(frozen=True)
class PartitionResult:
    partition: Partition
    source: Summary
    target: Summary

    @property
    def matches(self) -> bool:
        return self.source == self.target


@dataclass
class RowDifferences:
    """The rows of one partition that differ, by primary key."""

    missing: list[Key] = field(default_factory=list)  # in the source, not in the target
    extra: list[Key] = field(default_factory=list)  # in the target, not in the source
    changed: list[Key] = field(default_factory=list)  # in both, with different values


def partitions(source: sqlite3.Connection, table: str, key: str, size: int) -> list[Partition]:
    """Cut the source's key order into ranges of ``size`` rows each (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"a partition holds at least one row, not {size}")
    keys = [row[0] for row in source.execute(f'SELECT "{key}" FROM "{table}" ORDER BY "{key}"')]
    starts = keys[::size][1:]  # each partition after the first starts at every size-th key
    bounds: list[Key | None] = [None, *starts, None]
    return [Partition(i, bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def rows_in(db: sqlite3.Connection, table: str, key: str, partition: Partition) -> list[Row]:
    condition, params = partition.where(key)
    return list(db.execute(f'SELECT * FROM "{table}" WHERE {condition} ORDER BY "{key}"', params))


def summarise(rows: list[Row]) -> Summary:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, default=str).encode())
        digest.update(b"\n")
    return Summary(len(rows), digest.hexdigest())


def compare(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, key: str, size: int = 10
) -> list[PartitionResult]:
    """Count and checksum every partition on both sides."""
    return [
        PartitionResult(
            part, summarise(rows_in(source, table, key, part)), summarise(rows_in(target, table, key, part))
        )
        for part in partitions(source, table, key, size)
    ]


def row_differences(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, key: str, partition: Partition
) -> RowDifferences:
    """Row by row, inside one partition: which keys are missing, extra or changed in the target."""
    position = [d[0] for d in source.execute(f'SELECT * FROM "{table}" LIMIT 0').description].index(key)
    ours = {row[position]: row for row in rows_in(source, table, key, partition)}
    theirs = {row[position]: row for row in rows_in(target, table, key, partition)}
    return RowDifferences(
        missing=sorted(ours.keys() - theirs.keys()),
        extra=sorted(theirs.keys() - ours.keys()),
        changed=sorted(k for k in ours.keys() & theirs.keys() if ours[k] != theirs[k]),
    )


def main(argv: list[str]) -> int:
    source_file, target_file, table, key, *rest = argv
    size = int(rest[0]) if rest else 10
    source, target = sqlite3.connect(source_file), sqlite3.connect(target_file)
    bad = 0
    for result in compare(source, target, table, key, size):
        part = result.partition
        state = "ok" if result.matches else "MISMATCH"
        counts = f"{result.source.rows} -> {result.target.rows} rows"
        print(f"partition {part.index} [{part.low}, {part.high}): {counts} {state}")
        if not result.matches:
            bad += 1
            diff = row_differences(source, target, table, key, part)
            print(f"  missing {diff.missing} extra {diff.extra} changed {diff.changed}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
