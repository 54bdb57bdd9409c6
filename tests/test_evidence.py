"""Every divergence says how we know what AWS does, and every "out of date" claim in a README cites a source.

The marks are found in the test files' source (any ``diverges(...)`` call, also one built in a helper), so a
mark that a backend never applies is checked too. botocore references must name an operation or shape that the
installed botocore has: a citation that resolves to nothing is an invented one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from labkit import evidence
from labkit.catalog import LABS_DIR, survey

LABS, _ = survey()


def diverges_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "diverges"
    ]


def evidence_of(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "evidence"), None)


def literal_strings(node: ast.expr) -> list[str]:
    """The string constants in an evidence expression (an f-string's literal parts included)."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def section(readme: str, heading: str) -> str:
    found = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", readme, re.M | re.S)
    return found.group(1) if found else ""


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.name)
def test_every_diverges_mark_cites_evidence(lab):
    missing = [
        f"{path.relative_to(LABS_DIR.parent)}:{call.lineno}"
        for path in sorted(lab.path.glob("test_*.py"))
        for call in diverges_calls(path)
        if evidence_of(call) is None
    ]
    assert not missing, f"diverges marks without evidence= ({evidence.FORMS_HELP}):\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.name)
def test_every_botocore_citation_names_something_botocore_has(lab):
    texts = [
        text
        for path in sorted(lab.path.glob("*.py"))
        for call in diverges_calls(path)
        if (node := evidence_of(call)) is not None
        for text in literal_strings(node)
    ]
    texts.append(lab.readme.read_text(encoding="utf-8"))
    citations = {c for text in texts for c in evidence.cited_in(text) if c.startswith("botocore:")}
    problems = [p for c in sorted(citations) if (p := evidence.botocore_reference_problem(c))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.name)
def test_every_out_of_date_claim_in_the_readme_cites_a_source(lab):
    text = section(lab.readme.read_text(encoding="utf-8"), "Where the note is out of date")
    bullets = [b for b in re.split(r"^- ", text, flags=re.M)[1:]] or ([text] if text.strip() else [])
    uncited = [b.strip().splitlines()[0] for b in bullets if not evidence.cited_in(b)]
    assert not uncited, (
        "README 'Where the note is out of date' claims without a source (an AWS doc URL, botocore:..., "
        "localstack/localstack:..., or the word unverified):\n  " + "\n  ".join(uncited)
    )


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.name)
def test_a_lab_with_an_unverified_divergence_says_so_in_its_readme(lab):
    unverified = [
        text
        for path in sorted(lab.path.glob("test_*.py"))
        for call in diverges_calls(path)
        if (node := evidence_of(call)) is not None
        for text in literal_strings(node)
        if "unverified:" in text
    ]
    if unverified:
        assert "unverified" in lab.readme.read_text(encoding="utf-8").lower(), (
            f"{lab.name} has divergences with unverified evidence; its README must say which claims are unverified"
        )


# --- labkit.evidence itself --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "citation",
    [
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
        "botocore:sqs/2012-11-05#CreateQueue",
        "localstack/localstack:tests/aws/services/sqs/test_sqs.snapshot.json#test_purge_queue",
        "unverified: a run on AWS would show the error code",
        "botocore:sqs/2012-11-05#CreateQueue ; unverified: the message text",
    ],
)
def test_the_four_forms_of_evidence_are_accepted(citation):
    assert evidence.problem(citation) is None


@pytest.mark.parametrize("citation", [None, "", "moto docs", "unverified", "https://example.com/x", "botocore:sqs"])
def test_anything_else_is_refused(citation):
    assert evidence.problem(citation) is not None


def test_a_botocore_citation_must_name_something_the_model_has():
    assert evidence.botocore_reference_problem("botocore:iam/2010-05-08#PermissionsBoundaryAttachmentType") is None
    assert "no operation or shape 'Nope'" in evidence.botocore_reference_problem("botocore:iam/2010-05-08#Nope")
    assert "no model sqs/2099-01-01" in evidence.botocore_reference_problem("botocore:sqs/2099-01-01#X")
