"""Tests of labkit itself: most run a small pytest session of their own with ``pytester``."""

import pytest

from labkit.backends import MotoServerBackend

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


@pytest.fixture(scope="module")
def moto_server():
    """A moto server for one test module: the stand-in for AWS where a test needs real HTTP or its own state."""
    server = MotoServerBackend()
    server.start()
    yield server
    server.stop()
