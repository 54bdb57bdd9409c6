"""Binary (KiB, MiB, ... PiB) and decimal (kB, MB, ... PB) units, exactly; and a formatter that shows both.

Not an AWS service: no emulator is involved (the harness's clean-state fixture still runs, harmlessly).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from byte_units import UNITS, convert, describe, format_bytes, unit_bytes

from labkit.data import load_json
from labkit.report import show, show_table

NOTE = load_json("units/pebibyte.json")


def test_the_notes_pebibyte_is_2_to_the_50_bytes_and_1024_tebibytes():
    assert NOTE["pebibyte_bytes"] == unit_bytes("PiB") == 2**50
    assert NOTE["tebibytes_per_pebibyte"] == unit_bytes("PiB") // unit_bytes("TiB")


def test_the_notes_petabyte_is_10_to_the_15_bytes():
    assert NOTE["petabyte_bytes"] == unit_bytes("PB") == 10**15


def test_the_notes_kilobyte_and_gigabyte_figures_are_the_binary_and_decimal_units():
    rows = [
        [b, f"{unit_bytes(b):,}", d, f"{unit_bytes(d):,}"]
        for b, d in zip(UNITS["binary"], UNITS["decimal"], strict=True)
    ]
    show_table("one of each unit, in bytes", ["binary", "bytes", "decimal", "bytes"], rows)

    assert NOTE["binary_kilobyte_bytes"] == unit_bytes("KiB")
    assert (NOTE["binary_gigabyte_bytes"], NOTE["decimal_gigabyte_bytes"]) == (unit_bytes("GiB"), unit_bytes("GB"))


def test_the_notes_0_888178419700128_is_wrong_in_its_last_digits():
    """The note prints 1 PB = 0.888178419700128 PiB. The exact value is 5**15 / 2**35 (35 decimal places, then
    it ends); correctly rounded to the note's 15 places it is 0.888178419700125, 3 units lower."""
    exact = convert(10**15, "PiB")
    noted = Fraction(NOTE["note_petabyte_in_pebibytes"])
    show(f"1 PB = {exact} PiB = {Decimal(exact.numerator) / Decimal(exact.denominator)} PiB; the note: {noted}")

    assert exact == Fraction(Decimal("0.88817841970012523233890533447265625"))
    assert noted != round(exact, 15)
    assert noted - round(exact, 15) == Fraction(3, 10**15)


def test_the_difference_grows_with_each_step_up():
    shortfall = {
        d: 1 - convert(unit_bytes(d), b) for d, b in zip(UNITS["decimal"][1:], UNITS["binary"][1:], strict=True)
    }
    show_table("a decimal unit in its binary namesake", ["unit", "in binary", "short by"],
               [[d, f"{float(1 - s):.4f}", f"{float(s):.1%}"] for d, s in shortfall.items()])  # fmt: skip

    assert [f"{float(s):.1%}" for s in shortfall.values()] == ["2.3%", "4.6%", "6.9%", "9.1%", "11.2%", "13.3%"]


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (10**15, "1.00 PB = 909.49 TiB"),  # 1 PB is 0.89 PiB, so the binary side drops to TiB
        (2**50, "1.13 PB = 1.00 PiB"),
        (10**12, "1.00 TB = 931.32 GiB"),  # the "1 TB" disk the operating system calls 931 GiB
        (10**9, "1.00 GB = 953.67 MiB"),
        (1024, "1.02 kB = 1.00 KiB"),
        (512, "512 B = 512 B"),
        (0, "0 B = 0 B"),
    ],
)
def test_describe_shows_a_byte_count_in_both_systems(count, shown):
    assert describe(count) == shown


def test_a_value_that_rounds_up_to_the_next_unit_moves_to_it():
    assert format_bytes(999_999, "decimal") == "1.00 MB"  # not "1000.00 kB"
    assert format_bytes(2**20 - 1, "binary") == "1.00 MiB"  # not "1024.00 KiB"


def test_more_places_show_more_of_the_exact_value():
    assert format_bytes(10**15, "binary", places=6) == "909.494702 TiB"
    assert format_bytes(2**50 + 1, "binary", places=0) == "1 PiB"


@pytest.mark.parametrize(("count", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_a_byte_count_must_be_a_whole_non_negative_number(count, error):
    with pytest.raises(error):
        describe(count)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit 'KB'"):
        unit_bytes("KB")
