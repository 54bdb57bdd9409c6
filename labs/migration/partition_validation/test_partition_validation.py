"""Source and target tables compared in contiguous primary-key partitions, the method the note describes
(not AWS DMS itself: see the README).

Two SQLite databases stand in for the source and the target of a migration. Not an AWS service: no
emulator is involved (the harness's clean-state fixture still runs, harmlessly).
"""

from __future__ import annotations

import sqlite3
from itertools import pairwise

import pytest
from partition_validator import compare, partitions, row_differences

from labkit.report import show_table

TABLE, KEY, SIZE = "orders", "id", 10
ROWS = [(i, f"customer-{i % 7}", round(i * 1.25, 2), "SHIPPED" if i % 3 else "OPEN") for i in range(2, 202, 2)]
# 100 rows with even keys 2..200; partitions of 10: [..22) [22,42) [42,62) [62,82) [82,102) ... [182..)


def make_db(path, rows):
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE {TABLE} ({KEY} INTEGER PRIMARY KEY, customer TEXT, amount REAL, status TEXT)")
    db.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", rows)
    db.commit()
    return db


@pytest.fixture
def source(tmp_path):
    return make_db(tmp_path / "source.db", ROWS)


@pytest.fixture
def target(tmp_path):
    """A faithful copy, written in a different physical order; each test then breaks it its own way."""
    return make_db(tmp_path / "target.db", list(reversed(ROWS)))


def mismatched(results):
    return [result.partition.index for result in results if not result.matches]


def show(results):
    show_table(
        "partition comparison",
        ["partition", "keys", "source rows", "target rows", "checksums"],
        [
            [r.partition.index, f"[{r.partition.low}, {r.partition.high})", r.source.rows, r.target.rows,
             "equal" if r.source.checksum == r.target.checksum else "DIFFER"]
            for r in results
        ],
    )  # fmt: skip


def test_source_keys_are_cut_into_ten_contiguous_partitions_of_ten_rows(source):
    parts = partitions(source, TABLE, KEY, SIZE)

    assert [(p.low, p.high) for p in parts] == [
        (None, 22), (22, 42), (42, 62), (62, 82), (82, 102), (102, 122), (122, 142), (142, 162), (162, 182), (182, None)
    ]  # fmt: skip
    assert all(a.high == b.low for a, b in pairwise(parts))  # no gaps, no overlaps


def test_a_faithful_copy_matches_in_every_partition_whatever_its_physical_order(source, target):
    results = compare(source, target, TABLE, KEY, SIZE)
    show(results)

    assert len(results) == 10
    assert mismatched(results) == []
    assert [r.target.rows for r in results] == [10] * 10


def test_a_changed_row_flags_only_its_partition_with_equal_counts_and_different_checksums(source, target):
    target.execute(f"UPDATE {TABLE} SET amount = 31.0 WHERE {KEY} = 24")  # was 30.0

    results = compare(source, target, TABLE, KEY, SIZE)
    show(results)

    assert mismatched(results) == [1]
    flagged = results[1]
    assert (flagged.source.rows, flagged.target.rows) == (10, 10)
    assert flagged.source.checksum != flagged.target.checksum
    assert vars(row_differences(source, target, TABLE, KEY, flagged.partition)) == {
        "missing": [], "extra": [], "changed": [24]
    }  # fmt: skip


def test_a_missing_row_flags_only_its_partition_one_row_short(source, target):
    target.execute(f"DELETE FROM {TABLE} WHERE {KEY} = 150")

    results = compare(source, target, TABLE, KEY, SIZE)

    assert mismatched(results) == [7]
    assert (results[7].source.rows, results[7].target.rows) == (10, 9)
    assert row_differences(source, target, TABLE, KEY, results[7].partition).missing == [150]


def test_an_extra_row_flags_only_the_partition_whose_range_holds_its_key(source, target):
    target.execute(f"INSERT INTO {TABLE} VALUES (85, 'customer-x', 1.0, 'OPEN')")  # odd: never in the source

    results = compare(source, target, TABLE, KEY, SIZE)

    assert mismatched(results) == [4]  # [82, 102)
    assert (results[4].source.rows, results[4].target.rows) == (10, 11)
    assert row_differences(source, target, TABLE, KEY, results[4].partition).extra == [85]


@pytest.mark.parametrize(("key", "partition"), [(-5, 0), (1000, 9)])
def test_an_extra_row_beyond_either_end_of_the_source_lands_in_the_open_end_partition(source, target, key, partition):
    target.execute(f"INSERT INTO {TABLE} VALUES (?, 'customer-x', 1.0, 'OPEN')", (key,))

    assert mismatched(compare(source, target, TABLE, KEY, SIZE)) == [partition]


def test_three_different_faults_are_each_located_to_exactly_their_partition(source, target):
    target.execute(f"UPDATE {TABLE} SET status = 'LOST' WHERE {KEY} = 24")
    target.execute(f"DELETE FROM {TABLE} WHERE {KEY} = 150")
    target.execute(f"INSERT INTO {TABLE} VALUES (85, 'customer-x', 1.0, 'OPEN')")

    results = compare(source, target, TABLE, KEY, SIZE)
    show(results)
    found = {
        r.partition.index: vars(row_differences(source, target, TABLE, KEY, r.partition))
        for r in results
        if not r.matches
    }

    assert found == {
        1: {"missing": [], "extra": [], "changed": [24]},
        4: {"missing": [], "extra": [85], "changed": []},
        7: {"missing": [150], "extra": [], "changed": []},
    }


def test_only_the_flagged_partitions_need_a_row_by_row_comparison(source, target):
    """The point of partitions: 3 faults in 100 rows mean reading 30 rows twice, not all 100."""
    for key in (24, 26, 28):  # three changes, all in one partition
        target.execute(f"UPDATE {TABLE} SET customer = 'renamed' WHERE {KEY} = ?", (key,))

    results = compare(source, target, TABLE, KEY, SIZE)
    rows_to_recheck = sum(r.source.rows for r in results if not r.matches)

    assert mismatched(results) == [1]
    assert rows_to_recheck == 10


def test_a_partition_size_below_one_is_refused(source):
    with pytest.raises(ValueError, match="at least one row"):
        partitions(source, TABLE, KEY, 0)
