"""Writing files so that a crash or a kill never leaves half of one behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".litsync-tmp"
CHUNK = 1 << 20  # bytes of a file read at a time


def write_atomic(path: Path, text: str | bytes, durable: bool = True) -> bool:
    """Replace `path` with `text` (UTF-8, or bytes as they are) in one step, as
    `replacing` does; return False if it was already so.

    An unchanged file is not rewritten, so its modification time stays as it was.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if holds(path, data):
            return False
    except FileNotFoundError:
        pass
    with replacing(path, durable) as stream:
        stream.write(data)
    return True


@contextlib.contextmanager
def replacing(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """A file to write that replaces `path` when the block ends, or is removed if it fails.

    The bytes go to a temporary file in the same directory, are flushed and (if
    `durable`) fsynced, then renamed over the target: readers see the old file or the new
    one, never a mix. Memos pass `durable=False`: one lost to a power cut, old or empty,
    only costs the next run time, and fsyncing megabytes costs every run some.
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
            if durable:
                os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_directory(path.parent)


def chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time, so that a large file is never read whole."""
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def holds(path: Path, data: bytes) -> bool:
    """Whether the file holds exactly `data`; raise FileNotFoundError if there is none.

    Read a chunk at a time, so that a large file is never held twice in memory.
    """
    if path.stat().st_size != len(data):
        return False
    view, at = memoryview(data), 0
    for chunk in chunks(path):
        if chunk != view[at : at + len(chunk)]:
            return False
        at += len(chunk)
    return at == len(data)


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
