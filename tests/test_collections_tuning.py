"""Bulk work collects garbage less often, and leaves the thresholds as it found them."""
import gc

from plugin.core.collections_tuning import BULK_THRESHOLD, fewer_collections


def test_thresholds_are_raised_inside_and_restored_after_even_when_nested():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == BULK_THRESHOLD
        with fewer_collections():
            assert gc.get_threshold()[0] == BULK_THRESHOLD
        assert gc.get_threshold()[0] == BULK_THRESHOLD
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_work_fails():
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("the roster could not be read")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
