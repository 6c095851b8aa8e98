"""`litsync import`: a hand-kept Markdown list into the catalogue, without surprises.

What the list shows its readers must not change unnoticed when litsync takes over:

- Years. A year of the list that differs from what arXiv will say (by the catalogue's
  `year_from`) is kept as a year override. What arXiv says comes from the cache, or is
  fetched (through the same polite harvester as `refresh`, into the cache, so the next
  refresh need not ask again); a year that cannot be compared (offline, arXiv
  unreachable, paper not found) is kept as an override too, and reported. A new
  catalogue's `year_from` is whichever of arXiv's two dates agrees with more of the
  list's years.
- Versions. A link to ``1810.10286v2.pdf`` is what arXiv's "Download PDF" hands out, not
  a decision to freeze the paper, so entries follow the latest version; a link to an
  older version than the latest is reported, with how to pin it.
- Titles and abstracts come from arXiv (that is the point of litsync); a title of the
  list that is nothing like arXiv's is reported, as the link may be wrong.

A paper already in the catalogue, in whatever form, is skipped and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote_plus

from litsync.catalogue import edit
from litsync.catalogue.edit import Field
from litsync.catalogue.load import read
from litsync.catalogue.model import Catalogue, YearSource
from litsync.commands import markdown_list
from litsync.commands.markdown_list import ListedDocument, ListedPaper, Note, quote
from litsync.commands.refresh import RefreshReport, fetch_into_cache
from litsync.errors import EXIT_OK, ListFileError
from litsync.files import project_lock
from litsync.plural import plural
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig, Harvester
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.http import Clock
from litsync.sources.record import Record
from litsync.store.cache import Cache
from litsync.store.schedule import CheckLog

# Where a paper without a usable link points until the maintainer gives its page.
SEARCH_URL = "https://scholar.google.com/scholar?q="
TITLE_WORDS_SHARED = 0.5  # less of the list's title in arXiv's means another paper


@dataclass
class ImportReport:
    """What an import did, for the summary and the exit code."""

    source: Path
    catalogue: str
    """The catalogue file, relative to the project."""
    created: bool = False
    arxiv: list[str] = field(default_factory=list)
    """arXiv ids added."""
    manual: list[str] = field(default_factory=list)
    """Titles of the papers added that are not on arXiv."""
    already_listed: int = 0
    new_topics: list[str] = field(default_factory=list)
    """Topics added to an existing catalogue's settings.topics."""
    year_from: YearSource = "published"
    year_note: str = ""
    """Why a new catalogue has its year_from, as written above it."""
    overrides: int = 0
    """Years kept as overrides."""
    fetch: RefreshReport | None = None
    """The fetch made to compare years, if one was needed."""
    notes: list[Note] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.fetch.exit_code if self.fetch else EXIT_OK

    def note_lines(self) -> list[str]:
        """``FILE.md:LINE: message`` for everything not placed as it stood, in line order."""
        notes = sorted(self.notes, key=lambda n: n.line)
        return [f"{self.source}:{n.line}: {n.message}" for n in notes]

    def summary(self) -> list[str]:
        added = len(self.arxiv) + len(self.manual)
        if added == 0:
            return [f"Nothing to add: {plural(self.already_listed, 'paper')} already listed."]
        kinds = f"{len(self.arxiv)} on arXiv, {len(self.manual)} not on arXiv"
        if self.created:
            lines = [f"Created {self.catalogue} with {plural(added, 'paper')} ({kinds})."]
        else:
            lines = [
                f"Added {plural(added, 'paper')} to {self.catalogue} ({kinds}); "
                f"{self.already_listed} already listed."
            ]
        if self.new_topics:
            lines.append(f"New topics in settings.topics: {', '.join(self.new_topics)}.")
        if self.fetch and self.fetch.due:
            fetch = self.fetch
            lines.append(
                f"Fetched {fetch.fetched} of {plural(fetch.due, 'paper')} from arXiv in "
                f"{plural(fetch.requests, 'request')} to compare years "
                "(kept in catalogue/cache.json)."
            )
        kept = "an override" if self.overrides == 1 else "overrides"
        lines.append(
            f"year_from: {self.year_from}, {plural(self.overrides, 'year')} kept as {kept}. "
            f"{self.year_note}".rstrip()
        )
        lines.append("Run `litsync refresh` to fetch the rest and render the document.")
        return lines


