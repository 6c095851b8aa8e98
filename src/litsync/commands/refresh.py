"""The main job: fetch what is due, keep the cache, write the document and its exports.

Progress is saved after every batch, so a run that is killed keeps what it fetched;
cached data is never deleted or blanked, whatever the service does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from litsync.catalogue.load import load
from litsync.catalogue.model import Catalogue, Entry
from litsync.commands.changes import differences
from litsync.commands.progress import Progress
from litsync.errors import EXIT_NOT_FOUND, EXIT_OK, EXIT_UNREACHABLE
from litsync.files import project_lock, remove_leftovers, write_atomic
from litsync.output.document import build_view, render_document
from litsync.output.exports import render_exports
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig, Harvester, HarvestResult
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.http import Clock
from litsync.sources.record import Record
from litsync.store.cache import Cache
from litsync.store.run_notes import RunNotes
from litsync.store.schedule import CheckLog, is_due

NAMED_PAPERS = 20
"""New and changed papers named after refresh's summary line; `litsync changes` lists all."""


@dataclass
class RefreshReport:
    """What a refresh did, for the summary and the exit code."""

    due: int = 0
    fetched: int = 0
    requests: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    """The title of each new or changed paper, by id."""
    what_changed: dict[str, list[str]] = field(default_factory=dict)
    """What changed in each changed paper, by id, worded as the changelog words it."""
    removed: list[str] = field(default_factory=list)
    """Cached papers dropped because the catalogue no longer lists them."""
    not_found: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)
    """Ids left as cached (or unfetched) because arXiv failed."""
    failure: str | None = None
    unresolved: list[str] = field(default_factory=list)
    """Ids of the catalogue with no metadata at all, left out of the document."""
    written: list[tuple[str, bool]] = field(default_factory=list)
    """The document, then each export: its path and whether its bytes changed."""

    @property
    def exit_code(self) -> int:
        if self.failure:
            return EXIT_UNREACHABLE
        if self.not_found or self.rejected:
            return EXIT_NOT_FOUND
        return EXIT_OK

    def named(self, limit: int = NAMED_PAPERS) -> list[str]:
        """A line naming each new, then each changed paper by its title, at most `limit`
        of them, so that an id which resolves to another paper than meant shows at once."""
        lines = [f"New: {arxiv_id} “{self.titles[arxiv_id]}”" for arxiv_id in self.new]
        lines += [
            f"Changed: {arxiv_id} ({'; '.join(self.what_changed[arxiv_id])}) "
            f"“{self.titles[arxiv_id]}”"
            for arxiv_id in self.changed
        ]
        if len(lines) > limit:
            return [*lines[:limit], f"… and {len(lines) - limit} more (see `litsync changes`)"]
        return lines


def plan(
    catalogue: Catalogue, cache: Cache, checks: CheckLog, today: date, force: bool = False
) -> list[ArxivId]:
    """The identifiers to fetch: new, changed in the catalogue, or due for a re-check."""
    max_age = catalogue.settings.max_age_days
    due: list[ArxivId] = []
    for arxiv_id in catalogue.arxiv_ids:
        record = cache.get(arxiv_id.base)
        if (
            force
            or record is None
            or record.requested != str(arxiv_id)
            or is_due(arxiv_id.base, checks.get(arxiv_id.base), today, max_age)
        ):
            due.append(arxiv_id)
    return due


@contextlib.contextmanager
def locked(project: Project, today: date | None = None) -> Iterator[Catalogue]:
    """Hold the project lock while the list's files are written, and yield the catalogue,
    read under it, having removed the temporary files of a run that was killed as it wrote.

    Read before the lock, the catalogue could be the one a concurrent `litsync add` was
    replacing, and the run would undo the addition.
    """
    with project_lock(project.lock):
        catalogue = load(project.catalogue, today)
        for folder in project.folders(catalogue.settings):
            remove_leftovers(folder)
        yield catalogue


def render(project: Project) -> tuple[list[tuple[str, bool]], list[str]]:
    """`litsync render`: write the document and the exports under the project lock (see
    `write_generated` for what is returned)."""
    with locked(project) as catalogue:
        return write_generated(project, catalogue)


def refresh(
    project: Project,
    config: HarvestConfig,
    today: date | None = None,
    force: bool = False,
    clock: Clock | None = None,
) -> RefreshReport:
    """Run the whole job under the project lock and report what happened."""
    today = today or date.today()
    with locked(project, today) as catalogue:
        settings = catalogue.settings
        cache = Cache.load(project.cache)
        checks = CheckLog.load(project.state)
        due = plan(catalogue, cache, checks, today, force)
        report = RefreshReport(due=len(due))
        # Papers the maintainer took out of the catalogue leave the cache with them.
        report.removed = cache.keep_only({i.base for i in catalogue.arxiv_ids})
        if report.removed:
            cache.save()
        if due:
            # A broken template should fail now, not after minutes of polite fetching.
            render_document(build_view(catalogue, cache), project.templates, settings.template)
            fetch_into_cache(due, cache, checks, today, Harvester(config, clock), report)
        report.written, report.unresolved = write_generated(project, catalogue, cache)
        RunNotes.of(
            project.cache, report.not_found, report.rejected, report.stale, report.failure
        ).save(project.notes)
    return report


