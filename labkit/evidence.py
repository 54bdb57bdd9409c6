"""How a lab knows what AWS does: the evidence a ``diverges`` mark (or a README's "out of date" bullet) cites.

One of four forms, nothing else:

- an AWS documentation page: ``https://docs.aws.amazon.com/...`` (or another ``https://...aws...`` page);
- a botocore service model: ``botocore:<service>/<api-version>#<Operation or Shape>``, which names an
  operation or shape that exists in the installed botocore (checked by ``tests/test_evidence.py``);
- a response recorded against real AWS: ``localstack/localstack:tests/aws/<...>.snapshot.json#<test name>``;
- ``unverified: <what would settle it>``, when no source was found: the README says so too.

Several may be given, separated by `` ; ``.
"""

from __future__ import annotations

import re
from functools import cache

#: The name under which a divergence's evidence travels with the test's reports (``report.user_properties``).
EVIDENCE_PROPERTY = "labs_diverges_evidence"

_FORMS = {
    "url": re.compile(r"https://[^\s;]*aws[^\s;]*"),
    "botocore": re.compile(r"botocore:(?P<service>[a-z0-9-]+)/(?P<version>\d{4}-\d{2}-\d{2})#(?P<name>[A-Za-z0-9]+)"),
    "recorded": re.compile(r"localstack/localstack:tests/aws/\S+\.snapshot\.json#\S+"),
    "unverified": re.compile(r"unverified: \S.{9,}"),
}
FORMS_HELP = (
    "an AWS documentation URL (https://docs.aws.amazon.com/...), a botocore model reference "
    "(botocore:<service>/<api-version>#<Operation or Shape>), a recorded AWS response "
    "(localstack/localstack:tests/aws/<path>.snapshot.json#<test name>), or 'unverified: <what would settle it>'"
)


def parts(evidence: str) -> list[str]:
    """The separate citations in one evidence string."""
    return [part.strip() for part in evidence.split(" ; ") if part.strip()]


def kind(citation: str) -> str | None:
    """``url``, ``botocore``, ``recorded`` or ``unverified``; None when the citation has none of those forms."""
    for name, pattern in _FORMS.items():
        if pattern.fullmatch(citation):
            return name
    return None


def problem(evidence: object) -> str | None:
    """Why ``evidence`` is not acceptable, or None when every citation in it has one of the four forms."""
    if not isinstance(evidence, str) or not evidence.strip():
        return f"evidence= is required: {FORMS_HELP}"
    bad = [citation for citation in parts(evidence) if kind(citation) is None]
    if bad:
        return f"evidence {bad[0]!r} is none of: {FORMS_HELP}"
    return None


_IN_TEXT = re.compile(
    r"https://[^\s)>\]]*aws[^\s)>\]]*|botocore:[a-z0-9-]+/\d{4}-\d{2}-\d{2}#\w+|"
    r"localstack/localstack:tests/aws/\S+\.snapshot\.json#\S+|unverified"
)


def cited_in(text: str) -> list[str]:
    """The citations (or ``unverified`` admissions) found in a piece of prose, such as a README bullet."""
    return _IN_TEXT.findall(text)


def is_unverified(evidence: str) -> bool:
    return any(kind(citation) == "unverified" for citation in parts(evidence))


@cache
def _model(service: str, version: str) -> dict[str, object] | None:
    """botocore's service model (its loader reads the compressed ``service-2.json.gz`` it ships)."""
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import Loader

    try:
        model: dict[str, object] = Loader().load_service_model(service, "service-2", version)
    except DataNotFoundError:
        return None
    return model


def botocore_reference_problem(citation: str) -> str | None:
    """Why a ``botocore:`` citation names nothing in the installed botocore, or None when it resolves."""
    found = _FORMS["botocore"].fullmatch(citation)
    if not found:
        return None
    model = _model(found["service"], found["version"])
    if model is None:
        return f"{citation}: botocore has no model {found['service']}/{found['version']}"
    operations, shapes = model.get("operations", {}), model.get("shapes", {})
    assert isinstance(operations, dict) and isinstance(shapes, dict)
    if found["name"] not in operations and found["name"] not in shapes:
        return f"{citation}: no operation or shape {found['name']!r} in {found['service']}/{found['version']}"
    return None
