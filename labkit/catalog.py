"""Every lab's metadata, from the ``lab.toml`` beside its README: the one place that describes a lab."""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from labkit.backends import BACKENDS, CAPABILITIES

LABS_DIR = Path(__file__).resolve().parent.parent / "labs"


@dataclass(frozen=True)
class Note:
    """One of the five study notes the labs come from: what a reader should call it, and what it covers."""

    file: str
    title: str
    subject: str
    covers: str


#: The notes, by file name: their file names say nothing, so every listing prints the title beside them.
NOTES: dict[str, Note] = {
    note.file: note
    for note in (
        Note(
            "000_48eea6add3d1ef8f.txt",
            "Today I Learned",
            "a developer's dated log of things learned (2021-2023)",
            "DynamoDB ISO 8601 sort keys and PartiQL, Newick trees, Lambda handler vs init, IMDSv2, the pebibyte, "
            "Aurora activity streams, validating a migration",
        ),
        Note(
            "001_ef89e2984f63f592.txt",
            "Solutions Architect Professional course notes",
            "an AWS Certified Solutions Architect Professional video course, in 16 parts",
            "accounts and Organizations, identity and federation, networking and hybrid, storage, compute, "
            "databases, analytics, serverless, edge, migration, security, disaster recovery",
        ),
        Note(
            "002_f74a5186d08a59b7.txt",
            "Developer Associate (DVA-C01) course notes",
            "an AWS Certified Developer Associate video course",
            "EC2, ELB and ASG, RDS, Route 53, VPC, S3, CloudFront, ECS, Beanstalk, CI/CD, CloudFormation, "
            "monitoring, SQS/SNS/Kinesis, Lambda, DynamoDB, API Gateway, SAM, Cognito, Step Functions",
        ),
        Note(
            "003_278db61a3e4b1051.txt",
            "Data Analytics Specialty notes",
            "study notes for the AWS Certified Data Analytics Specialty exam",
            "collection (Kinesis, SQS, DMS), storage (S3, DynamoDB, ElastiCache), processing (Lambda, Glue, EMR), "
            "analysis (Athena, Redshift), security (KMS, STS)",
        ),
        Note(
            "004_28a3b4699c3392ea.txt",
            "'Developing on AWS' course, day two",
            "an AWS classroom training course, March 2023",
            "DynamoDB keys and indexes, Lambda (Lab 4: a note read aloud with Polly), API Gateway (Lab 5: a notes API)",
        ),
    )
}
SEEDS = tuple(NOTES)


def note_name(file: str) -> str:
    """``000_48eea6add3d1ef8f.txt (Today I Learned)``: a note's file name with the title a reader knows."""
    note = NOTES.get(file)
    return f"{file} ({note.title})" if note else file


class CatalogError(Exception):
    """A lab.toml is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Source:
    """A note and the section heading a lab comes from."""

    file: str
    section: str

    def cite(self) -> str:
        return f'{note_name(self.file)}, "{self.section}"'

    @property
    def key(self) -> tuple[str, str]:
        """(file, normalised section): what coverage matches on, see :func:`normalise_section`."""
        return self.file, normalise_section(self.section)


#: The backends a lab runs on when its lab.toml does not say (``aws`` is always possible on purpose).
DEFAULT_BACKENDS = ("moto", "moto-server", "ministack", "localstack")


@functools.cache
def normalise_section(section: str) -> str:
    """A section heading reduced to what identifies it, so that citations written by hand still match.

    Drops markdown hashes, list numbering (``3. Module 8``, ``i. Lab 4``), bracketed tags (``[Refresher]``, ``[DB]``),
    a trailing duration or date (``(12:32)``, ``(19 of November 2021)``), a part number (``- PART2``: one topic
    in several videos), a trailing colon, case and
    repeated spaces: ``##  [Refresher] DynamoDB Indexes (LSI and GSI) (12:32)`` becomes
    ``dynamodb indexes (lsi and gsi)``. En and em dashes count as hyphens.
    """
    text = section.strip().replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"^#+\s*", "", text)
    text = re.sub(r"^-?\s*(\d+|[ivx]+|[a-z])\.\s+", "", text)
    text = re.sub(r"\[[^\]]*\]\s*", "", text)
    text = re.sub(r"\s*\((\d+:\d+|\d+ of \w+ \d{4})\)\s*$", "", text)
    text = re.sub(r"\s+-\s*part\s*\d+$", "", text, flags=re.I)  # one topic in several videos
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip().lstrip("[-").strip()
    return text.lower()


@dataclass(frozen=True)
class Lab:
    """One lab: where it lives and what it is about."""

    path: Path
    title: str
    services: tuple[str, ...]
    sources: tuple[Source, ...]
    backends: tuple[str, ...] = DEFAULT_BACKENDS
    needs: tuple[str, ...] = ()  # capabilities every test of the lab needs (e.g. lambda-execution)

    @property
    def service(self) -> str:
        """The folder the lab sits in under labs/ (``dynamodb``)."""
        return self.path.parent.name

    @property
    def name(self) -> str:
        """``dynamodb/query_vs_scan``: the lab's folder under labs/."""
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def readme(self) -> Path:
        return self.path / "README.md"


