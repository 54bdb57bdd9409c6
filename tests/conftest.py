"""Tests of labkit itself: most run a small pytest session of their own with ``pytester``."""

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _labs_clean_state():
    """labkit's own tests set up backends themselves: no moto mock wrapped around them (it would nest)."""
    yield


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Nested sessions load no hypothesis plugin, as ours do not: loaded in-process, it leaves hypothesis believing
    it is still starting up, and the Newick lab's property test, later in the same worker, warns of slow code."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
    return pytester
