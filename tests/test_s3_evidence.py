"""The S3 and CloudFront labs lean on responses LocalStack recorded against AWS. Each such citation, in a
``diverges`` mark as the test module builds it (constants and f-strings evaluated) or in a README, must name
a snapshot file of LocalStack's repository and a test recorded in it: a citation that resolves to nothing is an
invented one.

Skips when the LocalStack repository is not at /work/ref/localstack (``LOCALSTACK_REF`` overrides it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from labkit import evidence
from labkit.catalog import LABS_DIR

REF = Path(os.environ.get("LOCALSTACK_REF", "/work/ref/localstack"))
PREFIX = "localstack/localstack:"
LABS = sorted(p for area in ("s3", "cloudfront") for p in (LABS_DIR / area).glob("*/") if (p / "lab.toml").exists())


def marks_of(module: Any) -> list[Any]:
    """Every mark on the module's test functions, those inside ``pytest.param(..., marks=...)`` included."""
    on_module = getattr(module, "pytestmark", [])
    found = [getattr(m, "mark", m) for m in (on_module if isinstance(on_module, list) else [on_module])]
    for name, value in vars(module).items():
        if name.startswith("test_") and callable(value):
            for mark in getattr(value, "pytestmark", []):
                found.append(mark)
                if mark.name == "parametrize":
                    for param in mark.args[1] if len(mark.args) > 1 else []:
                        found.extend(getattr(m, "mark", m) for m in getattr(param, "marks", ()))
    return found


def evidence_in(lab: Path) -> list[str]:
    texts = []
    for path in sorted(lab.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"_evidence_{lab.parent.name}_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        texts += [m.kwargs.get("evidence", "") for m in marks_of(module) if m.name == "diverges"]
    texts.append((lab / "README.md").read_text(encoding="utf-8"))
    return [c.rstrip(".,;:)") for text in texts for c in evidence.cited_in(text) if c.startswith(PREFIX)]


@cache
def recorded_tests(snapshot: str) -> frozenset[str]:
    """The test names recorded in one snapshot file, as ``Class::test[params]`` and as ``test[params]``."""
    keys = json.loads((REF / snapshot).read_text(encoding="utf-8"))
    names = set()
    for key in keys:
        parts = key.split("::")[1:]
        names.update({"::".join(parts), parts[-1]} if parts else set())
    return frozenset(names)


def problem(citation: str) -> str | None:
    snapshot, _, name = citation.removeprefix(PREFIX).partition("#")
    if not (REF / snapshot).is_file():
        return f"{citation}: no file {snapshot} in LocalStack's repository"
    if name not in recorded_tests(snapshot):
        return f"{citation}: {snapshot} records no test {name!r}"
    return None


@pytest.mark.skipif(not REF.is_dir(), reason=f"LocalStack's repository is not at {REF}")
@pytest.mark.parametrize("lab", LABS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_localstack_snapshot_citation_names_a_recorded_test(lab):
    problems = [p for c in sorted(set(evidence_in(lab))) if (p := problem(c))]
    assert not problems, "\n".join(problems)


def test_a_citation_of_a_test_that_was_never_recorded_is_refused():
    if not REF.is_dir():
        pytest.skip(f"LocalStack's repository is not at {REF}")
    good = PREFIX + "tests/aws/services/s3/test_s3.snapshot.json#TestS3::test_s3_uppercase_bucket_name"
    assert problem(good) is None
    assert re.search("records no test", problem(good + "_invented") or "")
    assert re.search("no file", problem(PREFIX + "tests/aws/services/s3/nothing.snapshot.json#TestS3::x") or "")
