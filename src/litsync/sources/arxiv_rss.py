"""arXiv's daily listings: the RSS feeds at ``https://rss.arxiv.org/rss/CATEGORY``.

Each item is one announcement of the day: its description reads
``arXiv:2411.01234v1 Announce Type: new Abstract: …``, its authors are one
``dc:creator``. The feed is fetched through the harvester's polite session (the same
throttle, timeout and retry policy as the API) and only then given to feedparser, as
bytes, so feedparser never fetches anything itself.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass

import feedparser

from litsync.sources import arxiv_ids
from litsync.sources.arxiv_api import Harvester, normalise
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.http import PoliteAdapter

log = logging.getLogger(__name__)

DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"
# Replacements announce new versions of papers a listing already showed as new.
ANNOUNCE_TYPES = ("new", "cross")
_DESCRIPTION = re.compile(
    r"arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>\S+)\s*(?:Abstract:\s*(?P<abstract>.*))?",
    re.DOTALL,
)


@dataclass(frozen=True)
class ListingItem:
    """One paper announced in a daily listing."""

    arxiv_id: ArxivId
    """As announced, with its version."""
    title: str
    authors: tuple[str, ...]
    day: str
    """The announcement's day, YYYY-MM-DD."""
    abstract: str
    categories: tuple[str, ...]
    announce_type: str
    """``new``, ``cross``, ``replace`` or ``replace-cross``."""


def rss_url_from_env(option: str | None, env: dict[str, str] | None = None) -> str:
    """The listings' base URL: the option, else LITSYNC_RSS_URL, else arXiv's."""
    env = dict(os.environ) if env is None else env
    url = option or env.get("LITSYNC_RSS_URL") or DEFAULT_RSS_URL
    return url if url.endswith("/") else url + "/"


class ListingReader:
    """Reads daily listings through a harvester's connection, politeness and retries."""

    def __init__(self, harvester: Harvester, base_url: str) -> None:
        self.base_url = base_url
        self.harvester = harvester
        # Mounted on the listings' prefix only: API responses keep their Atom check.
        adapter = PoliteAdapter(harvester.throttle, harvester.config.timeout, root="rss")
        harvester.session.mount(base_url, adapter)

    def read(self, category: str) -> list[ListingItem]:
        """The papers of `category`'s latest listing; raise on failure, as the API does."""
        body = b""
        for attempt in self.harvester.retrying:
            with attempt:
                body = self.harvester.session.get(self.base_url + category).content
        return parse_listing(body)


def parse_listing(body: bytes) -> list[ListingItem]:
    """The items of an arXiv RSS listing, in feed order."""
    # arXiv's descriptions are plain text: read as HTML, feedparser would drop "<b and c>"
    # from "a<b and c>d" as a tag. Escaping for the review file happens at rendering.
    feed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    items: list[ListingItem] = []
    for entry in feed.entries:
        match = _DESCRIPTION.match(entry.get("summary", "").strip())
        arxiv_id = _announced_id(match)
        if match is None or arxiv_id is None:
            log.warning("ignoring a listing item without an arXiv id: %r", entry.get("title"))
            continue
        stamp = entry.get("published_parsed")
        items.append(
            ListingItem(
                arxiv_id=arxiv_id,
                title=normalise(entry.get("title")),
                authors=tuple(a.strip() for a in entry.get("author", "").split(",") if a.strip()),
                day=f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}" if stamp else "",
                abstract=normalise(match["abstract"]),
                categories=tuple(tag.term for tag in entry.get("tags", [])),
                announce_type=match["type"],
            )
        )
    return items


def _announced_id(match: re.Match[str] | None) -> ArxivId | None:
    if match is None:
        return None
    try:
        # The service's own ids are trusted for their date, as in API results.
        return arxiv_ids.parse_written(match["id"])
    except ValueError:
        return None
