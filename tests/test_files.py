"""Atomic writes that leave an unchanged file alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from litsync.files import replacing, write_atomic

BIG = bytes(range(256)) * 8192 + b"tail"


def test_an_unchanged_file_is_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "out" / "big.txt"
    assert write_atomic(path, BIG) is True
    os.chmod(path, 0o640)
    before = path.stat().st_mtime_ns
    assert write_atomic(path, BIG) is False
    assert path.stat().st_mtime_ns == before
    changed = BIG[:-1] + b"!"
    assert write_atomic(path, changed) is True
    assert path.read_bytes() == changed
    assert path.stat().st_mode & 0o777 == 0o640
    assert write_atomic(path, "text, é") is True
    assert path.read_bytes() == "text, é".encode()
    assert [p.name for p in path.parent.iterdir()] == ["big.txt"]  # no temporary file left


def test_a_failed_replacement_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "document.md"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path) as stream:
        stream.write(b"half of the new")
        raise RuntimeError("killed halfway")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["document.md"]
    with replacing(path) as stream:
        stream.write(b"new")
    assert path.read_bytes() == b"new"
