"""Atomic writes that leave an unchanged file alone, compared a chunk at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from litsync.files import CHUNK, chunks, holds, replacing, write_atomic

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


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BIG, True),
        (b"", False),
        (BIG[:-1], False),  # one byte shorter
        (BIG + b"x", False),  # one byte longer
        (b"!" + BIG[1:], False),  # differs in the first chunk
        (BIG[:CHUNK] + b"!" + BIG[CHUNK + 1 :], False),  # the second's first
        (BIG[:-1] + b"!", False),  # the last byte of the last chunk
    ],
)
def test_holds_compares_every_byte(tmp_path: Path, data: bytes, expected: bool) -> None:
    path = tmp_path / "big"
    path.write_bytes(BIG)
    assert holds(path, data) is expected


def test_holds_needs_a_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        holds(tmp_path / "none", b"")


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


def test_chunks_are_the_file_in_order(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(BIG)
    parts = list(chunks(path))
    assert [len(p) for p in parts] == [CHUNK, CHUNK, len(BIG) - 2 * CHUNK]
    assert b"".join(parts) == BIG
