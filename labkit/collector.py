"""Python's garbage collector, tuned for a run of labs and put back afterwards.

moto and botocore keep hundreds of thousands of long-lived objects (service models, backends, moto's AWS
managed policies), and every full collection walks all of them. Profiled on ``pytest labs`` (moto, serial,
2 cores): the collector took 14.3 s of a 99.7 s run, and 3.0 s of 87.1 s with this tuning. So once the tests
are collected, what is alive then (imports, models, test items) is frozen out of collection, and young objects
are collected less often. Reference counting still frees everything that is not in a cycle at once.

The plugin restores the collector last of all, after pytest's own two closing collections (they look for
unraisable exceptions): at the end of a serial ``pytest labs`` those took 2.3 s with everything thawed, 1.7 s with
what was frozen still frozen. Objects made during the tests were never frozen, so those collections still find
their cycles.

One thing outlives :meth:`Tuning.restore`: at interpreter exit, whatever is still alive is frozen, so Python's last
collection does not walk it. A whole ``pytest labs`` ends with about 1.5 million objects (botocore's loaded models,
for one), and that last walk took 4.5 s of a 102 s run; the process is ending, nothing is freed by it that the
operating system does not free anyway.
"""

from __future__ import annotations

import atexit
import gc
from dataclasses import dataclass

#: Allocations between young collections (CPython's default: 700), then how many of those before each older
#: generation is collected (CPython's: 10 and 10).
THRESHOLDS = (10_000, 50, 50)


@dataclass
class Tuning:
    """The collector's settings before :func:`tune`, for :meth:`restore`."""

    thresholds: tuple[int, int, int]
    froze: bool  # False when something had frozen objects already (a run inside a run): theirs to unfreeze

    def restore(self) -> None:
        """Put the collector back as it was: its thresholds, and nothing frozen that :func:`tune` froze."""
        if self.froze:
            gc.unfreeze()
        gc.set_threshold(*self.thresholds)


def tune() -> Tuning:
    """Freeze what is alive now out of collection and raise the thresholds; returns how to undo it."""
    before = Tuning(gc.get_threshold(), froze=gc.get_freeze_count() == 0)
    if before.froze:
        gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    skip_last_collection()
    return before


def skip_last_collection() -> None:
    """At interpreter exit, freeze what is alive before Python's final collection walks it (registered once)."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
