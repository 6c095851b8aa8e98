"""Two pieces of work on two cores: one in a forked child process, one in the parent.

`both(first, then)` returns what ``first()`` and ``then()`` return, and raises what they
raise, as if they were called in that order; only, where a fork is safe, ``first`` runs
in a child forked from this process while ``then`` runs here. The child starts with a
copy of everything the parent has built, so the work needs no arguments sent to it; it
sends back its result, or the exception it raised, pickled through a pipe.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, NoReturn, TypeVar

from litsync.errors import ForkedError

A = TypeVar("A")
B = TypeVar("B")


def both(first: Callable[[], A], then: Callable[[], B], task: str) -> tuple[A, B]:
    """``(first(), then())``, with `first` in a forked child where that is safe.

    An error of `first` is raised in preference to one of `then`, as it would be were
    they called in order, and neither is raised before the child has ended; but `then`
    runs to its end even when `first` fails. `task` says what `first` does, for the error
    raised when its process ends without a result (ForkedError).
    """
    child = _Child.start(first, task) if fork_is_safe() else None
    if child is None:
        return first(), then()
    try:
        try:
            own = then()
        except BaseException:
            child.result()  # raises first's error if it had one: it would have come first
            raise
        return child.result(), own
    finally:
        child.stop()


def flush_output() -> None:
    """Write out what stdout and stderr hold yet, as Python's own exit would: before the
    process forks, or ends without that exit. A stream the process started without
    (`litsync render >&-`) is None, and skipped."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def fork_is_safe() -> bool:
    """Whether a child forked from this process can run Python code as its parent does.

    On Linux, a child that has not exec'd may do anything its parent could, but only if
    the parent runs a single thread: the child gets a copy of the calling thread alone,
    and a lock another thread held stays held in it for good. On macOS, the system
    frameworks that the standard library loads (e.g. for proxies and certificates) are
    not safe to use in a forked child, which may crash or hang: Python's multiprocessing
    stopped forking there for that reason. Windows cannot fork.
    """
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


@dataclass(frozen=True)
class _Done(Generic[A]):
    """What the child sends back when its work returned."""

    value: A


@dataclass(frozen=True)
class _Failed:
    """What the child sends back when its work raised: the error and where it was raised."""

    error: BaseException
    trace: str


class ChildTraceback(Exception):
    """The traceback of an error raised in the child, made the cause of the error
    re-raised here: the parent's own traceback would not show where it happened."""


class _Child(Generic[A]):
    def __init__(self, pid: int, pipe: int, task: str) -> None:
        self.pid = pid
        self.pipe = pipe  # the end the result is read from
        self.task = task
        self.reaped = False

    @classmethod
    def start(cls, work: Callable[[], A], task: str) -> _Child[A] | None:
        """The child doing `work`, or None if no process could be forked (short of
        memory or of processes): the work can still be done here."""
        # Buffered output would be copied into the child; os._exit drops the child's
        # copy, and flushed first it is printed once, before anything the work prints.
        flush_output()
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:
            os.close(read_end)
            _run_child(work, write_end, task)
        os.close(write_end)  # else the read end would never see the child's end of file
        return cls(pid, read_end, task)

    def result(self) -> A:
        """Wait for the child to end; its result, or its error raised here."""
        with os.fdopen(self.pipe, "rb") as pipe:
            self.pipe = -1
            sent = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        try:
            outcome: _Done[A] | _Failed = pickle.loads(sent)
        except Exception:  # nothing sent, or cut short: the child was killed
            raise ForkedError(self._died(status)) from None
        if isinstance(outcome, _Failed):
            outcome.error.__cause__ = ChildTraceback(outcome.trace)
            raise outcome.error
        return outcome.value

    def stop(self) -> None:
        """Kill and reap the child if `result` did not (it was interrupted)."""
        if self.pipe != -1:
            os.close(self.pipe)
        if not self.reaped:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.reaped = True

    def _died(self, status: int) -> str:
        code = os.waitstatus_to_exitcode(status)
        how = f"killed by {_signal_name(-code)}" if code < 0 else f"exit code {code}"
        return f"{self.task}: its process ended without a result ({how}); run again"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:  # a real-time signal has a number only
        return f"signal {number}"


def _run_child(work: Callable[[], A], pipe: int, task: str) -> NoReturn:
    # os._exit whatever happens: the child must never return into the parent's code (its
    # `finally` blocks, atexit handlers, buffered output), which would run them twice.
    # The child also holds the parent's open files, a lock's among them: were the parent
    # killed, the lock would stay taken until the child's work is done.
    code = 1
    try:
        outcome: _Done[A] | _Failed
        try:
            outcome = _Done(work())
        except BaseException as err:
            outcome = _Failed(err, "".join(traceback.format_exception(err)))
        with os.fdopen(pipe, "wb") as stream:
            stream.write(_pickled(outcome, task))
        code = 0
    finally:
        os._exit(code)


def _pickled(outcome: _Done[A] | _Failed, task: str) -> bytes:
    try:
        sent = pickle.dumps(outcome)
        # An exception whose __init__ takes other arguments than it passes on to
        # Exception's pickles, but fails to load: that must fail here, not in the parent.
        pickle.loads(sent)
        return sent
    except Exception as err:
        failed, trace = (
            (outcome.error, outcome.trace) if isinstance(outcome, _Failed) else (err, "")
        )
        error = ForkedError(f"{task}: {type(failed).__name__}: {failed}")
        return pickle.dumps(_Failed(error, trace))
