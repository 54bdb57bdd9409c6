"""Every lab reads the same way, and its "By hand" steps still work: CI runs them with the AWS CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.backends import FAKE_CREDENTIALS, MotoServerBackend
from labkit.catalog import Lab, discover

LABS = discover()
SECTIONS = ("## Run it", "## What you will see", "## By hand")


def lab_id(lab: Lab) -> str:
    return lab.name


@pytest.mark.parametrize("lab", LABS, ids=lab_id)
def test_readme_follows_the_skeleton(lab):
    text = lab.readme.read_text(encoding="utf-8")
    lines = text.splitlines()

    assert lines[0] == f"# {lab.title}", "the README's title is lab.toml's title"
    assert lines[1].startswith("From: "), "the second line names the notes"
    for source in lab.sources:
        assert source.file in text, f"README cites {source.file}"
    for heading in SECTIONS:
        assert re.search(rf"^{re.escape(heading)}\b", text, re.M), f"README has a '{heading}' section"
    assert f"pytest labs/{lab.name}" in text, "Run it shows the pytest command for this lab"


@pytest.fixture(scope="module")
def by_hand_server():
    """A moto server like the one a reader starts with `moto_server` (or `labs serve`)."""
    server = MotoServerBackend()
    server.start()
    yield server
    server.stop()


def has_console_steps(lab: Lab) -> bool:
    return "```console" in lab.readme.read_text(encoding="utf-8")


@pytest.mark.parametrize("lab", [lab for lab in LABS if has_console_steps(lab)], ids=lab_id)
def test_by_hand_steps_run_as_written(lab, by_hand_server, tmp_path):
    by_hand_server.reset()
    env = {
        **os.environ,
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": str(by_hand_server.endpoint_url),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "byexample"), "-l", "shell", "--timeout", "60", "-o", "+norm-ws",
         "--pretty", "none", "--no-progress-bar", "--ff", str(lab.readme)],
        capture_output=True, text=True, env=env, cwd=lab.path, timeout=600,
    )  # fmt: skip

    assert done.returncode == 0, f"By hand steps of {lab.name} drifted:\n{done.stdout}\n{done.stderr}"