def import_list(
    project: Project,
    source: Path,
    config: HarvestConfig | None,
    today: date | None = None,
    clock: Clock | None = None,
) -> ImportReport:
    """Add the papers of Markdown list `source` to the project's catalogue.

    `config` None means offline: years are compared with the cache only.
    """
    today = today or date.today()
    document = markdown_list.read(source, today)
    if not document.papers:
        raise ListFileError(source, None, _nothing_found(document.notes))
    path = project.catalogue
    report = ImportReport(source, project.relative(path), notes=list(document.notes))
    with project_lock(project.lock):
        text = read(path) if path.exists() else ""
        current = edit.read_current(path, text, today)
        papers = _unlisted(document.papers, current, report)
        if not papers:
            return report
        cache = Cache.load(project.cache)
        due = [
            ArxivId(p.arxiv_id.base)
            for p in papers
            if p.arxiv_id and p.year is not None and _cached(cache, p.arxiv_id) is None
        ]
        if due and config is not None:
            checks = CheckLog.load(project.state)
            report.fetch = RefreshReport(due=len(due))
            fetch_into_cache(due, cache, checks, today, Harvester(config, clock), report.fetch)
        records = {
            p.arxiv_id.base: record
            for p in papers
            if p.arxiv_id and (record := _cached(cache, p.arxiv_id)) is not None
        }
        if current is not None:
            report.year_from = current.settings.year_from
        else:
            report.year_from, report.year_note = _choose_year_from(papers, records)
        items = [_item(p, records, report) for p in papers]
        if current is None:
            report.created = True
            updated = _new_catalogue(source, document, items, report)
        else:
            updated = edit.insert_entries(text, items)
            if current.settings.topics:
                topics = {t for p in papers for t in p.topics}
                report.new_topics = [
                    t for t in document.topics if t in topics and t not in current.settings.topics
                ]
                updated = edit.add_topics(updated, report.new_topics)
        edit.write_checked(path, updated, today)
    return report


def _nothing_found(notes: Sequence[Note]) -> str:
    problem = "lists no paper: no arXiv link, arXiv: id or per-paper section with a year"
    if notes:
        problem += f" ({len(notes)} could not be placed; the first, line {notes[0].line}: "
        problem += f"{notes[0].message})"
    return problem


def _cached(cache: Cache, arxiv_id: ArxivId) -> Record | None:
    """The cached record of the latest version, which the imported entry will follow."""
    record = cache.get(arxiv_id.base)
    return record if record is not None and record.requested == arxiv_id.base else None


def _unlisted(
    papers: Sequence[ListedPaper], current: Catalogue | None, report: ImportReport
) -> list[ListedPaper]:
    """The papers not in the catalogue yet; the others are reported."""
    if current is None:
        return list(papers)
    where = {e.key: e.line for e in current.entries}
    for entry in current.entries:
        if entry.overrides.title and entry.arxiv_id is None:
            where[f"title:{markdown_list.normalise_title(entry.overrides.title)}"] = entry.line
    fresh = []
    for paper in papers:
        line = where.get(paper.key) or where.get(f"url:{paper.link}")
        if line is None:
            fresh.append(paper)
            continue
        report.already_listed += 1
        report.notes.append(
            Note(
                paper.line, f"{paper.label} is already in {report.catalogue} (line {line}); skipped"
            )
        )
    return fresh


def _choose_year_from(
    papers: Sequence[ListedPaper], records: dict[str, Record]
) -> tuple[YearSource, str]:
    """The arXiv date that agrees with more of the list's years, and why, for a comment."""
    pairs = [
        (p.year, records[p.arxiv_id.base])
        for p in papers
        if p.arxiv_id and p.year is not None and p.arxiv_id.base in records
    ]
    if not pairs:
        if any(p.year is not None for p in papers):
            return "published", "The list's years were not compared with arXiv: see overrides."
        return "published", "A paper's year is that of its first arXiv version."
    latest = sum(year == r.year("updated") for year, r in pairs)
    first = sum(year == r.year("published") for year, r in pairs)
    which: YearSource = "updated" if latest > first else "published"
    agree, version = (latest, "latest") if which == "updated" else (first, "first")
    return which, (
        f"The list gives each paper the year of its {version} arXiv version "
        f"({agree} of {len(pairs)} papers)."
    )


def _item(paper: ListedPaper, records: dict[str, Record], report: ImportReport) -> str:
    if paper.arxiv_id is None:
        return _manual_item(paper, report)
    arxiv_id = ArxivId(paper.arxiv_id.base)
    record = records.get(arxiv_id.base)
    if record is not None:
        _check_version(paper, record, report)
        _check_title(paper, record, report)
    fields = [Field("id", arxiv_id), Field("usecase", paper.usecase), Field("topics", paper.topics)]
    override = _year_override(paper, record, report)
    if override is not None:
        fields.append(Field("overrides", [override]))
    report.arxiv.append(str(arxiv_id))
    return edit.item_text(fields)


