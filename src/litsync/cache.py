"""The metadata cache: everything fetched from arXiv, committed with the catalogue.

One JSON file, keys sorted and indented, one paper per key, so that a commit shows
exactly which field of which paper changed and a fresh clone starts warm. The cache
holds arXiv's data only; when it was last checked lives in the run state (state.py),
so that a nightly re-check that finds nothing new changes no committed byte.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, get_type_hints

import orjson

from litsync import collector
from litsync.errors import CacheError
from litsync.files import write_atomic

CACHE_FILE = Path("catalogue") / "cache.json"
# orjson's layout with these is json.dumps(..., indent=2, ensure_ascii=False) + "\n".
JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
FORMAT_VERSION = 1


class Record(NamedTuple):
    """What arXiv says about one paper (whitespace already normalised).

    A named tuple, not a dataclass: loading a cache of 10,000 papers makes one each, and
    a tuple is made several times faster.
    """

    id: str
    """Identifier without version, the cache key."""
    version: int
    """The version these fields describe."""
    requested: str
    """The identifier as the catalogue asked for it (``1812.07252`` or ``1812.07252v2``)."""
    title: str
    authors: list[str]
    abstract: str
    published: str
    """Date and time of version 1, ISO 8601 in UTC."""
    updated: str
    """Date and time of this version, ISO 8601 in UTC."""
    primary_category: str
    categories: list[str]
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    withdrawn: bool = False
    """The latest version's comment says the paper was withdrawn."""
    missing: bool = False
    """arXiv stopped returning the paper; these are its last known data."""

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON object (its lists are the record's own: do not modify them)."""
        return self._asdict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        """Rebuild a record, checking every field's type: the file may be hand-edited."""
        if not isinstance(data, Mapping):
            raise ValueError("not a mapping")
        if data.keys() == _FIELD_CHECKS.keys():
            # A record litsync wrote has every field and no other: taken in one call, in a
            # third of the time of `cls(**data)`.
            record = cls._make(_FIELD_VALUES(data))
        else:
            unknown = data.keys() - _FIELD_CHECKS.keys()
            if unknown:
                raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
            record = cls(**data)
        # One lookup of the fields' types decides for almost every record, several times
        # faster than a check per field, which is left to find what is wrong.
        well_typed = tuple(map(type, record)) in _TYPES and record.version >= 1
        if well_typed and all(type(t) is str for t in record.authors + record.categories):
            return record
        for name, check in _FIELD_CHECKS.items():
            if not check(getattr(record, name)):
                raise ValueError(f"field {name!r} has the wrong type")
        return record


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_flag(value: object) -> bool:
    return isinstance(value, bool)


def _is_version(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


_CHECK_BY_TYPE = {
    str: _is_text,
    str | None: _is_optional_text,
    list[str]: _is_texts,
    bool: _is_flag,
    int: _is_version,
}
_FIELD_TYPES = get_type_hints(Record)
_FIELD_CHECKS = {name: _CHECK_BY_TYPE[kind] for name, kind in _FIELD_TYPES.items()}
_FIELD_VALUES = operator.itemgetter(*Record._fields)
# The types each field's check admits, for a record read from JSON; a list's items and
# the version's value are checked apart.
_JSON_TYPES = {str: (str,), str | None: (str, type(None)), list[str]: (list,), bool: (bool,),
               int: (int,)}  # fmt: skip
_TYPES = frozenset(itertools.product(*(_JSON_TYPES[kind] for kind in _FIELD_TYPES.values())))


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
    @collector.paused()
    def load(cls, path: Path) -> Cache:
        """Read the cache; a missing file is an empty cache, a damaged one an error."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        except OSError as err:
            raise CacheError(path, None, f"cannot read the cache: {err}") from None
        return cls.parse(path, data)

    @classmethod
    @collector.paused()
    def parse(cls, path: Path, data: bytes) -> Cache:
        """Read a cache from its file's bytes; `path` names it in error messages."""
        try:
            # Twice as fast as decoding the text and reading it with json, which is left
            # to say what is wrong with a file orjson cannot read (or to read what only
            # json accepts, such as a lone surrogate).
            return cls(path, _records_from(path, data, orjson.loads(data)))
        except orjson.JSONDecodeError:
            pass
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CacheError(path, None, f"cannot read the cache: {err}") from None
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as err:
            raise CacheError(
                path,
                err.lineno,
                f"the cache is not valid JSON ({err.msg}); restore it with "
                "`git checkout -- catalogue/cache.json` or delete it to refetch everything",
            ) from None
        return cls(path, _records_from(path, text, parsed))

    def save(self) -> bool:
        """Write the cache atomically; return whether its bytes changed.

        The file's text has a stable order and formatting, so diffs show only changes: it
        is what ``json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)``
        writes; orjson writes it ten times faster, which counts when a refresh of 10,000
        papers saves after every batch.
        """
        payload = {
            "format": FORMAT_VERSION,
            "papers": {key: self.records[key].to_json() for key in sorted(self.records)},
        }
        return write_atomic(
            self.path, orjson.dumps(payload, option=JSON_OPTIONS | orjson.OPT_SORT_KEYS)
        )


def _records_from(path: Path, text: str | bytes, data: object) -> dict[str, Record]:
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise CacheError(
            path, 1, f"not a litsync cache of format {FORMAT_VERSION}; restore it from git"
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


def _line_of(text: str | bytes, key: str) -> int | None:
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # read by orjson, so UTF-8
    needle = json.dumps(key) + ":"
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle):
            return number
    return None
