"""Tests of labkit itself: most run a small pytest session of their own with ``pytester``."""

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _labs_clean_state():
    """labkit's own tests set up backends themselves: no moto mock wrapped around them (it would nest)."""
    yield
