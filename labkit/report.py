"""What a learner sees with ``pytest -s``: small aligned tables and lines, printed in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any


#: Called before anything is printed: with ``pytest -s`` the plugin makes it end pytest's line of progress
#: dots, so a table does not start glued to them.
def no_op() -> None:
    """Nothing: how a line starts when pytest is not showing progress dots."""


start_line: Callable[[], None] = no_op


def format_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table with a title line, aligned columns and a rule under the headers."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells[1:]]
    return "\n".join(line.rstrip() for line in lines)


def show_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table (visible with ``pytest -s``)."""
    start_line()
    print(f"{format_table(title, headers, rows)}")


def show(line: str) -> None:
    """Print one line of what the lab demonstrates (visible with ``pytest -s``)."""
    start_line()
    print(line)
