"""The maintainer as a source: a paper not on arXiv, described in its catalogue entry."""

from __future__ import annotations

from litsync.catalogue.model import Entry, Settings
from litsync.sources.paper import Paper, page_url
from litsync.store.cache import Cache


def claims(entry: Entry) -> bool:
    """Whether the entry is a manual one, with its own `url:`."""
    return entry.url is not None


def paper(entry: Entry, settings: Settings, cache: Cache) -> Paper:
    """The entry's paper, from its own fields (the loader guarantees title, url and year)."""
    over = entry.overrides
    assert entry.url is not None and over.title is not None and over.year is not None
    return Paper(
        title=over.title,
        authors=over.authors or (),
        year=over.year,
        abstract=over.abstract or "",
        url=page_url(entry.url),
        arxiv_id=None,
        version=None,
        version_day=None,
        withdrawn=False,
        missing=False,
        published=None,
        day=None,
        doi=None,
        journal_ref=None,
        primary_category=None,
        categories=(),
        comment=None,
        venue=None,
        links=(),
    )
