"""Work in a forked child beside work in the parent: results, errors and no child left."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from forking import gone

from litsync.errors import ForkedError, TemplateError
from litsync.forked import ChildTraceback, both, fork_is_safe

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")


def open_files() -> list[str]:
    return sorted(os.listdir("/proc/self/fd"))


def test_the_first_runs_in_a_child_beside_the_second(tmp_path: Path, forks: list[int]) -> None:
    parent = os.getpid()

    def first() -> tuple[int, str]:
        (tmp_path / "first").write_text("done")
        return os.getpid(), "first"

    assert fork_is_safe()
    files = open_files()
    (pid, name), then = both(first, lambda: (os.getpid(), "then"), "testing")
    assert open_files() == files
    assert forks == [pid] and pid != parent and gone(pid)
    assert (name, then) == ("first", (parent, "then"))
    assert (tmp_path / "first").read_text() == "done"


def test_without_fork_both_run_here_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    assert not fork_is_safe()
    order: list[str] = []
    assert both(lambda: order.append("first") or 1, lambda: order.append("then") or 2, "t") == (
        1,
        2,
    )
    assert order == ["first", "then"]


def test_when_no_process_can_be_forked_both_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    parent = os.getpid()
    files = open_files()
    assert both(os.getpid, os.getpid, "testing") == (parent, parent)
    assert open_files() == files  # the pipe made for the child is closed


def fails() -> None:
    raise TemplateError(Path("/list/templates/t.md.j2"), 3, "template syntax error: x")


def test_the_childs_error_is_raised_here_whole(forks: list[int]) -> None:
    with pytest.raises(TemplateError) as info:
        both(fails, lambda: None, "testing")
    err = info.value
    assert (err.path, err.line, err.problem) == (
        Path("/list/templates/t.md.j2"),
        3,
        "template syntax error: x",
    )
    assert err.located(Path("/list")) == "templates/t.md.j2:3: template syntax error: x"
    # Where it was raised, for a traceback that would otherwise show only the parent's.
    assert isinstance(err.__cause__, ChildTraceback) and "in fails" in str(err.__cause__)
    assert len(forks) == 1 and gone(forks[0])


def test_the_childs_error_comes_before_the_parents(tmp_path: Path, forks: list[int]) -> None:
    def then() -> None:
        (tmp_path / "then").write_text("ran")
        raise OSError("the parent's")

    with pytest.raises(TemplateError):
        both(fails, then, "testing")
    assert (tmp_path / "then").read_text() == "ran"  # the parent's work is not skipped
    assert gone(forks[0])


def test_the_parents_error_waits_for_the_child(tmp_path: Path, forks: list[int]) -> None:
    def first() -> None:
        time.sleep(0.2)
        (tmp_path / "first").write_text("done")

    def then() -> None:
        raise OSError("the parent's")

    with pytest.raises(OSError, match="the parent's"):
        both(first, then, "testing")
    # Ended, not killed: its file is whole, as it would be in sequence.
    assert (tmp_path / "first").read_text() == "done"
    assert gone(forks[0])


def test_a_child_that_dies_without_a_result(forks: list[int]) -> None:
    def killed() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ForkedError) as info:
        both(killed, lambda: None, "rendering x.md")
    assert str(info.value) == (
        "rendering x.md: its process ended without a result (killed by SIGKILL); run again"
    )
    assert gone(forks[0])

    with pytest.raises(ForkedError) as info:
        both(lambda: os._exit(3), lambda: None, "rendering x.md")
    assert str(info.value) == (
        "rendering x.md: its process ended without a result (exit code 3); run again"
    )
    assert gone(forks[1])


class Unloadable(Exception):
    """Pickles (its args are its message) but cannot load (__init__ wants two)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_an_error_that_cannot_be_sent_back_is_still_clear(forks: list[int]) -> None:
    def unpicklable() -> None:
        err = ValueError("bad value")
        err.handle = lambda: None  # type: ignore[attr-defined]  # lambdas do not pickle
        raise err

    def unloadable() -> None:
        raise Unloadable("this", "that")

    with pytest.raises(ForkedError, match=r"^rendering x\.md: ValueError: bad value$"):
        both(unpicklable, lambda: None, "rendering x.md")
    with pytest.raises(ForkedError, match=r"^rendering x\.md: Unloadable: this and that$") as info:
        both(unloadable, lambda: None, "rendering x.md")
    assert isinstance(info.value.__cause__, ChildTraceback)
    assert "in unloadable" in str(info.value.__cause__)
    assert all(gone(pid) for pid in forks)


class Interrupted(Exception):
    pass


@pytest.fixture
def alarm() -> Iterator[None]:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_parent_interrupted_while_it_waits_kills_and_reaps_the_child(
    alarm: None, forks: list[int]
) -> None:
    files = open_files()
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    started = time.monotonic()
    with pytest.raises(Interrupted):
        both(lambda: time.sleep(30), lambda: None, "testing")
    assert time.monotonic() - started < 10
    assert gone(forks[0]) and open_files() == files


def test_a_located_error_pickles_whole() -> None:
    err = TemplateError(Path("t.md.j2"), None, "template not found")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is TemplateError and copy.located() == err.located() == str(copy)
