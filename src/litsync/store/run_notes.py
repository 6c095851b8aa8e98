"""What the last refresh could not do: ids not found, ids arXiv rejected, papers left stale.

None of this is arXiv's data, so it stays out of the committed cache; refresh keeps it in
`.litsync/last-refresh.json` for `litsync changes` to report beside the cache's changes.
The notes name the cache file they were written with (by the digest of its bytes): once
the file has changed in another way (a pull, a checkout, a hand edit), they describe an
older state and are no longer reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from litsync.files import write_atomic
from litsync.sources import arxiv_ids

NOTES_FILE = Path(".litsync") / "last-refresh.json"


@dataclass(frozen=True)
class RunNotes:
    """The problems of one refresh, for the changelog."""

    not_found: tuple[str, ...] = ()
    """Ids arXiv did not return, even when asked twice."""
    rejected: Mapping[str, str] = field(default_factory=dict)
    """Ids arXiv refused (HTTP 400), with its reason."""
    stale: tuple[str, ...] = ()
    """Ids not fetched because arXiv failed; their cached data, if any, were kept."""
    failure: str | None = None
    """Why arXiv could not be reached, when it could not."""
    cache_digest: str = ""
    """Digest of the cache file as the refresh left it."""

    @classmethod
    def of(
        cls,
        cache_file: Path,
        not_found: Sequence[str] = (),
        rejected: Mapping[str, str] | None = None,
        stale: Sequence[str] = (),
        failure: str | None = None,
    ) -> RunNotes:
        """The notes of a refresh that left `cache_file` behind."""
        notes = (tuple(not_found), dict(rejected or {}), tuple(stale), failure)
        return cls(*notes, digest(cache_file))

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path, cache_file: Path) -> RunNotes:
        """The notes of the refresh that left `cache_file` as it is; empty if there are none."""
        # Losing these notes only shortens a changelog, so damage is not an error.
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            notes = cls(
                not_found=tuple(_texts(data["not_found"])),
                rejected={str(k): str(v) for k, v in data["rejected"].items()},
                stale=tuple(_texts(data["stale"])),
                failure=data["failure"] if isinstance(data["failure"], str) else None,
                cache_digest=str(data["cache_digest"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()
        return notes if notes.cache_digest == digest(cache_file) else cls()


def digest(cache_file: Path) -> str:
    """A fingerprint of the cache file's bytes (of none, if there is no file)."""
    try:
        data = cache_file.read_bytes()
    except FileNotFoundError:
        data = b""
    return hashlib.sha256(data).hexdigest()


def _texts(value: object) -> list[str]:
    """Identifiers as the refresh wrote them; anything else means the file is damaged."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("not a list of strings")
    for text in value:
        arxiv_ids.parse_written(text)
    return value
