"""`litsync discover`: papers the catalogue does not list yet, for a maintainer to review.

Runs arXiv API searches (newest first, optionally since a day) and reads daily listing
feeds, drops every paper already listed (in any form) or rejected, and writes the rest
to a review file with a ready `litsync add` and `litsync reject` line and a catalogue
entry to paste each. Nothing is ever added to the catalogue. All requests share one
polite connection: the same throttle, timeouts and retries as `refresh`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import requests

from litsync.catalogue.edit import entry_text
from litsync.catalogue.load import load
from litsync.catalogue.model import DEFAULT_MAX_RESULTS, Catalogue, DiscoverSettings
from litsync.catalogue.settings import feed_problem, query_problem
from litsync.errors import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNREACHABLE,
    CatalogueError,
    IdentifierError,
    OptionError,
    ServiceError,
)
from litsync.files import write_atomic
from litsync.output.document import render_document
from litsync.output.markdown import Trusted, link_target
from litsync.project import Project
from litsync.sources import arxiv_ids
from litsync.sources.arxiv_api import HarvestConfig, Harvester, describe
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.arxiv_rss import ANNOUNCE_TYPES, ListingItem, ListingReader
from litsync.sources.http import Clock
from litsync.sources.record import Record

log = logging.getLogger(__name__)

TEMPLATE = "candidates.md.j2"
SEARCH_PAGE_SIZE = 100  # newest first: small pages let a `since` cut-off stop early
EXCERPT_CHARS = 300
AUTHORS_SHOWN = 10
REFUSED_STATUSES = frozenset({400, 404})  # arXiv does not know the query or category


@dataclass(frozen=True)
class Source:
    """One place discover looks: an API search or a category's daily listing."""

    kind: Literal["search", "listing"]
    name: str
    """The query, or the category."""
    label: str
    """How the review file refers to it: ``search 1``, ``cs.CV listing``."""
    since: date | None = None
    max_results: int = 0

    @property
    def description(self) -> str:
        """What was searched, for the review file's header."""
        if self.kind == "listing":
            return f"arXiv's daily listing of {self.name} (new papers and cross-lists)"
        since = f", submitted since {self.since.isoformat()}" if self.since else ""
        return f"arXiv search {self.name} (the newest {self.max_results}{since})"


@dataclass(frozen=True)
class Candidate:
    """A paper found by at least one source and not in the catalogue."""

    arxiv_id: ArxivId
    """Without version: the catalogue lists the latest."""
    title: str
    authors: tuple[str, ...]
    day: str
    """YYYY-MM-DD: first submitted (searches) or announced (listings)."""
    day_label: str
    abstract: str
    categories: tuple[str, ...]
    found_by: tuple[str, ...]
    """Labels of the sources that found it, in source order."""


@dataclass
class DiscoverReport:
    """What a discover run found and skipped, for the summary and the exit code."""

    sources: list[Source] = field(default_factory=list)
    found: int = 0
    """Distinct papers the sources returned."""
    listed: int = 0
    """Of those, already in the catalogue."""
    rejected: int = 0
    """Of those, on the catalogue's rejected list."""
    candidates: list[Candidate] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    """Sources that could not be read, by label, with the reason."""
    refused: bool = False
    """Every failure was arXiv refusing a query or category (not an outage)."""
    output: str = ""
    """The review file, or "" when no source could be read and it was left as it was."""
    changed: bool = False

    @property
    def exit_code(self) -> int:
        if not self.failures:
            return EXIT_OK
        return EXIT_NOT_FOUND if self.refused else EXIT_UNREACHABLE


