"""The last validated catalogue, remembered, so that an unchanged ids.yaml is not re-parsed.

Composing and checking the YAML of 10,000 papers takes about half a second, more than any
other step of a warm refresh or a render; loading the checked result takes a fifth of
that. The memo is run state (``.litsync/catalogue.pickle``, outside git) and is used only
when
- it was made from the same bytes of the same file by the same code (fingerprint.py),
  and
- it was made on or before today: the date enters validation only through "not in the
  future" checks, so a catalogue that was valid then is valid now.
Otherwise, and whenever the memo cannot be read, the catalogue is parsed as usual. Errors
are never remembered. Unpickling admits only litsync's own dataclasses, paths and dates,
so a planted file cannot make litsync run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import pickle
from datetime import date
from pathlib import Path
from typing import Any

from litsync import catalogue, collector, fingerprint
from litsync.catalogue import Catalogue
from litsync.files import write_atomic

MEMO_FILE = Path(".litsync") / "catalogue.pickle"
# The module a path's class is pickled under moved in Python 3.13 (pathlib._local).
_SAFE_CLASSES = {("datetime", "date"), (type(Path()).__module__, type(Path()).__name__)}


@collector.paused()
def load(
    path: Path, memo: Path, today: date | None = None, remember: bool = True
) -> tuple[Catalogue, str]:
    """What ``catalogue.load(path, today)`` returns, from `memo` when it still holds, and
    a hash of the text it comes from and of litsync's code (the key of the memo).

    With `remember`, a catalogue that had to be parsed is written to `memo` for next time.
    """
    text = catalogue.read(path)
    today = today or date.today()
    key = _key(path, text)
    recalled = _recall(memo, key, today)
    if recalled is not None:
        return recalled, key
    loaded = catalogue.parse(text, path, today)
    if remember:
        # Two pickles: what the memo was made from first, so that a memo of another text
        # is told from the first few bytes, without unpickling its catalogue.
        data = pickle.dumps((key, today), protocol=pickle.HIGHEST_PROTOCOL)
        data += pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # a memo not written only costs the next run time
            write_atomic(memo, data, durable=False)
    return loaded, key


def _recall(memo: Path, key: str, today: date) -> Catalogue | None:
    try:
        with memo.open("rb") as stream:
            remembered_key, made_on = _Unpickler(stream).load()
            if remembered_key != key or not made_on <= today:
                return None
            loaded = _Unpickler(stream).load()  # a pickle of its own: an unpickler of its own
    except Exception:  # missing, damaged or foreign: no memo, whatever the reason
        return None
    return loaded if isinstance(loaded, Catalogue) else None


def _key(path: Path, text: str) -> str:
    return hashlib.sha256("\0".join([fingerprint.code(), str(path), text]).encode()).hexdigest()


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
