"""Each paper's export entries, found again in the exports last written, so that a render
makes anew only the entries of papers whose citation changed.

Making the BibTeX entries and CSL items of 10,000 papers (names split, text encoded for
LaTeX) takes longer than the rest of a render together, and each depends only on its
paper's citation source (citations.Source) and on litsync's code. The export files
themselves hold every entry the last render made, so the memo (``.litsync/exports.pickle``,
run state outside git) is only an index into them: for a digest of each paper's source,
its draft's key, the key it was written under, and where its entry lies in each file.
A paper whose source is unchanged is copied from the old file, a run of such papers in
one read, and only its key is written anew when it changed: the entries of the last
render are never held in memory nor kept twice on disk (the exports of 10,000 papers
of arXiv's text are 35 MB).

The index is used only when it was made by the same code (fingerprint.py) for the same
exports, and a file only while it holds the bytes the index was made for (its SHA-256),
so a file edited or checked out since is not read from. The index holds the papers of
the last render only. Unpickling admits no class at all (the index is made of strings,
bytes, numbers and tuples), so a planted file cannot make litsync run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol

import orjson

from litsync import fingerprint
from litsync.citations import Citable, Source
from litsync.files import read_range, stream_digest, write_atomic

MEMO_FILE = Path(".litsync") / "exports.pickle"
PIECES = 1 << 12  # pieces of entries made joined into one piece of a file

Entry = tuple[bytes, ...]
"""A paper's entry in one export, without its key, in the parts the format makes."""
Made = tuple[str, tuple[Entry, ...]]
"""A paper's draft key and its entry in each of the memo's exports, in their order."""
Known = tuple[str, str, int]
"""What the index holds of a paper: its draft's key, the key it was written under, and
its row in each export's places."""


class Frame(Protocol):
    """How an export's file holds its papers' entries (exports.Format)."""

    @property
    def header(self) -> bytes: ...

    @property
    def separator(self) -> bytes: ...

    @property
    def footer(self) -> bytes: ...

    @property
    def empty(self) -> bytes: ...

    def keyed(self, key: str, entry: Entry) -> tuple[bytes, ...]: ...


class Places(NamedTuple):
    """Where each paper's entry lies in an export file, a row of numbers a paper: where
    its block (the entry under its key) starts and how long it is, then each of the
    entry's parts' offset in the block and length. Numbers in an array, not tuples of
    ints: for 10,000 papers, a megabyte instead of ten."""

    width: int
    """Numbers a row."""
    rows: array[int]


class Index(NamedTuple):
    """What the memo file holds."""

    files: tuple[str, ...]
    """The SHA-256 of each export file it describes, in the memo's order."""
    papers: dict[bytes, Known]
    """By the digest of a paper's citation source."""
    places: tuple[Places, ...]
    """In each export file."""


class Paper(NamedTuple):
    """One paper of a render, and what the memo knows of its entries."""

    digest: bytes
    """Of its citation source."""
    drafted: str
    """Its draft's key."""
    written: str | None
    """The key it was written under in the exports the index describes."""
    row: int | None
    """Its row in the places of those exports."""
    entries: tuple[Entry, ...] | None
    """Its entries, when they were made ahead of this render (`prepare`)."""
    citation: Citable | None
    """Its citation, when the memo did not know its entries: drafted for its key, they
    are made from it as each file is written, so that no export's entries are all held
    at once (those of 10,000 papers of arXiv's text took 32 MB)."""


NOTHING = Index((), {}, ())


