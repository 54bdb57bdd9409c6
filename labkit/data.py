"""Data from the notes, kept in ``fixtures/``: located and checked, with errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


class FixtureError(Exception):
    """A fixture file is missing or malformed; the message names the file and the problem."""


def fixture_path(relative: str) -> Path:
    """The path of ``fixtures/<relative>``; FixtureError when there is no such file."""
    path = FIXTURES_DIR / relative
    if not path.is_file():
        raise FixtureError(f"fixture file {relative!r} not found (looked for {path})")
    return path


def load_json(relative: str) -> Any:
    """The ``data`` of a JSON fixture. Every JSON fixture is ``{"source": "<note, section>", "data": ...}``."""
    path = fixture_path(relative)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FixtureError(f"fixture {relative!r} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or not {"source", "data"} <= document.keys():
        raise FixtureError(f'fixture {relative!r} must be an object with "source" and "data" keys')
    if not isinstance(document["source"], str) or not document["source"].strip():
        raise FixtureError(f'fixture {relative!r} must name its source note in "source"')
    return document["data"]
