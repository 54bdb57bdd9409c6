"""The notes' capacity arithmetic, worked in code: read and write capacity units for a steady workload, and the
note's formula for a table's partition count. Nothing here asks DynamoDB; the test file says which numbers
DynamoDB itself reports.

- One WCU is one write per second of an item up to 1 KB; bigger items take one WCU per started KB.
- One RCU is one strongly consistent read per second of an item up to 4 KB (one per started 4 KB), or two
  eventually consistent reads of that size.
- Transactional reads and writes cost twice as much.
- Partitions (002's formula, not something DynamoDB reports): by capacity RCU / 3,000 + WCU / 1,000, by size
  GB / 10, and the count is the ceiling of the larger of the two.

KB here is 1,024 bytes, as DynamoDB counts. The rate may be fractional (120 writes a minute is 2 a second);
the total is rounded up to whole units.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

Consistency = Literal["eventual", "strong", "transactional"]


def units_per_write(item_kb: float) -> int:
    """WCUs one write of an item this size takes: one per started KB (at least one)."""
    return max(1, math.ceil(Fraction(str(item_kb))))


def units_per_read(item_kb: float) -> int:
    """RCUs one strongly consistent read of an item this size takes: one per started 4 KB (at least one)."""
    return max(1, math.ceil(Fraction(str(item_kb)) / 4))


def write_capacity_units(writes_per_second: float, item_kb: float, *, transactional: bool = False) -> int:
    """WCUs for ``writes_per_second`` writes of items of ``item_kb`` KB."""
    cost = Fraction(str(writes_per_second)) * units_per_write(item_kb) * (2 if transactional else 1)
    return math.ceil(cost)


def read_capacity_units(reads_per_second: float, item_kb: float, consistency: Consistency = "strong") -> int:
    """RCUs for ``reads_per_second`` reads of items of ``item_kb`` KB at the given consistency."""
    factor = {"eventual": Fraction(1, 2), "strong": Fraction(1), "transactional": Fraction(2)}[consistency]
    return math.ceil(Fraction(str(reads_per_second)) * units_per_read(item_kb) * factor)


def consumed_by_one_write(item_bytes: int) -> float:
    """The formula's WCUs for one PutItem of an item of ``item_bytes`` bytes (one per started KB)."""
    return float(math.ceil(Fraction(item_bytes, 1024)) or 1)


def consumed_by_one_read(item_bytes: int, *, consistent: bool) -> float:
    """The formula's RCUs for one GetItem of an item of ``item_bytes`` bytes (per started 4 KB; half if eventual)."""
    units = math.ceil(Fraction(item_bytes, 4096)) or 1
    return float(units if consistent else Fraction(units, 2))


def partitions(rcu: int, wcu: int, size_gb: float) -> int:
    """002's partition count: ceil(max(RCU / 3,000 + WCU / 1,000, GB / 10)), at least one."""
    by_capacity = Fraction(rcu, 3000) + Fraction(wcu, 1000)
    by_size = Fraction(str(size_gb)) / 10
    return max(1, math.ceil(max(by_capacity, by_size)))
