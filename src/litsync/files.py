"""Writing files so that a crash or a kill never leaves half of one behind, and one run
at a time per project."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from litsync.errors import LockedError

TEMP_SUFFIX = ".litsync-tmp"
LOCK_FILE = Path(".litsync") / "lock"


def write_atomic(path: Path, content: str | bytes) -> bool:
    """Replace `path` with `content` (text as UTF-8) in one step; return False if it
    already held those bytes, in which case it is left untouched (its modification time
    too)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    with replacing(path) as stream:
        stream.write(data)
    return True


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A file to write that replaces `path` when the block ends, or is removed if it fails.

    The bytes go to a temporary file in the same directory, are flushed and fsynced, then
    renamed over the target: readers see the old file or the new one, never a mix.
    """
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _default_mode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            yield tmp
            # mkstemp makes private files; a committed document must stay readable.
            os.fchmod(tmp.fileno(), mode)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    # The rename itself lives in the directory; without this a power cut may undo it.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(directory: Path) -> None:
    """Delete the temporary files a killed run left behind (call it holding the project
    lock: each write goes to a file of its own renamed over its target, so what is left
    of one is litter, never a file in use)."""
    for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def project_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`, or raise LockedError at once if it is taken, so
    that an overlapping cron run cannot interleave with this one.

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
