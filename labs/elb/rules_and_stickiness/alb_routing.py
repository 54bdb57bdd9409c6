"""Which listener rule an Application Load Balancer applies to a request, as the ELB documentation describes it.

The emulators store listener rules but route no HTTP traffic. This module takes the rules exactly as
``describe_rules`` returns them and picks the one AWS would apply: rules are tried from the lowest
priority number up; a rule applies when every one of its conditions matches (a condition matches when any
of its values does); the default rule (no conditions) applies when nothing else did. Path and host patterns
use ``*`` (any characters) and ``?`` (one character); hosts compare case-insensitively, paths do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request that listener-rule conditions look at."""

    host: str
    path: str = "/"
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


def _matches(condition: Mapping[str, Any], request: Request) -> bool:
    kind = condition["Field"]
    if kind == "path-pattern":
        return any(fnmatchcase(request.path, p) for p in condition["PathPatternConfig"]["Values"])
    if kind == "host-header":
        return any(fnmatchcase(request.host.lower(), p.lower()) for p in condition["HostHeaderConfig"]["Values"])
    if kind == "query-string":
        pairs = condition["QueryStringConfig"]["Values"]
        return any(request.query.get(pair["Key"]) == pair["Value"] for pair in pairs)
    if kind == "http-header":
        config = condition["HttpHeaderConfig"]
        headers = {name.lower(): value for name, value in request.headers.items()}
        value = headers.get(config["HttpHeaderName"].lower())
        return value is not None and any(fnmatchcase(value, p) for p in config["Values"])
    raise ValueError(f"condition field {kind!r} is not modelled here")


def _order(rule: Mapping[str, Any]) -> float:
    return float("inf") if rule["IsDefault"] else int(rule["Priority"])


def choose_rule(rules: Iterable[Mapping[str, Any]], request: Request) -> Mapping[str, Any]:
    """The rule that handles ``request``: the lowest-priority rule whose conditions all match, else the default."""
    for rule in sorted(rules, key=_order):
        if all(_matches(condition, request) for condition in rule["Conditions"]):
            return rule
    raise LookupError("a listener always has a default rule; none was given")
