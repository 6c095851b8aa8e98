"""The generated files, remembered: rendering is skipped when nothing it reads has changed.

Rendering 10,000 papers (the document, BibTeX and CSL-JSON) takes seconds; showing that
nothing it depends on has changed takes hundredths. The memo (``.litsync/rendered.json``,
run state outside git) holds a hash of all that rendering reads: the catalogue (by the
key of its own memo, which covers litsync's code and libraries), the cache file and the
project's templates; and a hash of each file it wrote. While both hold, rendering would
write those very bytes again, so it is skipped. The inputs are hashed before rendering
reads them, so an edit made during a run can cost a render but never hide one.
`litsync check` does not use the memo: it renders and compares.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from litsync.files import file_digest, hash_file, write_atomic

RENDER_MEMO = Path(".litsync") / "rendered.json"


def key(root: Path, catalogue_key: str, cache: Path, templates: Path) -> str:
    """A hash of what rendering reads, to be taken before it reads it."""
    digest = hashlib.sha256(catalogue_key.encode() + b"\0")
    files = [p for p in templates.rglob("*") if p.is_file()] if templates.is_dir() else []
    for path in [cache, *sorted(files)]:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        if not path.exists():
            digest.update(b"-\0")
            continue
        digest.update(b"+")
        hash_file(digest, path)
        digest.update(b"\0")
    return digest.hexdigest()


def recall(memo: Path, root: Path, key: str) -> tuple[list[str], list[str]] | None:
    """The generated files (relative to `root`) and the ids left out of them, when the
    memo was made for `key` and every file still holds what was written; None otherwise."""
    data = _made_for(memo, key)
    if data is None:
        return None
    try:
        files: dict[str, str] = data["files"]
        if any(file_digest(root / name) != made for name, made in files.items()):
            return None
        return list(files), list(data["unresolved"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # damaged or foreign: render


def rendered(memo: Path, key: str) -> bool:
    """Whether the last render was made for `key`: whether these very inputs rendered
    without an error (a memo is written once every file is)."""
    return _made_for(memo, key) is not None


def _made_for(memo: Path, key: str) -> dict[str, Any] | None:
    """The memo's data if it was made for `key`; None if not, or missing or damaged."""
    try:
        data = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("key") == key else None


def remember(
    memo: Path,
    key: str,
    files: Mapping[str, str],
    unresolved: Sequence[str],
) -> None:
    """Record that rendering for `key` wrote `files` (relative path: `digest` of its bytes)."""
    payload = {"key": key, "files": dict(files), "unresolved": list(unresolved)}
    with contextlib.suppress(OSError):  # a memo not written only costs the next run time
        write_atomic(memo, json.dumps(payload, indent=1) + "\n", durable=False)


class Hashing:
    """The pieces of a generated file's bytes, passed on as they are hashed."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = pieces
        self._hashed = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._pieces:
            self._hashed.update(piece)
            yield piece

    def digest(self) -> str:
        """The hash the memo keeps of the bytes passed on (`file_digest` of the file)."""
        return self._hashed.hexdigest()