def choose_sources(
    settings: DiscoverSettings,
    queries: Sequence[str] = (),
    feeds: Sequence[str] = (),
    since: date | None = None,
    max_results: int | None = None,
) -> list[Source]:
    """The sources to read: those on the command line if any, else the saved ones.

    `since` and `max_results`, when given, apply to every search.
    """
    for query in queries:
        problem = query_problem(query)
        if problem:
            raise OptionError(f"--query {query!r}: {problem}")
    for feed in feeds:
        problem = feed_problem(feed)
        if problem:
            raise OptionError(f"--feed: {problem}")
    if queries or feeds:
        searches = [(q, since, max_results or DEFAULT_MAX_RESULTS) for q in queries]
        listings = list(feeds)
    else:
        searches = [
            (s.query, since or s.since, max_results or s.max_results) for s in settings.searches
        ]
        listings = list(settings.feeds)
    sources = [
        Source("search", query, f"search {number}", day, count)
        for number, (query, day, count) in enumerate(searches, start=1)
    ]
    sources += [Source("listing", name, f"{name} listing") for name in listings]
    return sources


def discover(
    project: Project,
    config: HarvestConfig,
    rss_url: str,
    queries: Sequence[str] = (),
    feeds: Sequence[str] = (),
    since: date | None = None,
    max_results: int | None = None,
    clock: Clock | None = None,
) -> DiscoverReport:
    """Read every source, keep what the catalogue lacks, write the review file."""
    catalogue = load(project.catalogue)
    settings = catalogue.settings.discover
    output = project.writable(settings.output, "settings.discover.output")
    report = DiscoverReport(sources=choose_sources(settings, queries, feeds, since, max_results))
    if not report.sources:
        raise CatalogueError(
            project.catalogue,
            None,
            "nothing to search: give --query or --feed, or save searches and feeds "
            "under settings.discover (see README)",
        )
    harvester = Harvester(config, clock)
    reader = ListingReader(harvester, rss_url)
    found: dict[str, Candidate] = {}
    for source in report.sources:
        if report.failures and not report.refused:
            report.failures[source.label] = "skipped: arXiv could not be reached"
            continue
        log.info("reading %s", source.description)
        try:
            if source.kind == "search":
                papers = [_from_record(r, source.label) for r in _search(harvester, source)]
            else:
                papers = [_from_listing(i, source.label) for i in _listing(reader, source.name)]
        except (ServiceError, requests.RequestException) as err:
            refused = isinstance(err, ServiceError) and err.status in REFUSED_STATUSES
            report.refused = refused and (report.refused or not report.failures)
            report.failures[source.label] = _failure(err)
            continue
        for paper in papers:
            _merge(found, paper)
    report.found = len(found)
    listed, rejected = listed_ids(catalogue), {r.arxiv_id.base for r in catalogue.rejected}
    report.listed = sum(key in listed for key in found)
    report.rejected = sum(key in rejected for key in found)
    fresh = [c for key, c in found.items() if key not in listed and key not in rejected]
    report.candidates = sorted(
        sorted(fresh, key=lambda c: c.arxiv_id.base), key=lambda c: c.day, reverse=True
    )
    if len(report.failures) == len(report.sources):
        return report  # nothing was read: the last review file stays as it was
    text = render_document(_view(project, catalogue, report), project.templates, TEMPLATE)
    report.output, report.changed = project.relative(output), write_atomic(output, text)
    return report


def _search(harvester: Harvester, source: Source) -> list[Record]:
    """The newest results of a search, stopping at the first one older than `since`."""
    since = source.since.isoformat() if source.since else None
    page_size = min(source.max_results, SEARCH_PAGE_SIZE)
    return harvester.search(source.name, source.max_results, page_size, since)


def _listing(reader: ListingReader, category: str) -> list[ListingItem]:
    return [item for item in reader.read(category) if item.announce_type in ANNOUNCE_TYPES]


def _from_record(record: Record, label: str) -> Candidate:
    return Candidate(
        arxiv_id=ArxivId(record.id),
        title=record.title,
        authors=tuple(record.authors),
        day=record.published[:10],
        day_label="Submitted",
        abstract=record.abstract,
        categories=tuple(record.categories),
        found_by=(label,),
    )


def _from_listing(item: ListingItem, label: str) -> Candidate:
    return Candidate(
        arxiv_id=ArxivId(item.arxiv_id.base),
        title=item.title,
        authors=item.authors,
        day=item.day,
        day_label="Announced",
        abstract=item.abstract,
        categories=item.categories,
        found_by=(label,),
    )


