"""Fixture files fail with a message naming the file and the problem; unique names are valid and unique."""

from __future__ import annotations

import re

import pytest

from labkit import data
from labkit.data import FixtureError, load_json
from labkit.naming import unique_name


@pytest.fixture
def fixtures_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FIXTURES_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "fixture file 'x.json' not found"),
        ("{not json", "fixture 'x.json' is not valid JSON"),
        ("[1, 2]", 'must be an object with "source" and "data" keys'),
        ('{"source": " ", "data": []}', 'must name its source note in "source"'),
    ],
)
def test_a_bad_fixture_file_is_named_with_its_problem(fixtures_dir, content, message):
    if content is not None:
        (fixtures_dir / "x.json").write_text(content)
    with pytest.raises(FixtureError, match=re.escape(message)):
        load_json("x.json")


def test_a_good_fixture_gives_its_data(fixtures_dir):
    (fixtures_dir / "x.json").write_text('{"source": "000, [DB] PartiQL", "data": [1]}')
    assert load_json("x.json") == [1]


def test_every_shipped_json_fixture_names_its_source():
    for path in sorted(data.FIXTURES_DIR.rglob("*.json")):
        load_json(str(path.relative_to(data.FIXTURES_DIR)))


def test_unique_names_are_valid_bucket_names_and_never_repeat():
    names = {unique_name("My_Books!") for _ in range(1000)}
    assert len(names) == 1000
    assert all(re.fullmatch(r"labs-my-books-[0-9a-f]{8}", name) for name in names)


def test_a_long_prefix_is_cut_to_fit():
    assert len(unique_name("x" * 200)) == 63
