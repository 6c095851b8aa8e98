"""What the maintainer writes in ``catalogue/ids.yaml``, as litsync holds it once read.

The reading and validating is in load.py; these classes are what every other part of
litsync sees of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from litsync.sources.arxiv_ids import ArxivId

CATALOGUE_FILE = Path("catalogue") / "ids.yaml"
YearSource = Literal["published", "updated"]
EXPORT_FORMATS = ("bibtex", "csl-json")
DEFAULT_MAX_RESULTS = 50
MAX_RESULTS_LIMIT = 2000  # the API's largest page; more than a reviewer reads anyway
CANDIDATES_FILE = "generated/candidates.md"


@dataclass(frozen=True)
class SavedSearch:
    """One arXiv API search that `litsync discover` runs, newest papers first."""

    query: str
    """An arXiv ``search_query``, e.g. ``abs:"synthetic data" AND cat:cs.CV``."""
    since: date | None = None
    """Only papers first submitted on or after this day."""
    max_results: int = DEFAULT_MAX_RESULTS
    """At most this many results (the newest)."""


@dataclass(frozen=True)
class DiscoverSettings:
    """The ``settings.discover`` block: where `litsync discover` looks, where it writes."""

    searches: tuple[SavedSearch, ...] = ()
    feeds: tuple[str, ...] = ()
    """Categories whose daily listing (``https://rss.arxiv.org/rss/CATEGORY``) is read."""
    output: str = CANDIDATES_FILE
    """The review file, relative to the project root."""


@dataclass(frozen=True)
class Settings:
    """Document-wide settings, the ``settings:`` block."""

    title: str = "Literature"
    """The document's title (first heading)."""
    introduction: str = ""
    """Markdown written by the maintainer, shown before the indexes (not escaped)."""
    index_note: str = ""
    """Markdown shown after the indexes, before the papers (not escaped)."""
    topics: tuple[str, ...] = ()
    """Order of the topic index; when set, every paper's topics must be among these."""
    year_from: YearSource = "published"
    """Which date gives a paper's year: first version (published) or latest (updated)."""
    max_age_days: int = 7
    """A cached paper is re-checked against arXiv once in this many days."""
    template: str = "document.md.j2"
    """Template file in ``templates/``, or one of litsync's defaults."""
    output: str = "generated/literature.md"
    """Where the document is written, relative to the project root."""
    discover: DiscoverSettings = field(default_factory=DiscoverSettings)
    """Saved searches and feeds of `litsync discover`."""
    exports: tuple[str, ...] = EXPORT_FORMATS
    """The exports written beside the document: ``bibtex``, ``csl-json``."""


@dataclass(frozen=True)
class Overrides:
    """Fields the maintainer sets by hand; they win over what arXiv says."""

    title: str | None = None
    year: int | None = None
    abstract: str | None = None
    authors: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Entry:
    """One paper of the catalogue: an arXiv paper, or a manual entry with a url."""

    line: int
    """Line of ids.yaml where the entry starts, for error messages."""
    usecase: str
    topics: tuple[str, ...]
    arxiv_id: ArxivId | None = None
    """None for a paper that is not on arXiv."""
    url: str | None = None
    """The link of a manual entry."""
    overrides: Overrides = field(default_factory=Overrides)

    @property
    def key(self) -> str:
        """A stable identity for the entry: its arXiv base id, or its url."""
        return self.arxiv_id.base if self.arxiv_id else f"url:{self.url}"


@dataclass(frozen=True)
class Rejection:
    """A paper the maintainer does not want proposed again."""

    line: int
    """Line of ids.yaml, for error messages."""
    arxiv_id: ArxivId
    reason: str = ""


@dataclass(frozen=True)
class Catalogue:
    """The loaded catalogue: settings and entries in the maintainer's order."""

    path: Path
    settings: Settings
    entries: tuple[Entry, ...]
    rejected: tuple[Rejection, ...] = ()
    """Papers `litsync discover` must not propose again (the top-level ``rejected:``)."""

    @property
    def arxiv_ids(self) -> list[ArxivId]:
        """The arXiv identifiers of all entries, in catalogue order."""
        return [e.arxiv_id for e in self.entries if e.arxiv_id is not None]