def _merge(found: dict[str, Candidate], paper: Candidate) -> None:
    """Keep the first source's data (searches come first and know the submission day)."""
    key = paper.arxiv_id.base
    if key not in found:
        found[key] = paper
    elif paper.found_by[0] not in found[key].found_by:
        found[key] = dataclasses.replace(found[key], found_by=found[key].found_by + paper.found_by)


def _failure(err: BaseException) -> str:
    if isinstance(err, ServiceError):
        return err.reason
    return f"arXiv could not be reached ({describe(err)})"


def listed_ids(catalogue: Catalogue) -> set[str]:
    """Base ids of every paper listed, including manual entries that link to arXiv."""
    listed = {arxiv_id.base for arxiv_id in catalogue.arxiv_ids}
    for entry in catalogue.entries:
        if entry.url:
            with suppress(IdentifierError):
                listed.add(arxiv_ids.parse_written(entry.url).base)
    return listed


# --- the review file ------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateView:
    """One candidate as the template sees it; text fields are escaped on output."""

    number: int
    title: str
    url: Trusted
    authors: str
    day_label: str
    day: str
    categories: str
    found_by: str
    excerpt: str
    snippet: Trusted
    """The catalogue entry to paste under `papers:` (YAML, placed as is)."""
    add_command: Trusted
    """The `litsync add` line that lists the paper, its usecase and topic to fill in."""
    reject_command: Trusted
    """The `litsync reject` line that stops it being proposed."""


@dataclass(frozen=True)
class CandidatesView:
    """Everything the review template may use (as the variable `document`)."""

    title: str
    catalogue: str
    sources: tuple[str, ...]
    """``label: description`` of each source read."""
    failures: tuple[str, ...]
    """``label: reason`` of each source that could not be read."""
    listed: int
    rejected: int
    candidates: tuple[CandidateView, ...]


def _view(project: Project, catalogue: Catalogue, report: DiscoverReport) -> CandidatesView:
    topics = catalogue.settings.topics
    hint = f"  # one or more of: {', '.join(topics)}" if topics else ""
    return CandidatesView(
        title=catalogue.settings.title,
        catalogue=project.relative(project.catalogue),
        sources=tuple(
            f"{s.label}: {s.description}" for s in report.sources if s.label not in report.failures
        ),
        failures=tuple(f"{label}: {reason}" for label, reason in report.failures.items()),
        listed=report.listed,
        rejected=report.rejected,
        candidates=tuple(
            CandidateView(
                number=number,
                title=c.title,
                url=link_target(c.arxiv_id.abs_url),
                authors=authors_line(c.authors),
                day_label=c.day_label,
                day=c.day,
                categories=", ".join(c.categories),
                found_by=", ".join(c.found_by),
                excerpt=excerpt(c.abstract),
                snippet=Trusted(snippet(c.arxiv_id, hint)),
                add_command=Trusted(f"litsync add {c.arxiv_id} --usecase TODO --topic TODO"),
                reject_command=Trusted(f"litsync reject {c.arxiv_id}"),
            )
            for number, c in enumerate(report.candidates, start=1)
        ),
    )


def snippet(arxiv_id: ArxivId, topics_hint: str = "") -> str:
    """A catalogue entry for the paper, indented as an item of `papers:`.

    >>> print(snippet(ArxivId("2411.01234")), end="")
      - id: 2411.01234
        usecase: TODO
        topics: [TODO]
    """
    lines = entry_text(arxiv_id, "TODO", ["TODO"]).splitlines()
    lines[-1] += topics_hint
    return "".join(f"  {line}\n" for line in lines)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of an abstract, cut at a word.

    >>> excerpt("We present a new method. It works.", 20)
    'We present a new …'
    """
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def authors_line(authors: Sequence[str]) -> str:
    """Names joined; a long list is cut, saying how many more there are."""
    shown = ", ".join(authors[:AUTHORS_SHOWN])
    more = len(authors) - AUTHORS_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
