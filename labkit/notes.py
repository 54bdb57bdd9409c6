"""The five study notes themselves: where they are, and the headings each one has.

The notes are not part of the project: they sit beside it, in ``../shared/seeds`` from the repository root, or
wherever ``$LABS_NOTES_DIR`` points. A heading is a Markdown heading (``#`` to ``######``, outside code
blocks); 004 has none, so its numbered top-level lines (``2. Module 7 (...)``) stand for them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from markdown_it import MarkdownIt

from labkit.catalog import LABS_DIR

NOTES_VARIABLE = "LABS_NOTES_DIR"
_NUMBERED = re.compile(r"^\d+\.\s+\S")
_WITHOUT_MARKDOWN_HEADINGS = {"004_28a3b4699c3392ea.txt"}


def notes_dir() -> Path:
    """``$LABS_NOTES_DIR``, else ``../shared/seeds`` next to the repository (it may not exist)."""
    return Path(os.environ.get(NOTES_VARIABLE) or LABS_DIR.parent.parent / "shared" / "seeds")


def headings(file: str, text: str) -> list[str]:
    """The note's headings, in order, as written (a repeated heading once)."""
    if file in _WITHOUT_MARKDOWN_HEADINGS:
        found = [line.strip() for line in text.splitlines() if _NUMBERED.match(line)]
    else:
        tokens = MarkdownIt().parse(text)
        found = [
            f"{'#' * int(token.tag[1])} {tokens[index + 1].content}"
            for index, token in enumerate(tokens)
            if token.type == "heading_open"
        ]
    return list(dict.fromkeys(found))
