"""The cyclic garbage collector: paused while catalogues and caches load and files render."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from project import bundled_project

from litsync import catalogue, catalogue_memo, collector
from litsync.cache import Cache
from litsync.project import Project
from litsync.refresh import write_generated


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations collected while the test runs, with Python collecting as often as
    it can: at every allocation of a container."""
    collected: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(1)
    gc.callbacks.append(note)
    try:
        yield collected
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*thresholds)


def test_paused_leaves_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="inside"), collector.paused():
        raise ValueError("inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_and_rendering_collect_nothing(tmp_path: Path, collections: list[int]) -> None:
    project = Project(bundled_project(tmp_path, with_cache=True))
    paths = project.catalogue, project.catalogue_memo, project.cache
    # Unpaused, the 13 papers' catalogue alone makes Python collect hundreds of times;
    # paused, only entering and leaving the pause may (a few allocations each).
    before = len(collections)
    catalogue.load(paths[0])
    unpaused = len(collections) - before
    before = len(collections)
    loaded = catalogue_memo.load(paths[0], paths[1])
    cache = Cache.load(paths[2])
    written, _ = write_generated(project, loaded, cache)
    paused = len(collections) - before
    assert unpaused > 100
    assert paused < 20
    assert [changed for _, changed in written] == [True, True, True]
