"""One litsync run at a time per project: an overlapping cron run must not interleave."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from litsync.errors import LockedError

LOCK_FILE = Path(".litsync") / "lock"


@contextmanager
def project_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`, or raise LockedError at once if it is taken.

    The kernel releases a flock when its process dies, so a killed run leaves no stale
    lock behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"another litsync run is working on this list (it holds {LOCK_FILE}); "
                "wait for it to finish and run again"
            ) from None
        yield
    finally:
        os.close(fd)
