"""Which source describes which catalogue entry: the one place a new source is added."""

from __future__ import annotations

from typing import Protocol

from litsync.catalogue.model import Entry, Settings
from litsync.sources import arxiv_papers, manual
from litsync.sources.paper import Paper
from litsync.store.cache import Cache


class Source(Protocol):
    """A module that describes the entries it claims."""

    def claims(self, entry: Entry) -> bool: ...

    def paper(self, entry: Entry, settings: Settings, cache: Cache) -> Paper | None:
        """The entry's paper; None while the source has nothing on it yet."""
        ...


# The first source that claims an entry describes it.
SOURCES: tuple[Source, ...] = (arxiv_papers, manual)


def paper_of(entry: Entry, settings: Settings, cache: Cache) -> Paper | None:
    """The entry's paper, from the source that claims it; None while it has nothing yet."""
    for source in SOURCES:
        if source.claims(entry):
            return source.paper(entry, settings, cache)
    raise ValueError(f"no source describes the entry at line {entry.line}")
