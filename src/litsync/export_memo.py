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

When a render changes the entries of a few papers (an edited title, a new version), the
change is appended to the file instead of the whole memo being written again (35 MB for
10,000 papers of arXiv's text); once the changes appended add up to a quarter of the
memo, it is written whole. Every record names the code and exports it was made for, and
maps sources to entries, so whatever part of a file can be read is right to use.
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
        self._appended = 0
        """Entries added or dropped by the changes appended to the file since it was
        written whole."""
        self._prepared: dict[bytes, Made] = {}
        self._used: dict[bytes, Made] = {}

    @classmethod
    def load(cls, path: Path, exports: Sequence[str]) -> ExportMemo:
        """The memo at `path` if it was made for `exports` by this code; else an empty one."""
        return cls(path, exports, None)

    def _remembered(self) -> dict[bytes, Made]:
        if self._known is None:
            self._known, self._appended = _read(self.path, self._key)
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
        remembered = self._remembered()
        if self._used.keys() != remembered.keys():
            with contextlib.suppress(OSError):  # not written, it only costs the next run time
                self._write(remembered)
        self._known, self._prepared, self._used = {}, {}, {}

    def _write(self, remembered: dict[bytes, Made]) -> None:
        added = {digest: made for digest, made in self._used.items() if digest not in remembered}
        dropped = [digest for digest in remembered if digest not in self._used]
        appended = self._appended + len(added) + len(dropped)
        if remembered and appended <= len(self._used) // 4:
            change = pickle.dumps((self._key, added, dropped), protocol=pickle.HIGHEST_PROTOCOL)
            with self.path.open("ab") as stream:
                stream.write(change)  # one write: a concurrent render's cannot come inside
            return
        # Streamed to the file: a pickle in memory would be as large as the exports.
        with replacing(self.path, durable=False) as stream:
            pickle.dump((self._key, self._used), stream, protocol=pickle.HIGHEST_PROTOCOL)


def _read(path: Path, key: str) -> tuple[dict[bytes, Made], int]:
    """The entries of the memo at `path` if it was made for `key` (none otherwise), and
    how many the changes appended to it added or dropped."""
    try:
        with path.open("rb") as stream:
            made_for, known = _Unpickler(stream).load()
            if made_for != key or not isinstance(known, dict):
                return {}, 0
            appended = 0
            while True:
                try:
                    # An unpickler of its own: one keeps the objects of the records it read,
                    # and would give them for the same references in the next.
                    made_for, added, dropped = _Unpickler(stream).load()
                except EOFError:  # the end, between records (a cut record is an error)
                    return known, appended
                if made_for != key or not isinstance(added, dict) or not isinstance(dropped, list):
                    return {}, 0  # made for other code or exports, by a concurrent render
                known.update(added)
                for digest in dropped:
                    known.pop(digest, None)
                appended += len(added) + len(dropped)
    except Exception:  # missing, damaged or foreign: start afresh, whatever the reason
        return {}, 0


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
