"""When a cached paper is due for a re-check against arXiv.

Each paper is re-checked once in every window of `max_age_days` days. The windows of
different papers are offset by a hash of the identifier, so a list of 10,000 papers
re-checks about 10,000 / 7 each night instead of all of them every seventh night.
The dates of the last checks live in `.litsync/state.json`, outside the committed cache:
a check that finds nothing new must not change a committed byte. Where no date is known
(a fresh clone, a new CI runner), a paper is due on the first night of its window, which
keeps the same even spread without any state.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import orjson

from litsync.files import write_atomic
from litsync.store.cache import JSON_OPTIONS

STATE_FILE = Path(".litsync") / "state.json"


def window(key: str, day: date, max_age_days: int) -> int:
    """The number of the re-check window `day` falls in, for paper `key`.

    With max_age_days=7, a paper whose phase is 3 has windows that start on the days
    whose ordinal is 4 modulo 7: consecutive windows are exactly one week apart.
    """
    phase = zlib.crc32(key.encode("utf-8")) % max_age_days
    return (day.toordinal() + phase) // max_age_days


def is_due(key: str, checked: date | None, today: date, max_age_days: int) -> bool:
    """Whether a cached paper last checked on `checked` should be fetched `today`."""
    if checked is None:
        yesterday = today - timedelta(days=1)
        return window(key, today, max_age_days) != window(key, yesterday, max_age_days)
    return window(key, checked, max_age_days) < window(key, today, max_age_days)


class CheckLog:
    """The date each paper was last checked against arXiv (uncommitted run state)."""

    def __init__(self, path: Path, checked: dict[str, date] | None = None) -> None:
        self.path = path
        self.checked = checked or {}

    @classmethod
    def load(cls, path: Path) -> CheckLog:
        # Losing this file only costs extra requests, so damage is not an error.
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            checked = {k: date.fromisoformat(v) for k, v in data["checked"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            checked = {}
        return cls(path, checked)

    def get(self, key: str) -> date | None:
        return self.checked.get(key)

    def mark(self, keys: Iterable[str], day: date) -> None:
        for key in keys:
            self.checked[key] = day

    def save(self) -> None:
        # Laid out as the cache is: sorted, indented, one paper a line.
        payload = {"checked": {k: v.isoformat() for k, v in sorted(self.checked.items())}}
        write_atomic(self.path, orjson.dumps(payload, option=JSON_OPTIONS))
