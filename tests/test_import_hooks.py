"""A function runs on a module as soon as it is imported, and the module is not imported for it."""

from __future__ import annotations

import sys

import pytest

from labkit.import_hooks import when_imported


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A fresh importable package ``hooked_pkg`` with a module ``late``, gone from sys.modules afterwards."""
    (tmp_path / "hooked_pkg").mkdir()
    (tmp_path / "hooked_pkg" / "__init__.py").write_text("")
    (tmp_path / "hooked_pkg" / "late.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "hooked_pkg.late"
    for name in ("hooked_pkg.late", "hooked_pkg"):
        sys.modules.pop(name, None)


def test_the_function_runs_once_the_module_is_imported_and_not_before(package):
    seen: list[int] = []

    when_imported(package, lambda module: seen.append(module.VALUE))
    before = (package in sys.modules, list(seen))
    import hooked_pkg.late  # noqa: F401

    assert before == (False, [])
    assert seen == [1]


def test_a_module_already_imported_gets_the_function_at_once(package):
    import hooked_pkg.late  # noqa: F401

    seen: list[str] = []
    when_imported(package, lambda module: seen.append(module.__name__))

    assert seen == [package]


def test_asking_twice_runs_the_function_once(package):
    seen: list[int] = []

    def record(module):
        seen.append(module.VALUE)

    when_imported(package, record)
    when_imported(package, record)
    import hooked_pkg.late  # noqa: F401

    assert seen == [1]
