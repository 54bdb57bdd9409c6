"""Byte counts in decimal (SI: kB, MB, ... powers of 1000) and binary (IEC: KiB, MiB, ... powers of 1024) units.

Exact arithmetic throughout: a conversion is a ``Fraction``, and rounding for display happens once, at the end,
from the exact value (half to even), so "1 PB in PiB" is never a float approximation.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

System = Literal["decimal", "binary"]

UNITS: dict[System, tuple[str, ...]] = {
    "decimal": ("B", "kB", "MB", "GB", "TB", "PB", "EB"),
    "binary": ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"),
}
BASE: dict[System, int] = {"decimal": 1000, "binary": 1024}


def unit_bytes(unit: str) -> int:
    """How many bytes one ``unit`` holds: ``unit_bytes("PiB") == 2**50``, ``unit_bytes("PB") == 10**15``."""
    for system, names in UNITS.items():
        if unit in names:
            return int(BASE[system] ** names.index(unit))
    raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNITS['decimal'] + UNITS['binary'][1:])}")


def convert(count: int, unit: str) -> Fraction:
    """``count`` bytes expressed in ``unit``, exactly."""
    return Fraction(_checked(count), unit_bytes(unit))


def format_bytes(count: int, system: System = "decimal", places: int = 2) -> str:
    """``count`` bytes in the largest unit of ``system`` that keeps the number at 1 or more: "909.49 TiB".

    Whole bytes print without decimals ("512 B"). A value that rounds up to the next unit moves there
    (999,999 bytes is "1.00 MB", not "1000.00 kB").
    """
    count = _checked(count)
    base, names = BASE[system], UNITS[system]
    power = 0
    while power + 1 < len(names) and count >= base ** (power + 1):
        power += 1
    if power == 0:
        return f"{count} B"
    scaled = round(Fraction(count, base**power) * 10**places)  # exact, half to even
    if scaled >= base * 10**places and power + 1 < len(names):
        power += 1
        scaled = round(Fraction(count, base**power) * 10**places)
    whole, fraction = divmod(scaled, 10**places)
    digits = f".{fraction:0{places}d}" if places else ""
    return f"{whole}{digits} {names[power]}"


def describe(count: int, places: int = 2) -> str:
    """The same byte count in both systems: ``describe(10**15) == "1.00 PB = 909.49 TiB"``."""
    return f"{format_bytes(count, 'decimal', places)} = {format_bytes(count, 'binary', places)}"


def _checked(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"a byte count is a whole number, not {type(count).__name__}")
    if count < 0:
        raise ValueError(f"a byte count cannot be negative: {count}")
    return count
