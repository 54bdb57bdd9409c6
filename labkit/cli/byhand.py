"""The environment that points the AWS CLI in another terminal at a local emulator.

One function, used both by ``labs serve`` (which prints it) and by ``tests/test_lab_readmes.py`` (which runs
every README's By hand steps with it), so what a reader exports and what CI checks cannot drift apart.
"""

from __future__ import annotations

import shlex

from labkit.backends import DEFAULT_REGION, FAKE_CREDENTIALS


def by_hand_environment(endpoint_url: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Endpoint, fake credentials, region, and no pager (so ``aws`` output lands in the terminal as is)."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": region,
        "AWS_PAGER": "",
    }


def export_lines(environment: dict[str, str]) -> list[str]:
    """``export NAME=value``, one line per variable, quoted for a POSIX shell."""
    return [f"export {name}={shlex.quote(value)}" for name, value in environment.items()]
