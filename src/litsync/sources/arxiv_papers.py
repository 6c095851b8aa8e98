"""The arXiv source: an entry's paper from arXiv's record of it in the cache."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from litsync.catalogue.model import Entry, Settings
from litsync.sources.paper import Paper, page_url
from litsync.sources.record import Record
from litsync.store.cache import Cache

ARXIV_DOI_PREFIX = "10.48550/"
# "Accepted at CVPR 2024", "To appear in the Proceedings of …", "Published in IEEE T-RO":
# what the comment says after these words, up to the end of its sentence. A paper only
# "submitted to" a venue has none.
_VENUE = re.compile(
    r"\b(?:accepted|to appear|published|presented|appears?)\b(?:\s+for\s+publication)?"
    r"\s+(?:at|in|to|by|as|on)\s+(?:the\s+)?(?P<venue>[^.;]*[^.;\s,])",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`|\\^]+", re.ASCII)
# Words that, shortly before a URL, say it is a page about the paper: "Code and data are
# available at https://…", "Project page: https://…".
_NAMED_PAGE = re.compile(
    r"\b(?:project|page|website|site|code|data(?:set)?s?|available|released|demo|models?)\b"
    r"[^.]{0,40}$",
    re.IGNORECASE,
)
# A page's label by its host; another URL is a project page when the text names it so.
_HOST_LABELS = {
    "github.com": "Code",
    "gitlab.com": "Code",
    "huggingface.co": "Hugging Face",
    "zenodo.org": "Data",
    "kaggle.com": "Data",
}


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
        version_day=record.updated[:10],
        withdrawn=record.withdrawn,
        missing=record.missing,
        published=record.published,
        day=record.day(settings.year_from),
        doi=publication_doi(record),
        journal_ref=record.journal_ref,
        primary_category=record.primary_category,
        categories=tuple(record.categories),
        comment=record.comment,
        venue=record.journal_ref or venue_in(record.comment or ""),
        links=links_of(record),
    )


def venue_in(comment: str) -> str | None:
    """The venue an arXiv comment says the paper was published at, if it says so.

    >>> venue_in("Accepted for publication in the IEEE Transaction on Robotics (T-RO), 2019")
    'IEEE Transaction on Robotics (T-RO), 2019'
    >>> venue_in("8 pages. Submitted to IROS 2017") is None
    True
    """
    match = _VENUE.search(comment)
    return match["venue"] if match else None


def publication_doi(record: Record) -> str | None:
    """The DOI of the paper's publication: arXiv's own DataCite DOIs name the preprint."""
    doi = record.doi
    return doi if doi and not doi.startswith(ARXIV_DOI_PREFIX) else None


def links_of(record: Record) -> tuple[tuple[str, str], ...]:
    """The paper's DOI, then the pages its abstract and comment name, each once, in the
    order they are named."""
    links: dict[str, str] = {}
    doi = publication_doi(record)
    if doi:
        links[page_url("https://doi.org/" + doi)] = "DOI"
    text = f"{record.abstract} {record.comment or ''}"
    for match in _URL.finditer(text):
        url = page_url(match.group(0).rstrip(".,:;!?"))
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        label = _HOST_LABELS.get(host)
        if label is None and _NAMED_PAGE.search(text, 0, match.start()):
            label = "Project page"
        if label is not None:
            links.setdefault(url, label)
    return tuple((label, url) for url, label in links.items())
