"""Writing files so that a crash or a kill never leaves half of one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".litsync-tmp"
COMPARE_CHUNK = 1 << 20  # bytes of the old file read at a time


def write_atomic(path: Path, text: str | bytes, durable: bool = True) -> bool:
    """Replace `path` with `text` (UTF-8, or bytes as they are) in one step; return False
    if it was already so.

    The bytes go to a temporary file in the same directory, are flushed and (if
    `durable`) fsynced, then renamed over the target: readers see the old file or the new
    one, never a mix. An unchanged file is not rewritten, so its modification time stays
    as it was. Memos pass `durable=False`: one lost to a power cut, old or empty, only
    costs the next run time, and fsyncing megabytes costs every run some.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if holds(path, data):
            return False
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _default_mode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            # mkstemp makes private files; a committed document must stay readable.
            os.fchmod(tmp.fileno(), mode)
            tmp.flush()
            if durable:
                os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_directory(path.parent)
    return True


def holds(path: Path, data: bytes) -> bool:
    """Whether the file holds exactly `data`; raise FileNotFoundError if there is none.

    Read a chunk at a time, so that a large file is never held twice in memory.
    """
    with path.open("rb") as stream:
        if os.fstat(stream.fileno()).st_size != len(data):
            return False
        view = memoryview(data)
        for start in range(0, len(data), COMPARE_CHUNK):
            if stream.read(COMPARE_CHUNK) != view[start : start + COMPARE_CHUNK]:
                return False
    return True


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
    """Delete temporary files a killed run left behind (call it holding the project lock)."""
    for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)