def lab_of(nodeid: str) -> str | None:
    """``labs/sqs/fifo/test_fifo.py::test_x`` -> ``sqs/fifo``; None for a test outside labs/."""
    parts = nodeid.split("::", 1)[0].split("/")
    return "/".join(parts[1:3]) if len(parts) >= 4 and parts[0] == "labs" else None


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
    backends = meta.get("backends", list(DEFAULT_BACKENDS))
    if not isinstance(backends, list) or not backends or not all(b in BACKENDS for b in backends):
        raise CatalogError(f"{file}: 'backends' (optional) must list some of {', '.join(BACKENDS)}")
    needs = meta.get("needs", [])
    if not isinstance(needs, list) or not all(n in CAPABILITIES for n in needs):
        raise CatalogError(f"{file}: 'needs' (optional) must list some of {', '.join(CAPABILITIES)}")
    unknown = set(meta) - {"title", "services", "sources", "backends", "needs"}
    if unknown:
        raise CatalogError(f"{file}: unknown field(s) {sorted(unknown)}")
    return Lab(folder, title.strip(), tuple(services), tuple(parsed), tuple(backends), tuple(needs))


def discover(root: Path = LABS_DIR) -> list[Lab]:
    """Every lab under ``root`` (a folder holding a test_*.py), sorted by name; CatalogError on a broken one."""
    labs, errors = survey(root)
    if errors:
        raise errors[0]
    return labs


def survey(root: Path = LABS_DIR) -> tuple[list[Lab], list[CatalogError]]:
    """Every lab under ``root`` that loads, and the errors of those that do not (a lab still being written
    should not hide the others)."""
    labs, errors = [], []
    for folder in sorted({test.parent for test in root.glob("*/*/test_*.py")}):
        try:
            labs.append(load_lab(folder))
        except CatalogError as exc:
            errors.append(exc)
    return labs, errors


def find_lab(name: str, labs: list[Lab], *, services_too: bool = False) -> Lab:
    """The lab called ``name`` (``dynamodb/query_vs_scan``) or with that unique suffix (``query_vs_scan``).

    Raises CatalogError naming close matches when there is no such lab (close service names first, with
    ``services_too``), or the candidates when the suffix is ambiguous.
    """
    wanted = name.strip().strip("/").removeprefix("labs/")
    by_name = {lab.name: lab for lab in labs}
    if wanted in by_name:
        return by_name[wanted]
    suffixed = [lab for lab in labs if lab.name.endswith("/" + wanted)]
    if len(suffixed) == 1:
        return suffixed[0]
    if suffixed:
        raise CatalogError(f"{name!r} is ambiguous: {', '.join(lab.name for lab in suffixed)}")
    candidates = list(by_name) + sorted({lab.name.split("/", 1)[1] for lab in labs})
    close = difflib.get_close_matches(wanted, candidates, n=5, cutoff=0.5)
    close += [n for n in by_name if wanted and wanted in n and n not in close]
    if services_too:
        services = sorted({lab.service for lab in labs})
        near = difflib.get_close_matches(wanted, services, n=2, cutoff=0.6)
        near += [s for s in services if wanted and wanted in s and s not in near]
        close = [f"{s} (the service)" for s in near[:2]] + close
    hint = f"; did you mean: {', '.join(close[:5])}?" if close else "; `labs list` shows every lab"
    what = "service or lab" if services_too else "lab"
    raise CatalogError(f"no {what} called {name!r}{hint}")


def select(target: str, labs: list[Lab]) -> list[Lab]:
    """The labs ``target`` names: a service folder (``dynamodb``, every lab in it) or one lab."""
    wanted = target.strip().strip("/").removeprefix("labs/")
    in_service = [lab for lab in labs if lab.service == wanted]
    return in_service or [find_lab(wanted, labs, services_too=True)]
