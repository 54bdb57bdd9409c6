"""``-n auto`` starts one xdist worker more than the cores: labs wait now and then, and the extra worker runs
meanwhile. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set."""

from __future__ import annotations

import os

from labkit.plugin import pytest_xdist_auto_num_workers


def test_auto_is_one_worker_more_than_the_usable_cores(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    assert pytest_xdist_auto_num_workers(config=None) == 3


def test_the_environment_variable_is_left_to_xdist(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "5")

    assert pytest_xdist_auto_num_workers(config=None) is None