class ExportMemo:
    """The index of the last render's exports, read when first needed (a render writes
    the document before its exports, and the two need not be in memory at once), and
    where this render puts each paper's entries, as its exports are written."""

    def __init__(self, path: Path, exports: Sequence[tuple[str, Path]], remembered: bool) -> None:
        """`exports`: each export's name and file; `remembered`: False for a memo that
        starts empty, with which every entry is made anew."""
        self.path = path
        self.exports = tuple(name for name, _ in exports)
        """The exports whose entries it holds, in the order of each paper's entries."""
        self._files = tuple(file for _, file in exports)
        self._key = "\0".join([fingerprint.code(), *self.exports])
        self._index: Index | None = None if remembered else NOTHING
        self._prepared: dict[bytes, Made] = {}
        self._cited: tuple[Sequence[Paper], Sequence[str]] = ((), ())
        self._places = [Places(0, array("q")) for _ in self.exports]

    def _remembered(self) -> Index:
        if self._index is None:
            self._index = _read(self.path, self._key, len(self.exports))
        return self._index

    def find(self, source: Source, draft: Callable[[Source], Citable]) -> Paper:
        """The paper with this source, with its entries made ahead, or where the last
        render wrote them, or else its citation drafted now by `draft`."""
        digest = _digest(source)
        made = self._prepared.get(digest)
        if made is not None:
            return Paper(digest, made[0], None, None, made[1], None)
        known = self._remembered().papers.get(digest)
        if known is not None:
            return Paper(digest, *known, None, None)
        citation = draft(source)
        return Paper(digest, citation.key, None, None, None, citation)

    def prepare(self, source: Source, make: Callable[[Source], Made]) -> None:
        """Make the paper's entries, unless remembered, for a render still to come."""
        digest = _digest(source)
        if digest not in self._remembered().papers:
            self._prepared[digest] = make(source)

    def file(
        self,
        export: int,
        frame: Frame,
        papers: Sequence[Paper],
        keys: Sequence[str],
        make: Callable[[int], Entry],
    ) -> Iterator[bytes]:
        """The bytes of the `export`th export, in pieces: each paper's entry under its
        key, in order, copied from the old file where it is there, else the entry made
        ahead of this render, else `make(number)`. `keys` are the papers' keys, made unique.
        Where each entry goes is remembered for `save`."""
        self._cited = papers, keys
        rows = array("q")
        if not papers:
            self._places[export] = Places(0, rows)
            yield frame.empty
            return
        with self._old_file(export) as old:
            width, known = self._remembered().places[export] if old else (0, rows)
            # What is yet to be passed on: a run of the old file to copy, and the pieces
            # made after it, joined: passed on one by one, the pieces of 10,000 papers
            # took 80,000 steps of this generator.
            run: list[int] = []  # start and end of the run
            made = [frame.header]

            def passed() -> Iterator[bytes]:
                """The run, then the bytes made after it, passed on."""
                if run and old is not None:
                    yield from read_range(old, *run)
                    run.clear()
                if made:
                    yield b"".join(made)
                    made.clear()

            at = len(frame.header)  # bytes of the new file before the next paper's
            keyed, separator = frame.keyed, b""
            for number, (paper, key) in enumerate(zip(papers, keys, strict=True)):
                place = None
                if width and paper.row is not None:
                    place = known[paper.row * width : (paper.row + 1) * width]
                if place is not None and key == paper.written:
                    start, size = place[0], place[1]
                    if run and run[1] + len(separator) == start:
                        run[1] = start + size  # the next block, with the separator before it
                    else:
                        made.append(separator)
                        yield from passed()
                        run += (start, start + size)
                    place[0] = at + len(separator)
                    rows += place
                    at += len(separator) + size
                elif old is not None and place is not None:
                    yield from passed()
                    pieces = keyed(key, _entry(old, place))  # under another key than before
                    made.append(separator)
                    made += pieces
                    at = _placed(rows, at + len(separator), pieces)
                else:
                    if run:
                        yield from passed()
                    made_now = paper.entries
                    pieces = keyed(key, make(number) if made_now is None else made_now[export])
                    made.append(separator)
                    made += pieces
                    at = _placed(rows, at + len(separator), pieces)
                    if len(made) > PIECES:
                        yield from passed()
                separator = frame.separator
            made.append(frame.footer)
            yield from passed()
        self._places[export] = Places(len(rows) // len(papers), rows)

    @contextlib.contextmanager
    def _old_file(self, export: int) -> Iterator[BinaryIO | None]:
        """The export's file as the index describes it, open; None if it does not hold
        the bytes the index was made for."""
        files = self._remembered().files
        if not files:
            yield None
            return
        try:
            stream = self._files[export].open("rb")
        except OSError:
            yield None
            return
        with stream:
            yield stream if stream_digest(stream) == files[export] else None

    def save(self, digests: Sequence[str]) -> None:
        """Remember where this render wrote each paper's entries, in export files whose
        bytes have these `digests` (SHA-256, in the memo's order); then let go of all."""
        papers, keys = self._cited
        index = Index(
            tuple(digests),
            {
                paper.digest: (paper.drafted, key, number)
                for number, (paper, key) in enumerate(zip(papers, keys, strict=True))
            },
            tuple(self._places),
        )
        if index != self._remembered():
            places = tuple((width, rows.tobytes()) for width, rows in index.places)
            data = pickle.dumps(
                (self._key, index.files, index.papers, places), pickle.HIGHEST_PROTOCOL
            )
            with contextlib.suppress(OSError):  # not written, it only costs the next run time
                write_atomic(self.path, data, durable=False)
        self._index, self._prepared, self._cited = NOTHING, {}, ((), ())
        self._places = [Places(0, array("q")) for _ in self.exports]


def _placed(rows: array[int], at: int, pieces: Sequence[bytes]) -> int:
    """Add the row of an entry written at `at` as `pieces` (its parts at the odd places)
    to `rows`; where it ends."""
    row = [at, 0]
    for index, piece in enumerate(pieces):
        if index % 2:
            row += (row[1], len(piece))
        row[1] += len(piece)
    rows.extend(row)
    return at + row[1]


def _entry(old: BinaryIO, place: array[int]) -> Entry:
    """An entry's parts, read from the file it was written to."""
    start = place[0]
    return tuple(
        b"".join(read_range(old, start + offset, start + offset + size))
        for offset, size in zip(place[2::2], place[3::2], strict=True)
    )


def _read(path: Path, key: str, exports: int) -> Index:
    """The index at `path`, if it was made for `key`; nothing otherwise."""
    try:
        with path.open("rb") as stream:
            made_for, files, papers, places = _Unpickler(stream).load()
        index = Index(
            tuple(files),
            dict(papers),
            tuple(Places(width, array("q", rows)) for width, rows in places),
        )
        held = min((len(p.rows) // p.width for p in index.places if p.width >= 2), default=0)
        if (
            made_for != key
            or len(index.files) != exports
            or len(index.places) != exports
            or not all(0 <= row < held for _, _, row in index.papers.values())
        ):
            return NOTHING
        return index
    except Exception:  # missing, damaged or foreign: start afresh, whatever the reason
        return NOTHING


def _digest(source: Source) -> bytes:
    # JSON of strings, numbers, None and lists of strings says what they hold, and says it
    # alike in every process, as hash() does not; orjson writes it faster than repr(), and
    # SHA-256 is the fastest of hashlib's hashes where the CPU computes it.
    return hashlib.sha256(orjson.dumps(tuple(source))).digest()[:16]


class _Unpickler(pickle.Unpickler):
    """Rebuilds built-in values only; any class is refused unloaded."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} has no place in an export memo")
