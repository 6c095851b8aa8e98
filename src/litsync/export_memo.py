"""Each paper's export entries, remembered, so that a render remakes only the entries of
papers whose citation changed.

Making the BibTeX entries and CSL items of 10,000 papers (names split, text encoded for
LaTeX) takes longer than the rest of a render together, and each depends only on its
paper's citation source (citations.Source) and on litsync's code. The memo
(``.litsync/exports.pickle``, run state outside git) maps a digest of each source to its
draft's key and its entries. It is used only when it was made by the same code
(fingerprint.py) for the same exports, and it holds the papers of the last render only,
so it never grows beyond the list. Unpickling admits no class at all (the memo is made of
strings, bytes, tuples and dicts), so a planted file cannot make litsync run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from litsync import fingerprint
from litsync.citations import Source
from litsync.files import replacing

MEMO_FILE = Path(".litsync") / "exports.pickle"

Made = tuple[str, tuple[Any, ...]]
"""A paper's draft key and its entry in each of the memo's exports, in their order."""


class ExportMemo:
    """The entries of the last render, by source; and those of this one, as they are made.

    The last render's are read from the file when first needed: a render writes the
    document before its exports, and the two need not be in memory at once."""

    def __init__(self, path: Path, exports: Sequence[str], known: dict[bytes, Made] | None) -> None:
        """`known`: the entries to start from; None for those of the file at `path`."""
        self.path = path
        self.exports = tuple(exports)
        """The exports whose entries it holds, in the order of each paper's entries."""
        self._key = _memo_key(exports)
        self._known = known
        self._prepared: dict[bytes, Made] = {}
        self._used: dict[bytes, Made] = {}

    @classmethod
    def load(cls, path: Path, exports: Sequence[str]) -> ExportMemo:
        """The memo at `path` if it was made for `exports` by this code; else an empty one."""
        return cls(path, exports, None)

    def _remembered(self) -> dict[bytes, Made]:
        if self._known is None:
            try:
                with self.path.open("rb") as stream:
                    key, known = _Unpickler(stream).load()
            except Exception:  # missing, damaged or foreign: start afresh, whatever the reason
                key, known = None, None
            self._known = known if key == self._key and isinstance(known, dict) else {}
        return self._known

    def entries(self, source: Source, make: Callable[[Source], Made]) -> Made:
        """The paper's draft key and entries for this render: prepared, remembered, or
        made by `make` now."""
        digest = _digest(source)
        made = self._prepared.get(digest) or self._remembered().get(digest) or make(source)
        self._used[digest] = made
        return made

    def prepare(self, source: Source, make: Callable[[Source], Made]) -> None:
        """Make the paper's entries, unless remembered, for a render still to come."""
        digest = _digest(source)
        if digest not in self._remembered():
            self._prepared[digest] = make(source)

    def save(self) -> None:
        """Keep the entries of this render's papers, unless they are what was loaded, and
        let go of all entries: a memo serves one render, and they are the size of the
        exports themselves."""
        if self._used.keys() != self._remembered().keys():
            # Not written, it only costs the next run time. Streamed to the file: a pickle
            # in memory would be as large as the exports.
            with contextlib.suppress(OSError), replacing(self.path, durable=False) as stream:
                pickle.dump((self._key, self._used), stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._known, self._prepared, self._used = {}, {}, {}


def _memo_key(exports: Sequence[str]) -> str:
    return "\0".join([fingerprint.code(), *exports])


def _digest(source: Source) -> bytes:
    # JSON of strings, numbers, None and lists of strings says what they hold, and says it
    # alike in every process, as hash() does not; orjson writes it faster than repr(), and
    # SHA-256 is the fastest of hashlib's hashes where the CPU computes it.
    return hashlib.sha256(orjson.dumps(tuple(source))).digest()[:16]


class _Unpickler(pickle.Unpickler):
    """Rebuilds built-in values only; any class is refused unloaded."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} has no place in an export memo")
