"""Writing files so that a crash or a kill never leaves half of one behind."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".litsync-tmp"
CHUNK = 1 << 20  # bytes of a file read at a time


def write_atomic(path: Path, text: str | bytes, durable: bool = True) -> bool:
    """Replace `path` with `text` (UTF-8, or bytes as they are) in one step, as
    `replacing` does; return False if it was already so.

    An unchanged file is not rewritten, so its modification time stays as it was.
    """
    return write_pieces(path, [text.encode("utf-8") if isinstance(text, str) else text], durable)


def write_pieces(
    path: Path,
    pieces: Iterable[bytes],
    durable: bool = True,
    until: contextlib.ExitStack | None = None,
) -> bool:
    """`write_atomic` for bytes that come in pieces, none held longer than it takes to
    compare or write it. Pieces of about a chunk (see `chunked`) are compared fastest.

    Each piece is compared with the old file as it comes; from the first that differs,
    the rest are written after the old file's bytes before it. With `until`, the new
    file replaces the old one only when that stack closes without an error (and is
    removed if it closes with one), so that several files can be written all or none.
    """
    pieces = iter(pieces)
    with contextlib.ExitStack() as stack:
        try:
            old: BinaryIO | None = stack.enter_context(path.open("rb"))
        except FileNotFoundError:
            old = None
        same, piece = _compared(old, pieces) if old is not None else (0, b"")
        if piece is None:
            return False  # every byte as it was, and no more of them
        with contextlib.ExitStack() as writing:
            stream = writing.enter_context(replacing(path, durable))
            if old is not None:
                for chunk in read_range(old, 0, same):
                    stream.write(chunk)
            stream.write(piece)
            for piece in pieces:
                stream.write(piece)
            if until is not None:
                until.push(writing.pop_all())  # written whole: `until` decides its fate
    return True


def holds(path: Path, pieces: Iterable[bytes]) -> bool:
    """Whether the file at `path` holds the bytes of `pieces` and no others (False if
    there is none), each piece compared as it comes, none held longer."""
    try:
        with path.open("rb") as old:
            return _compared(old, iter(pieces))[1] is None
    except FileNotFoundError:
        return False


def _compared(old: BinaryIO, pieces: Iterator[bytes]) -> tuple[int, bytes | None]:
    """`pieces` compared with the bytes of `old` as they come: how many bytes are the
    same before the first piece that differs, and that piece; None for the piece when
    every one is the same and `old` holds no more (b"" when it does)."""
    same = 0
    for piece in pieces:
        if old.read(len(piece)) != piece:
            return same, piece
        same += len(piece)
    return same, b"" if old.read(1) else None


def chunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes of `pieces` again, joined into pieces of a chunk or more (a piece that
    is larger is passed on as it is, not copied)."""
    batch: list[bytes] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


def read_range(stream: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """Bytes `start` to `end` of an open file, a chunk at a time; raise OSError if the
    file ends before."""
    stream.seek(start)
    while start < end:
        chunk = stream.read(min(CHUNK, end - start))
        if not chunk:
            raise OSError(f"{stream.name} shrank while it was being read")
        start += len(chunk)
        yield chunk


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


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a chunk at a time."""
    with path.open("rb") as stream:
        return stream_digest(stream)


def stream_digest(stream: BinaryIO) -> str:
    """The SHA-256 of the bytes of an open file, from where it stands to its end."""
    hashed = hashlib.sha256()
    hash_stream(hashed, stream)
    return hashed.hexdigest()


def hash_file(hashed: hashlib._Hash, path: Path) -> None:
    """Add a file's bytes to `hashed`, a chunk at a time (a large file is never read
    whole)."""
    with path.open("rb") as stream:
        hash_stream(hashed, stream)


def hash_stream(hashed: hashlib._Hash, stream: BinaryIO) -> None:
    while chunk := stream.read(CHUNK):
        hashed.update(chunk)


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
