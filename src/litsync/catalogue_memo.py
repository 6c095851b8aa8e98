"""The last validated catalogue, remembered, so that ids.yaml is parsed again only where
it changed.

Composing and checking the YAML of 10,000 papers takes about a third of a second, more
than any other step of a warm refresh or a render; loading the checked result takes a
tenth of that. The memo is run state (``.litsync/catalogue.pickle``, outside git): the
catalogue, the text it was parsed from, and where its entries lie in it (catalogue.Layout).
It is used only when
- it was made from the same file by the same code (fingerprint.py), and
- it was made on or before today: the date enters validation only through "not in the
  future" checks, so a catalogue that was valid then is valid now.
When the text is the same, the catalogue is the memo's; when an edit changed a few
entries, only those are read again (catalogue_splice.py). Otherwise, and whenever the
memo cannot be read, the catalogue is parsed as usual. Errors are never remembered.
Unpickling admits only litsync's own dataclasses, paths and dates, so a planted file
cannot make litsync run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import pickle
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from litsync import catalogue, collector, fingerprint
from litsync.catalogue import Catalogue, Layout
from litsync.catalogue_splice import splice
from litsync.files import write_atomic

MEMO_FILE = Path(".litsync") / "catalogue.pickle"
# The module a path's class is pickled under moved in Python 3.13 (pathlib._local).
_SAFE_CLASSES = {("datetime", "date"), (type(Path()).__module__, type(Path()).__name__)}


class Loaded(NamedTuple):
    """A validated catalogue, what it was made from, and how to remember it."""

    catalogue: Catalogue
    key: str
    """A hash of the text the catalogue comes from and of litsync's code."""
    remember: Callable[[], None]
    """Writes the memo for next time if the catalogue had to be read, in part or whole
    (else does nothing). Left to the caller: pickling 10,000 entries takes 25 to 40 ms,
    which a render spends on its second core (refresh.write_generated)."""


@collector.paused()
def load(path: Path, memo: Path, today: date | None = None) -> Loaded:
    """What ``catalogue.load(path, today)`` returns, from `memo` as far as it still holds."""
    return parse(path, memo, catalogue.read(path), today)


@collector.paused()
def parse(path: Path, memo: Path, text: str, today: date | None = None) -> Loaded:
    """The catalogue of `text`, were it the text of `path` (what ``catalogue.parse(text,
    path, today)`` returns), from `memo` as far as it still holds: an edit about to be
    written is checked by reading again only the entries it touched."""
    today = today or date.today()
    made_by = _made_by(path)
    key = hashlib.sha256(f"{made_by}\0{text}".encode()).hexdigest()
    recalled = _recall(memo, made_by, key, text, today)
    if isinstance(recalled, Catalogue):
        return Loaded(recalled, key, _nothing)
    loaded, layout = recalled or catalogue.parse_laid_out(text, path, today)

    def remember() -> None:
        # Three pickles: what the memo was made from first, so that a memo of another file
        # or code is told from the first few bytes; the text last, read only after an edit.
        data = pickle.dumps((made_by, key, today), protocol=pickle.HIGHEST_PROTOCOL)
        data += pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
        data += pickle.dumps((text, layout), protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # a memo not written only costs the next run time
            write_atomic(memo, data, durable=False)

    return Loaded(loaded, key, remember)


def _nothing() -> None:
    """The memo already holds the catalogue."""


def _recall(
    memo: Path, made_by: str, key: str, text: str, today: date
) -> Catalogue | tuple[Catalogue, Layout] | None:
    """The memo's catalogue if it was made from `text`; the catalogue of `text` and its
    layout, spliced from the memo's, if it was made from an earlier version of it that
    had a layout; else None."""
    try:
        with memo.open("rb") as stream:
            # A pickle each, an unpickler each: one would resolve the references of the
            # next pickle to the objects of the last.
            remembered_by, remembered_key, made_on = _Unpickler(stream).load()
            if remembered_by != made_by or not made_on <= today:
                return None
            loaded = _Unpickler(stream).load()
            if not isinstance(loaded, Catalogue):
                return None
            if remembered_key == key:
                return loaded
            old_text, layout = _Unpickler(stream).load()
    except Exception:  # missing, damaged or foreign: no memo, whatever the reason
        return None
    if not isinstance(old_text, str) or not isinstance(layout, Layout):
        return None
    return splice(old_text, loaded, layout, text, today)


def _made_by(path: Path) -> str:
    """A hash of the file's path and of litsync's code."""
    return hashlib.sha256(f"{fingerprint.code()}\0{path}".encode()).hexdigest()


class _Unpickler(pickle.Unpickler):
    """Rebuilds only what a catalogue is made of; any other class is refused unloaded."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_CLASSES:
            return super().find_class(module, name)
        if module.split(".")[0] == "litsync":
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} has no place in a catalogue memo")