def _year_override(paper: ListedPaper, record: Record | None, report: ImportReport) -> Field | None:
    assert paper.arxiv_id is not None
    if paper.year is None:
        return None
    name = paper.arxiv_id.base
    if record is not None:
        says = record.year(report.year_from)
        if says == paper.year:
            return None
        report.overrides += 1
        report.notes.append(
            Note(
                paper.line,
                f"{name}: the list's year {paper.year} kept as an override (arXiv says {says})",
            )
        )
        return Field("year", paper.year, comment=f"the list's year; arXiv says {says}")
    report.overrides += 1
    report.notes.append(Note(paper.line, _not_compared(name, paper.year, report)))
    return Field("year", paper.year, comment="the list's year; not compared with arXiv")


def _not_compared(name: str, year: int, report: ImportReport) -> str:
    kept = f"the list's year {year} kept as an override"
    fetch = report.fetch
    if fetch is not None and name in fetch.not_found:
        return f"{name}: not found on arXiv, check the link; {kept}"
    if fetch is not None and name in fetch.rejected:
        return f"{name}: rejected by arXiv ({fetch.rejected[name]}), check the link; {kept}"
    why = "arXiv could not be reached" if fetch is not None else "offline"
    return f"{name}: {kept}, not compared with arXiv ({why}); delete it where arXiv agrees"


def _check_version(paper: ListedPaper, record: Record, report: ImportReport) -> None:
    linked = paper.arxiv_id
    if linked is not None and linked.version is not None and linked.version != record.version:
        report.notes.append(
            Note(
                paper.line,
                f"the list links {linked}, arXiv's latest is v{record.version}: "
                f"the catalogue follows the latest; write `id: {linked}` to pin the version",
            )
        )


def _check_title(paper: ListedPaper, record: Record, report: ImportReport) -> None:
    """Report a title of the list that shares few words with arXiv's: the link may be wrong.

    Lists shorten titles ("Sim-to-Real via Sim-to-Sim") and name papers by acronym, so
    only titles of three words or more are compared, by the share of their words.
    """
    ours, theirs = _words(paper.title), set(_words(record.title))
    if len(ours) >= 3 and sum(w in theirs for w in ours) < TITLE_WORDS_SHARED * len(ours):
        report.notes.append(
            Note(
                paper.line,
                f"the list's title {quote(paper.title)} is not arXiv's title of "
                f"{record.id}, {quote(record.title)}: check the link",
            )
        )


def _words(title: str) -> list[str]:
    return re.findall(r"\w+", title.casefold())


def _manual_item(paper: ListedPaper, report: ImportReport) -> str:
    assert paper.year is not None  # the importer keeps no manual entry without a year
    url, note = paper.link, ""
    if not url.startswith(("https://", "http://")):
        url = SEARCH_URL + quote_plus(paper.title)
        note = f"The list linked {quote(paper.link)}: replace this search with the paper's page."
        report.notes.append(
            Note(
                paper.line,
                f"{quote(paper.title)} links to {quote(paper.link)}, not a page: "
                "imported as a manual entry linking to a search for its title; put the "
                "paper's page in its `url:`",
            )
        )
    fields = [Field("title", paper.title), Field("url", url), Field("year", paper.year),
              Field("usecase", paper.usecase), Field("topics", paper.topics)]  # fmt: skip
    if paper.authors:
        fields.append(Field("authors", paper.authors))
    if paper.abstract:
        fields.append(Field("abstract", paper.abstract))
    report.manual.append(paper.title)
    return edit.item_text(fields, note)


def _new_catalogue(
    source: Path, document: ListedDocument, items: Sequence[str], report: ImportReport
) -> str:
    settings = []
    if document.title:
        settings.append(Field("title", document.title))
    if document.introduction:
        settings.append(Field("introduction", document.introduction))
    if document.index_note:
        settings.append(Field("index_note", document.index_note))
    if document.topics:
        settings.append(
            Field("topics", document.topics, note="The order of the topic index.", block=True)
        )
    settings.append(Field("year_from", report.year_from, note=report.year_note))
    settings.append(Field("output", f"generated/{source.stem}.md"))
    header = (
        f"# The literature list, as litsync reads it; imported from {source.name}.\n"
        "# Add a paper with `litsync add ID --usecase TEXT --topic TOPIC` or by hand.\n"
        "# Titles, authors, abstracts and dates come from arXiv; `overrides:` win over them.\n"
        '# The schema is documented in litsync\'s README ("The catalogue").\n'
    )
    return edit.catalogue_text(header, settings, items)
