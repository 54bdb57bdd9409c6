"""Every lab reads the same way, and its "By hand" steps still work: CI runs them with the AWS CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.backends import MotoServerBackend
from labkit.catalog import Lab, survey
from labkit.cli.byhand import by_hand_environment

LABS, BROKEN = survey()
SECTIONS = ("## Run it", "## What you will see", "## By hand")
EXAMPLE_TIMEOUT = 30  # seconds for one command of a README
README_TIMEOUT = 120  # seconds for all of a README's By hand steps


def lab_id(lab: Lab) -> str:
    return lab.name


def test_every_lab_has_valid_metadata():
    assert not BROKEN, "\n".join(str(error) for error in BROKEN)


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


@pytest.mark.parametrize("lab", LABS, ids=lab_id)
def test_by_hand_starts_its_emulator_the_one_way_the_readme_teaches(lab):
    by_hand = re.search(r"^## By hand\s*$(.*?)(?=^## |\Z)", lab.readme.read_text(encoding="utf-8"), re.M | re.S)
    assert by_hand, "README has a '## By hand' section"
    assert "labs serve" in by_hand.group(1), "By hand starts the emulator with `labs serve` (it prints the exports)"
    assert "moto_server" not in by_hand.group(1), "one way to start an emulator: `labs serve`, not moto_server"


@pytest.fixture(scope="module")
def by_hand_server():
    """A moto server like the one a reader starts with `moto_server` (or `labs serve`)."""
    server = MotoServerBackend()
    server.start()
    yield server
    server.stop()


def has_console_steps(lab: Lab) -> bool:
    """At collection time; a lab without a README yet fails its skeleton test, not the whole collection."""
    return lab.readme.is_file() and "```console" in lab.readme.read_text(encoding="utf-8")


@pytest.mark.parametrize("lab", [lab for lab in LABS if has_console_steps(lab)], ids=lab_id)
def test_by_hand_steps_run_as_written(lab, by_hand_server, tmp_path):
    """Every ```console block runs, as a reader would, against a fresh moto server with the environment that
    `labs serve` prints (the same function builds both)."""
    by_hand_server.reset()
    env = {
        **os.environ,
        **by_hand_environment(str(by_hand_server.endpoint_url), by_hand_server.region),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
    }
    command = [
        str(Path(sys.executable).parent / "byexample"), "-l", "shell", "--timeout", str(EXAMPLE_TIMEOUT),
        "-o", "+norm-ws", "--pretty", "none", "--no-progress-bar", "--ff", str(lab.readme),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=lab.path, timeout=README_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"By hand steps of {lab.name} took over {README_TIMEOUT} s:\n{_text(exc.stdout)}{_text(exc.stderr)}",
            pytrace=False,
        )

    if done.returncode != 0:  # byexample names the README line, the command, what it expected and what it got
        readme = lab.readme.relative_to(Path.cwd()) if lab.readme.is_relative_to(Path.cwd()) else lab.readme
        pytest.fail(
            f"By hand steps of {lab.name} drifted from what the commands print now; fix {readme}\n"
            f"(Expected: what the README says, Got: the AWS CLI against a fresh moto server)\n"
            f"{done.stdout}\n{done.stderr}",
            pytrace=False,
        )


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else (output or "")
