"""Every lab reads the same way, and its "By hand" steps still work: CI runs them with the AWS CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

from labkit.byhand_runner import ByHandRunner
from labkit.catalog import LABS_DIR as LABS_ROOT
from labkit.catalog import Lab, survey

LABS, BROKEN = survey()
SECTIONS = ("## Run it", "## What you will see", "## By hand")


def lab_id(lab: Lab) -> str:
    return lab.name


def test_every_lab_has_valid_metadata():
    assert not BROKEN, "\n".join(str(error) for error in BROKEN)


def test_module_names_are_unique_across_labs():
    """pytest imports a lab's test file and the modules beside it by file name: two labs with a
    test_parameter_groups.py (or a handler.py each) would collide, and the second would not even be collected."""
    seen: dict[str, list[str]] = {}
    for module in sorted(Path(LABS_ROOT).glob("*/*/*.py")):
        if module.name != "conftest.py":
            seen.setdefault(module.name, []).append(str(module.parent.relative_to(LABS_ROOT)))
    clashes = {name: labs for name, labs in seen.items() if len(labs) > 1}
    assert not clashes, f"module names used by more than one lab (rename one): {clashes}"


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


AWS_SERVICES = set(botocore.session.get_session().get_available_services())


@pytest.mark.parametrize("lab", [lab for lab in LABS if AWS_SERVICES & set(lab.services)], ids=lab_id)
def test_by_hand_starts_its_emulator_the_one_way_the_readme_teaches(lab):
    by_hand = re.search(r"^## By hand\s*$(.*?)(?=^## |\Z)", lab.readme.read_text(encoding="utf-8"), re.M | re.S)
    assert by_hand, "README has a '## By hand' section"
    assert "labs serve" in by_hand.group(1), "By hand starts the emulator with `labs serve` (it prints the exports)"
    assert "moto_server" not in by_hand.group(1), "one way to start an emulator: `labs serve`, not moto_server"


def has_console_steps(lab: Lab) -> bool:
    """At collection time; a lab without a README yet fails its skeleton test, not the whole collection."""
    return lab.readme.is_file() and "```console" in lab.readme.read_text(encoding="utf-8")


WITH_STEPS = [lab for lab in LABS if has_console_steps(lab)]


@pytest.fixture(scope="session")
def by_hand(request: pytest.FixtureRequest) -> Iterator[ByHandRunner]:
    """Runs the selected READMEs' steps, several at once; under xdist each worker runs its own share one by one."""
    runner = ByHandRunner([lab.readme for lab in WITH_STEPS], workers=1 if _xdist_worker(request) else None)
    if not _xdist_worker(request):  # this process runs every selected README: start them all now
        for item in request.session.items:
            if getattr(item, "originalname", "") == "test_by_hand_steps_run_as_written":
                runner.submit(item.callspec.params["lab"].readme)  # type: ignore[attr-defined]
    yield runner
    runner.close()


def _xdist_worker(request: pytest.FixtureRequest) -> bool:
    return hasattr(request.config, "workerinput")


@pytest.mark.parametrize("lab", WITH_STEPS, ids=lab_id)
def test_by_hand_steps_run_as_written(lab, by_hand):
    """Every ```console block runs, as a reader would, with the AWS CLI against a fresh moto server and the
    environment that `labs serve` prints (the same function builds both)."""
    done = by_hand.submit(lab.readme).result()
    if done.returncode != 0:  # byexample names the README line, the command, what it expected and what it got
        readme = lab.readme.relative_to(Path.cwd()) if lab.readme.is_relative_to(Path.cwd()) else lab.readme
        pytest.fail(
            f"By hand steps of {lab.name} drifted from what the commands print now; fix {readme}\n"
            f"(Expected: what the README says, Got: the AWS CLI against a fresh moto server)\n{done.output}",
            pytrace=False,
        )
