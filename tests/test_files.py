"""Atomic writes that leave an unchanged file alone, compared a chunk at a time."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from litsync.files import (
    CHUNK,
    chunked,
    holds,
    read_range,
    replacing,
    write_atomic,
    write_pieces,
)

BIG = bytes(range(256)) * (CHUNK // 256) * 2 + b"tail"


@pytest.mark.parametrize("durable", [True, False])
def test_an_unchanged_file_is_not_written_again(tmp_path: Path, durable: bool) -> None:
    path = tmp_path / "out" / "big.txt"
    assert write_atomic(path, BIG, durable) is True
    os.chmod(path, 0o640)
    before = path.stat().st_mtime_ns
    assert write_atomic(path, BIG, durable) is False
    assert path.stat().st_mtime_ns == before
    changed = BIG[:-1] + b"!"
    assert write_atomic(path, changed, durable) is True
    assert path.read_bytes() == changed
    assert path.stat().st_mode & 0o777 == 0o640
    assert write_atomic(path, "text, é", durable) is True
    assert path.read_bytes() == "text, é".encode()
    assert [p.name for p in path.parent.iterdir()] == ["big.txt"]  # no temporary file left


VARIANTS = [
    b"",
    BIG[:-1],  # one byte shorter
    BIG + b"x",  # one byte longer
    b"!" + BIG[1:],  # differs in the first chunk
    BIG[:CHUNK] + b"!" + BIG[CHUNK + 1 :],  # the second's first byte
    BIG[:-1] + b"!",  # the last byte of the last chunk
]


def split(data: bytes, sizes: list[int]) -> list[bytes]:
    """`data` in pieces of these sizes, in turn, the last one holding the rest."""
    pieces, at = [], 0
    for size in sizes:
        pieces.append(data[at : at + size])
        at += size
    return [*pieces, data[at:]]


PIECES = [[], [0, 1, 0], [CHUNK - 1, 2], [100] * 30 + [CHUNK]]


@pytest.mark.parametrize("sizes", PIECES)
@pytest.mark.parametrize("data", [BIG, *VARIANTS])
def test_pieces_are_compared_and_written_byte_for_byte(
    tmp_path: Path, data: bytes, sizes: list[int]
) -> None:
    path = tmp_path / "big"
    path.write_bytes(BIG)
    os.utime(path, ns=(0, 0))
    # The file holds the pieces if it has their bytes and no more.
    assert holds(path, split(data, sizes)) is (data == BIG)
    assert write_pieces(path, split(data, sizes), durable=False) is (data != BIG)
    assert path.read_bytes() == data
    assert (path.stat().st_mtime_ns == 0) is (data == BIG)  # unchanged: not rewritten
    assert [p.name for p in tmp_path.iterdir()] == ["big"]


@pytest.mark.parametrize("sizes", PIECES)
def test_pieces_make_a_new_file(tmp_path: Path, sizes: list[int]) -> None:
    path = tmp_path / "new" / "big"
    assert not holds(path, split(BIG, sizes))
    assert write_pieces(path, split(BIG, sizes)) is True
    assert path.read_bytes() == BIG


def test_chunked_joins_small_pieces_and_passes_large_ones_on() -> None:
    large = bytes(CHUNK + 1)
    parts = list(chunked([b"a"] * 10 + [large, b"b", b"c"]))
    assert [len(p) for p in parts] == [10 + CHUNK + 1, 2]
    assert b"".join(parts) == b"a" * 10 + large + b"bc"
    assert next(chunked([large])) is large
    assert list(chunked([])) == []


def test_a_failed_replacement_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "memo"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path, durable=False) as stream:
        stream.write(b"half of the new")
        raise RuntimeError("killed halfway")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["memo"]
    with replacing(path, durable=False) as stream:
        stream.write(b"new")
    assert path.read_bytes() == b"new"


def test_a_range_of_a_file_is_read_a_chunk_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(BIG)
    with path.open("rb") as stream:
        parts = list(read_range(stream, 5, len(BIG)))
        assert [len(p) for p in parts] == [CHUNK, len(BIG) - 5 - CHUNK]
        assert b"".join(parts) == BIG[5:]
        assert b"".join(read_range(stream, 3, 9)) == BIG[3:9]
        with pytest.raises(OSError, match="shrank"):
            list(read_range(stream, len(BIG) - 2, len(BIG) + 1))


def test_files_written_until_a_stack_closes_replace_theirs_all_or_none(tmp_path: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_bytes(b"old one")
    with contextlib.ExitStack() as until:
        assert write_pieces(one, [b"new ", b"one"], until=until)
        assert write_pieces(two, [b"new two"], until=until)
        assert one.read_bytes() == b"old one" and not two.exists()
    assert (one.read_bytes(), two.read_bytes()) == (b"new one", b"new two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.txt", "two.txt"]

    with pytest.raises(RuntimeError), contextlib.ExitStack() as until:
        assert write_pieces(one, [b"newer one"], until=until)
        assert not write_pieces(two, [b"new two"], until=until)  # unchanged: nothing to do
        raise RuntimeError("what the files were written with failed")
    assert (one.read_bytes(), two.read_bytes()) == (b"new one", b"new two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.txt", "two.txt"]


def test_a_file_that_fails_halfway_is_not_kept_for_its_stack(tmp_path: Path) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"half"
        raise ValueError("the rest could not be made")

    path = tmp_path / "file.txt"
    path.write_bytes(b"old")
    with contextlib.ExitStack() as until, pytest.raises(ValueError):
        write_pieces(path, pieces(), until=until)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]
