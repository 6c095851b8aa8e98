"""A paper as the document and the exports see it, whichever source it comes from."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote


class Paper(NamedTuple):
    """What a source says about one catalogue entry, the maintainer's overrides applied."""

    title: str
    authors: tuple[str, ...]
    year: int
    """The document's year: the maintainer's, or the source's (settings.year_from)."""
    abstract: str
    url: str
    """The paper's page, as `page_url` makes it."""
    arxiv_id: str | None
    """As cited: with its version when the catalogue pins one; None off arXiv."""
    version: int | None
    """The version the fields describe; None off arXiv."""
    version_day: str | None
    """The day (YYYY-MM-DD) that version appeared; None off arXiv."""
    withdrawn: bool
    """The authors withdrew the paper."""
    missing: bool
    """The source no longer returns the paper; these are its last known data."""
    published: str | None
    """Date and time (ISO 8601) of the first version; None when the source has no dates."""
    day: str | None
    """Date and time of the version the year comes from (settings.year_from)."""
    doi: str | None
    """The DOI of the paper's publication (not arXiv's own DataCite DOI of the preprint)."""
    journal_ref: str | None
    """Where the paper was published, as its authors wrote it."""
    primary_category: str | None
    categories: tuple[str, ...]
    """Every category the paper is listed in, its primary one first; none off arXiv."""
    comment: str | None
    """The authors' comment (pages, figures, where it was accepted)."""
    venue: str | None
    """Where the paper was published: its journal reference, else a venue its authors'
    comment names ("Accepted at CVPR 2024"); None for a preprint."""
    links: tuple[tuple[str, str], ...]
    """Pages about the paper beside its own, each a label and a URL as `page_url` makes
    it: its DOI, and code, data and project pages its abstract or comment names."""


def page_url(url: str) -> str:
    """`url` with the characters a link cannot hold percent-encoded, so that it can stand
    inside a Markdown link's ``(...)`` or a BibTeX ``url`` field unchanged.

    >>> page_url("https://example.org/a paper (2020)")
    'https://example.org/a%20paper%20%282020%29'
    """
    return quote(url, safe=":/?#=&%+,;@!$'*~-._")
