"""The arXiv source: an entry's paper from arXiv's record of it in the cache."""

from __future__ import annotations

from litsync.catalogue.model import Entry, Settings
from litsync.sources.paper import Paper, page_url
from litsync.store.cache import Cache


def claims(entry: Entry) -> bool:
    """Whether the entry is an arXiv paper."""
    return entry.arxiv_id is not None


def paper(entry: Entry, settings: Settings, cache: Cache) -> Paper | None:
    """The entry's paper; None until its record is fetched."""
    assert entry.arxiv_id is not None
    record = cache.get(entry.arxiv_id.base)
    if record is None:
        return None
    over = entry.overrides
    return Paper(
        title=over.title or record.title,
        authors=over.authors or tuple(record.authors),
        year=over.year or record.year(settings.year_from),
        abstract=over.abstract or record.abstract,
        url=page_url(entry.arxiv_id.abs_url),
        arxiv_id=str(entry.arxiv_id),
        version=record.version,
        withdrawn=record.withdrawn,
        missing=record.missing,
        published=record.published,
        day=record.day(settings.year_from),
        doi=record.doi,
        journal_ref=record.journal_ref,
        primary_category=record.primary_category,
    )