def fetch_into_cache(
    due: Sequence[ArxivId],
    cache: Cache,
    checks: CheckLog,
    today: date,
    harvester: Harvester,
    report: RefreshReport,
) -> None:
    """Fetch `due` into the cache and the check log, saved after every batch; the
    outcome goes into `report`."""
    progress = Progress(len(due))
    progress.start(len(harvester.batches(due)))

    def save_batch(batch: Sequence[ArxivId], found: dict[str, Record]) -> None:
        for record in found.values():
            _store(cache, record, report)
        cache.save()
        checks.mark(found, today)
        checks.save()
        progress.advance(len(found), harvester.throttle.requests)

    try:
        result = harvester.harvest(due, on_batch=save_batch)
    finally:
        progress.finish()
    # Each batch was saved as it came: only papers arXiv stopped returning are left.
    if _note_result(result, cache, report):
        cache.save()


def _store(cache: Cache, record: Record, report: RefreshReport) -> None:
    old = cache.get(record.id)
    if old is None:
        report.new.append(record.id)
    elif old != record:
        report.changed.append(record.id)
        report.what_changed[record.id] = [text for _, text in differences(old, record)]
    if old != record:
        report.titles[record.id] = record.title
    report.fetched += 1
    cache.put(record)


def _note_result(result: HarvestResult, cache: Cache, report: RefreshReport) -> bool:
    """Put the harvest's outcome in `report`; return whether the cache changed with it."""
    report.requests = result.requests
    report.failure = result.failure
    report.stale = [str(i) for i in result.unreached]
    report.rejected = {str(i): reason for i, reason in result.rejected.items()}
    report.not_found = [str(i) for i in result.not_found]
    changed = False
    for arxiv_id in result.not_found:
        # A paper arXiv stops returning keeps its last known data, marked, never dropped.
        old = cache.get(arxiv_id.base)
        if old is not None and not old.missing:
            cache.put(old._replace(missing=True))
            changed = True
    return changed


def render_files(
    project: Project, catalogue: Catalogue, cache: Cache
) -> tuple[list[tuple[Path, bytes]], list[str]]:
    """Each generated file (the document, then each export) and its bytes, and the ids
    left out of them for lack of metadata."""
    view = build_view(catalogue, cache)
    settings = catalogue.settings
    document = render_document(view, project.templates, settings.template).encode()
    output = project.output(settings)
    written = project.exports(settings)
    exports = render_exports(settings, [paper.paper for paper in view.papers], written)
    files = [(output, document)]
    files += [
        (path, data) for path, (_, data) in zip(project.exports(settings), exports, strict=True)
    ]
    return files, list(view.unresolved)


def write_generated(
    project: Project, catalogue: Catalogue, cache: Cache | None = None
) -> tuple[list[tuple[str, bool]], list[str]]:
    """Write the document and the exports, each only if its bytes changed; return each
    one's path and whether it changed, and the ids left out for lack of metadata.

    Every file is made before any is written, so a broken template leaves them all as
    they were. `cache` is loaded here if not given.
    """
    files, unresolved = render_files(project, catalogue, cache or Cache.load(project.cache))
    written = [(project.relative(path), write_atomic(path, data)) for path, data in files]
    return written, unresolved


def compare_generated(
    project: Project, catalogue: Catalogue, cache: Cache
) -> tuple[list[tuple[str, bool]], list[str]]:
    """Each generated file's path and whether it holds the bytes `render` would write,
    and the ids left out of them for lack of metadata; nothing is written."""
    files, unresolved = render_files(project, catalogue, cache)
    compared = [(project.relative(path), _is_up_to_date(path, data)) for path, data in files]
    return compared, unresolved


def _is_up_to_date(path: Path, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data`."""
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def check_unfetched(
    catalogue: Catalogue, cache: Cache, config: HarvestConfig, clock: Clock | None = None
) -> tuple[list[tuple[Entry, str]], HarvestResult]:
    """`litsync check --online`: ask arXiv about the listed papers not in the cache yet,
    saving nothing; return the entries of those it does not know, each with what is wrong
    with it, and the harvest (whose `failure` says when arXiv could not be asked)."""
    unfetched = {
        entry.arxiv_id: entry
        for entry in catalogue.entries
        if entry.arxiv_id is not None and cache.get(entry.arxiv_id.base) is None
    }
    if not unfetched:
        return [], HarvestResult()
    result = Harvester(config, clock).harvest(list(unfetched))
    unknown = [
        (unfetched[arxiv_id], f"arXiv does not know {arxiv_id}; fix the id or remove the entry")
        for arxiv_id in result.not_found
    ]
    unknown += [
        (unfetched[arxiv_id], f"arXiv rejected {arxiv_id} ({reason}); fix the id")
        for arxiv_id, reason in result.rejected.items()
    ]
    return sorted(unknown, key=lambda pair: pair[0].line), result
