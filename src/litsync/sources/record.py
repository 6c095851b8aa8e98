"""What arXiv says about one paper, as fetched and as kept in the cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, get_type_hints

from litsync.catalogue.model import YearSource


class Record(NamedTuple):
    """What arXiv says about one paper (whitespace already normalised)."""

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

    def day(self, year_from: YearSource) -> str:
        """The date and time (ISO 8601) of the first version (published) or of this one."""
        return self.updated if year_from == "updated" else self.published

    def year(self, year_from: YearSource) -> int:
        """The year arXiv gives the paper: of its first version (published) or of this one."""
        return int(self.day(year_from)[:4])

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON object (its lists are the record's own: do not modify them)."""
        return self._asdict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        """Rebuild a record, checking every field's type: the file may be hand-edited."""
        if not isinstance(data, Mapping):
            raise ValueError("not a mapping")
        unknown = data.keys() - _FIELD_CHECKS.keys()
        if unknown:
            raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
        record = cls(**data)
        for name, value, check in zip(cls._fields, record, _FIELD_CHECKS.values(), strict=True):
            if not check(value):
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
_FIELD_CHECKS = {name: _CHECK_BY_TYPE[kind] for name, kind in get_type_hints(Record).items()}
