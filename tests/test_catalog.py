"""Lab metadata (lab.toml), the list of note sections, and the two pages generated from them."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from labkit import coverage
from labkit.catalog import SEEDS, CatalogError, Lab, Source, find_lab, load_lab, normalise_section, select, survey
from labkit.coverage import NoteSection
from labkit.notes import headings, notes_dir

NOTES_DIR = notes_dir()
NO_NOTES = pytest.mark.skipif(
    not NOTES_DIR.is_dir(), reason=f"the notes are not at {NOTES_DIR} (set $LABS_NOTES_DIR to their folder)"
)


def make_lab(root: Path, name: str, sources: str = '{ file = "000_48eea6add3d1ef8f.txt", section = "pebibyte" }',
             extra: str = "") -> Path:  # fmt: skip
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "lab.toml").write_text(f'title = "T {name}"\nservices = ["s3"]\nsources = [{sources}]\n{extra}')
    (folder / f"test_{folder.name}.py").write_text("")
    return folder


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("##  [Refresher] DynamoDB Indexes (LSI and GSI) (12:32)", "dynamodb indexes (lsi and gsi)"),
        ("# [DB] PartiQL (19 of November 2021)", "partiql"),
        ("3. Module 8 (Processing your database operations):", "module 8 (processing your database operations)"),
        ("Module 9 (Processing your logic – AWS Lambda)", "module 9 (processing your logic - aws lambda)"),
        (" - i. Lab 4 (Python) - Develop Solutions", "lab 4 (python) - develop solutions"),
        ("## DynamoDB", "dynamodb"),
        ("[Refresher] Simple Queue Service [SQS] (15:46)", "simple queue service"),
    ],
)  # fmt: skip
def test_section_names_are_normalised_so_hand_written_citations_match(written, normalised):
    assert normalise_section(written) == normalised


def test_a_lab_without_backends_runs_on_the_four_emulators(tmp_path):
    lab = load_lab(make_lab(tmp_path, "s3/one"))
    assert lab.backends == ("moto", "moto-server", "ministack", "localstack")
    assert lab.service == "s3"


def test_a_lab_may_name_its_backends(tmp_path):
    assert load_lab(make_lab(tmp_path, "s3/one", extra='backends = ["moto-server"]')).backends == ("moto-server",)


def test_an_unknown_backend_in_lab_toml_is_an_error_naming_the_file(tmp_path):
    with pytest.raises(CatalogError, match=r"one/lab.toml: 'backends'"):
        load_lab(make_lab(tmp_path, "s3/one", extra='backends = ["mot"]'))


def test_a_broken_lab_does_not_hide_the_others(tmp_path):
    make_lab(tmp_path, "s3/good")
    broken = tmp_path / "s3" / "broken"
    broken.mkdir()
    (broken / "test_broken.py").write_text("")
    labs, errors = survey(tmp_path)
    assert [lab.name for lab in labs] == ["s3/good"]
    assert len(errors) == 1 and "broken: no lab.toml" in str(errors[0])


@pytest.fixture
def labs(tmp_path) -> list[Lab]:
    for name in ("dynamodb/query_vs_scan", "dynamodb/partiql", "s3/versioning", "sqs/versioning"):
        make_lab(tmp_path, name)
    return survey(tmp_path)[0]


def test_a_lab_is_found_by_name_or_unique_suffix(labs):
    assert find_lab("dynamodb/partiql", labs).name == "dynamodb/partiql"
    assert find_lab("query_vs_scan", labs).name == "dynamodb/query_vs_scan"
    assert find_lab("labs/s3/versioning/", labs).name == "s3/versioning"


def test_an_ambiguous_suffix_names_the_candidates(labs):
    with pytest.raises(CatalogError, match="ambiguous: s3/versioning, sqs/versioning"):
        find_lab("versioning", labs)


def test_an_unknown_lab_names_close_matches(labs):
    with pytest.raises(CatalogError, match=r"no lab called 'query_vs_scna'; did you mean: query_vs_scan"):
        find_lab("query_vs_scna", labs)


def test_a_service_selects_all_its_labs(labs):
    assert [lab.name for lab in select("dynamodb", labs)] == ["dynamodb/partiql", "dynamodb/query_vs_scan"]


def test_a_section_counts_as_cited_by_a_longer_heading_under_it():
    section = NoteSection("001_ef89e2984f63f592.txt", "AWS Lambda In-depth")
    assert section.cited_by(Source("001_ef89e2984f63f592.txt", "AWS Lambda In-depth - PART2 (13:59)"))
    assert not section.cited_by(Source("001_ef89e2984f63f592.txt", "AWS Lambda"))
    assert not section.cited_by(Source("002_f74a5186d08a59b7.txt", "AWS Lambda In-depth"))


# --- the real list of sections and the generated pages -------------------------------------------------------

SECTIONS = coverage.load_sections()


@functools.cache
def note_headings(file: str) -> tuple[str, ...]:
    return tuple(headings(file, (NOTES_DIR / file).read_text(encoding="utf-8")))


@NO_NOTES
@pytest.mark.parametrize("file", SEEDS)
def test_every_heading_of_the_notes_is_in_the_inventory(file):
    listed = {key for section in SECTIONS if section.file == file for key in section.keys}
    found = note_headings(file)
    absent = [heading for heading in found if normalise_section(heading) not in listed]
    assert not absent, f"docs/sections.toml lacks these headings of {file}:\n  " + "\n  ".join(absent)


@NO_NOTES
@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: f"{s.file[:3]}:{s.section}")
def test_every_listed_section_is_a_heading_of_its_note(section):
    found = {normalise_section(h) for h in note_headings(section.file)}
    assert section.keys & found, f"docs/sections.toml: no heading like {section.section!r} in {section.file}"


def test_the_notes_folder_can_be_moved_with_an_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("LABS_NOTES_DIR", str(tmp_path))
    assert notes_dir() == tmp_path


def test_004_has_no_markdown_headings_so_its_numbered_lines_stand_for_them():
    text = "intro\n1. Extra info: x\n - a. detail\n2. Module 7 (Getting started with databases)\n"
    assert headings("004_28a3b4699c3392ea.txt", text) == [
        "1. Extra info: x",
        "2. Module 7 (Getting started with databases)",
    ]


def test_a_heading_in_a_code_block_is_not_a_heading():
    text = "# Title\n```bash\n# list lambda functions\naws lambda list-functions\n```\n## Links\n## Links\n"
    assert headings("003_278db61a3e4b1051.txt", text) == ["# Title", "## Links"]


def test_sections_are_listed_once():
    keys = [(s.file, normalise_section(s.section)) for s in SECTIONS]
    assert len(keys) == len(set(keys))
    assert {s.file for s in SECTIONS} == set(SEEDS)


def test_generation_is_deterministic():
    assert coverage.generate() == coverage.generate()


def test_generated_index_and_coverage_page_are_up_to_date():
    stale = coverage.stale(coverage.generate())
    names = ", ".join(str(path.relative_to(coverage.ROOT)) for path in stale)
    assert not stale, (
        f"{names} out of date: run `{coverage.REGENERATE}` (or .venv/bin/{coverage.REGENERATE}) and commit"
    )


def test_every_section_is_marked():
    labs, _ = survey()
    gaps = coverage.missing(SECTIONS, labs)
    assert not gaps, (
        "headings of the notes not marked: cite them in a lab.toml's sources, or mark them in docs/sections.toml "
        'with `prose = true` (no hands-on content), `no_lab = "why no emulator can"` or `not_yet = "what a lab '
        'would show"`, then run `labs index --write`:\n' + "\n".join(f"  {s.file}, {s.section}" for s in gaps)
    )


def test_every_item_names_tests_that_exist():
    missing = []
    for section in SECTIONS:
        for item in section.items:
            for nodeid in item.tests:
                path, _, name = nodeid.partition("::")
                file = coverage.ROOT / path
                text = file.read_text(encoding="utf-8") if file.is_file() else ""
                if not re.search(rf"^(async )?def {re.escape(name.split('[')[0])}\(", text, re.M):
                    missing.append(f"{section.section}: {item.claim} -> {nodeid}")
    assert not missing, "items naming tests that do not exist:\n  " + "\n  ".join(missing)


def test_a_malformed_item_is_an_error_naming_the_entry(tmp_path):
    bad = tmp_path / "sections.toml"
    bad.write_text(
        '[[section]]\nfile = "000_48eea6add3d1ef8f.txt"\nsection = "pebibyte"\n[[section.item]]\ntests = ["x"]\n'
    )
    with pytest.raises(CatalogError, match=r"section entry 1, item 1: each item needs a 'claim'"):
        coverage.load_sections(bad)


def test_the_readme_states_the_real_coverage_figures():
    labs, _ = survey()
    readme = (coverage.ROOT / "README.md").read_text(encoding="utf-8")
    assert coverage.summary_line(SECTIONS, labs) in " ".join(readme.split()), (
        "README.md's coverage figures differ from docs/coverage.md's: copy its summary line"
    )
