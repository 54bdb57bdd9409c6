"""The garbage collector is tuned for a lab run and put back as it was afterwards."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from labkit import collector


@pytest.fixture
def nothing_frozen() -> Iterator[None]:
    """This run froze its own objects; thaw them for the test, and freeze again after it."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.set_threshold(*thresholds)
    gc.freeze()


def frozen(obj: object) -> bool:
    """Whether a tracked object is frozen: the collector's generations no longer hold it."""
    return not any(found is obj for found in gc.get_objects())


def test_tune_freezes_what_is_alive_and_restore_thaws_it(nothing_frozen):
    alive = [[]]
    gc.set_threshold(700, 10, 10)

    tuning = collector.tune()
    tuned = (gc.get_threshold(), frozen(alive))
    tuning.restore()

    assert tuned == (collector.THRESHOLDS, True)
    assert (gc.get_threshold(), frozen(alive)) == ((700, 10, 10), False)


def test_restore_leaves_objects_frozen_by_someone_else_frozen(nothing_frozen):
    theirs = [[]]
    gc.freeze()

    collector.tune().restore()

    assert frozen(theirs)


def test_a_lab_run_is_tuned_and_the_process_is_put_back(pytester, nothing_frozen):
    pytester.makepyfile(
        f"""
        import gc

        def test_sees_the_tuning():
            assert gc.get_threshold() == {collector.THRESHOLDS}
            assert gc.get_freeze_count() > 0
        """
    )
    gc.set_threshold(1234, 11, 12)

    result = pytester.runpytest_inprocess("-p", "labkit.plugin", "-p", "no:randomly")

    result.assert_outcomes(passed=1)
    assert (gc.get_threshold(), gc.get_freeze_count()) == ((1234, 11, 12), 0)


def test_at_exit_what_is_alive_is_frozen_before_pythons_last_collection():
    # The probe is registered first, so it runs last (atexit is last in, first out): after the freeze.
    script = (
        "import atexit, gc\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0))\n"
        "from labkit import collector\n"
        "collector.tune().restore()\n"
        "print(gc.get_freeze_count())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)

    assert run.stdout.split() == ["0", "True"]  # thawed by restore(), frozen again at exit


def test_pytests_closing_collections_still_skip_the_frozen_objects(pytester, nothing_frozen, monkeypatch):
    # pytest collects garbage twice as it closes (to report unraisable exceptions): what the run froze need not
    # be walked then (2.3 s thawed, 1.7 s frozen, at the end of a serial ``pytest labs``).
    import _pytest.unraisableexception

    frozen_then: list[bool] = []
    collect = _pytest.unraisableexception.gc_collect_harder
    monkeypatch.setattr(
        _pytest.unraisableexception,
        "gc_collect_harder",
        lambda iterations: (frozen_then.append(gc.get_freeze_count() > 0), collect(iterations)),
    )
    pytester.makepyfile("def test_nothing():\n    pass\n")

    result = pytester.runpytest_inprocess("-p", "labkit.plugin", "-p", "no:randomly")

    result.assert_outcomes(passed=1)
    assert frozen_then == [True, True]
    assert gc.get_freeze_count() == 0  # and thawed once pytest is done
