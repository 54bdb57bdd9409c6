"""Every lab's metadata, from the ``lab.toml`` beside its README: the one place that describes a lab."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

LABS_DIR = Path(__file__).resolve().parent.parent / "labs"
SEEDS = (
    "000_48eea6add3d1ef8f.txt",
    "001_ef89e2984f63f592.txt",
    "002_f74a5186d08a59b7.txt",
    "003_278db61a3e4b1051.txt",
    "004_28a3b4699c3392ea.txt",
)


class CatalogError(Exception):
    """A lab.toml is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Source:
    """A note and the section heading a lab comes from."""

    file: str
    section: str

    def cite(self) -> str:
        return f'{self.file}, "{self.section}"'


@dataclass(frozen=True)
class Lab:
    """One lab: where it lives and what it is about."""

    path: Path
    title: str
    services: tuple[str, ...]
    sources: tuple[Source, ...]

    @property
    def name(self) -> str:
        """``dynamodb/query_vs_scan``: the lab's folder under labs/."""
        return self.path.relative_to(self.path.parent.parent.parent).as_posix().removeprefix("labs/")

    @property
    def readme(self) -> Path:
        return self.path / "README.md"


def load_lab(folder: Path) -> Lab:
    """The lab in ``folder``, read from its lab.toml."""
    file = folder / "lab.toml"
    if not file.is_file():
        raise CatalogError(f"{folder}: no lab.toml (title, services, sources)")
    try:
        meta = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{file}: not valid TOML: {exc}") from None
    title, services, sources = meta.get("title"), meta.get("services"), meta.get("sources")
    if not isinstance(title, str) or not title.strip():
        raise CatalogError(f"{file}: 'title' must be a non-empty string")
    if not isinstance(services, list) or not services or not all(isinstance(s, str) for s in services):
        raise CatalogError(f"{file}: 'services' must be a non-empty list of service names")
    if not isinstance(sources, list) or not sources:
        raise CatalogError(f"{file}: 'sources' must list at least one {{file, section}}")
    parsed = []
    for source in sources:
        if not isinstance(source, dict) or source.get("file") not in SEEDS or not source.get("section"):
            raise CatalogError(f"{file}: each source needs 'file' (one of the five notes) and 'section'")
        parsed.append(Source(source["file"], source["section"]))
    return Lab(folder, title.strip(), tuple(services), tuple(parsed))


def discover(root: Path = LABS_DIR) -> list[Lab]:
    """Every lab under ``root`` (a folder holding a test_*.py), sorted by name."""
    folders = sorted({test.parent for test in root.glob("*/*/test_*.py")})
    return [load_lab(folder) for folder in folders]
