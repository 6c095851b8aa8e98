"""The metadata cache: everything fetched from arXiv, committed with the catalogue.

One JSON file, keys sorted and indented, one paper per key, so that a commit shows
exactly which field of which paper changed and a fresh clone starts warm. The cache
holds arXiv's data only; when it was last checked lives in the run state (schedule.py),
so that a nightly re-check that finds nothing new changes no committed byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from litsync.errors import CacheError
from litsync.files import write_atomic
from litsync.sources.record import Record

CACHE_FILE = Path("catalogue") / "cache.json"
# orjson's layout with these is json.dumps(..., indent=2, ensure_ascii=False) + "\n".
JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
FORMAT_VERSION = 1
TOP_KEYS = ("format", "papers")
RESTORE = (
    "litsync cannot read the cache whole, so it leaves it as it is: restore it with "
    "`git checkout -- catalogue/cache.json` or delete it to refetch everything"
)


class _DuplicateKey(ValueError):
    """A key written twice in one object of the cache's JSON."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Cache:
    """The records of all fetched papers, keyed by identifier without version."""

    def __init__(self, path: Path, records: Mapping[str, Record] | None = None) -> None:
        self.path = path
        self.records: dict[str, Record] = dict(records or {})

    def __contains__(self, key: str) -> bool:
        return key in self.records

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records.values())

    def get(self, key: str) -> Record | None:
        return self.records.get(key)

    def put(self, record: Record) -> None:
        self.records[record.id] = record

    def keep_only(self, keys: set[str]) -> list[str]:
        """Drop the records of papers no longer in the catalogue; return their keys."""
        dropped = sorted(set(self.records) - keys)
        for key in dropped:
            del self.records[key]
        return dropped

    @classmethod
    def load(cls, path: Path) -> Cache:
        """Read the cache; a missing file is an empty cache, a damaged one an error."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        except IsADirectoryError:
            raise CacheError(
                path, None, f"a folder stands where the cache's file should be; {RESTORE}"
            ) from None
        except OSError as err:
            raise CacheError(path, None, f"cannot read the cache: {err}") from None
        return cls.parse(path, data)

    @classmethod
    def parse(cls, path: Path, data: bytes) -> Cache:
        """Read a cache from its file's bytes; `path` names it in error messages.

        Only a file read whole is accepted: what litsync would not write back (a key twice,
        a key it does not know) is refused, never dropped at the next save.
        """
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CacheError(path, None, f"cannot read the cache: {err}") from None
        try:
            # json rather than orjson: only its hook sees an object's keys before they
            # are made a dict, which keeps the last of a key written twice.
            parsed = json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as err:
            raise CacheError(
                path,
                err.lineno,
                f"the cache is not valid JSON ({err.msg}); restore it with "
                "`git checkout -- catalogue/cache.json` or delete it to refetch everything",
            ) from None
        except _DuplicateKey as err:
            raise CacheError(
                path, None, f"the key {err.key!r} appears twice in one object; {RESTORE}"
            ) from None
        except RecursionError:
            raise CacheError(
                path, None, f"the cache nests too deeply to be read; {RESTORE}"
            ) from None
        return cls(path, _records_from(path, text, parsed))

    def save(self) -> bool:
        """Write the cache atomically; return whether its bytes changed.

        The file's text has a stable order and formatting, so diffs show only changes: it
        is what ``json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)``
        writes.
        """
        payload = {
            "format": FORMAT_VERSION,
            "papers": {key: self.records[key].to_json() for key in sorted(self.records)},
        }
        return write_atomic(
            self.path, orjson.dumps(payload, option=JSON_OPTIONS | orjson.OPT_SORT_KEYS)
        )


def _records_from(path: Path, text: str, data: object) -> dict[str, Record]:
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise CacheError(
            path, 1, f"not a litsync cache of format {FORMAT_VERSION}; restore it from git"
        )
    unknown = sorted(data.keys() - set(TOP_KEYS))
    if unknown:
        raise CacheError(
            path,
            _line_of(text, unknown[0]),
            f"unknown key {unknown[0]!r} at the cache's top level; {RESTORE}",
        )
    papers = data.get("papers")
    if not isinstance(papers, dict):
        raise CacheError(path, 1, "the cache has no `papers` mapping; restore it from git")
    records: dict[str, Record] = {}
    for key, value in papers.items():
        try:
            record = Record.from_json(value)
            if record.id != key:
                raise ValueError(f"its id is {record.id!r}")
        except (TypeError, ValueError) as err:
            raise CacheError(
                path,
                _line_of(text, key),
                f"entry {key!r} is damaged ({err}); restore the file from git "
                "or delete the entry to refetch it",
            ) from None
        records[key] = record
    return records


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """One JSON object as a dict; raise _DuplicateKey if a key appears twice in it."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _line_of(text: str, key: str) -> int | None:
    needle = json.dumps(key) + ":"
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle):
            return number
    return None
