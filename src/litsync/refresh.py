"""The main job: fetch what is due, keep the cache, render the document.

Progress is saved after every batch, so a run that is killed keeps what it fetched;
cached data is never deleted or blanked, whatever the service does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from litsync import catalogue_memo, collector, forked, render_memo
from litsync.cache import Cache, Record
from litsync.catalogue import Catalogue
from litsync.errors import EXIT_NOT_FOUND, EXIT_OK, EXIT_UNREACHABLE
from litsync.export_memo import ExportMemo
from litsync.exports import memo_for, prepare, render_exports
from litsync.files import chunked, holds, remove_leftovers, write_pieces
from litsync.harvest_config import HarvestConfig
from litsync.identifiers import ArxivId
from litsync.lock import project_lock
from litsync.progress import Progress
from litsync.project import Project
from litsync.render import DocumentView, build_view, document_pieces
from litsync.run_notes import RunNotes
from litsync.schedule import CheckLog, is_due

if TYPE_CHECKING:
    from litsync.harvest import Harvester, HarvestResult
    from litsync.transport import Clock


@dataclass
class RefreshReport:
    """What a refresh did, for the summary and the exit code."""

    due: int = 0
    fetched: int = 0
    requests: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Cached papers dropped because the catalogue no longer lists them."""
    not_found: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)
    """Ids left as cached (or unfetched) because arXiv failed."""
    failure: str | None = None
    unresolved: list[str] = field(default_factory=list)
    """Ids of the catalogue with no metadata at all, left out of the document."""
    document: str = ""
    document_changed: bool = False
    exports: list[tuple[str, bool]] = field(default_factory=list)
    """Each export written beside the document, and whether its bytes changed."""

    @property
    def exit_code(self) -> int:
        if self.failure:
            return EXIT_UNREACHABLE
        if self.not_found or self.rejected:
            return EXIT_NOT_FOUND
        return EXIT_OK


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
def writing(project: Project, catalogue: Catalogue) -> Iterator[None]:
    """Hold the project lock while the list's files are written, having removed the
    temporary files of a run that was killed as it wrote: each write goes to a file of
    its own that is renamed over its target (files.replacing), so what is left of one
    is litter, never a file in use."""
    with project_lock(project.lock):
        for folder in project.folders(catalogue.settings):
            remove_leftovers(folder)
        yield


def refresh(
    project: Project,
    config: HarvestConfig,
    today: date | None = None,
    force: bool = False,
    clock: Clock | None = None,
) -> RefreshReport:
    """Run the whole job under the project lock and report what happened."""
    today = today or date.today()
    loaded = catalogue_memo.load(project.catalogue, project.catalogue_memo, today)
    catalogue = loaded.catalogue
    with writing(project, catalogue):
        cache = Cache.load(project.cache)
        checks = CheckLog.load(project.state)
        due = plan(catalogue, cache, checks, today, force)
        report = RefreshReport(due=len(due))
        # Papers the maintainer took out of the catalogue leave the cache with them.
        report.removed = cache.keep_only({i.base for i in catalogue.arxiv_ids})
        if report.removed:
            cache.save()
        memo = None
        if due:
            # Imported only when something is due: the network stack (arxiv, requests)
            # takes a tenth of a second to import, which a run with nothing due saves.
            from litsync.harvest import Harvester

            # A broken template should fail now, not after minutes of polite fetching;
            # one that rendered these very inputs last time works (and for 10,000
            # papers, rendering again takes a quarter of a second before the first request).
            inputs = render_memo.key(project.root, loaded.key, project.cache, project.templates)
            if not render_memo.rendered(project.render_memo, inputs):
                with collector.paused():
                    for _ in document_text(project, catalogue, cache)[0]:
                        pass  # only whether it renders counts, not the text
            memo = memo_for(project, catalogue)
            harvester = Harvester(config, clock)
            fetch_into_cache(
                due, cache, checks, today, harvester, report,
                # Made while waiting for the next request, the entries of papers fetched
                # so far leave only the last batch's to the render at the end.
                on_saved=lambda found: prepare(memo, catalogue, cache, found),
            )  # fmt: skip
        written, report.unresolved = write_generated(project, loaded, cache, memo)
        (report.document, report.document_changed), report.exports = written[0], written[1:]
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
    on_saved: Callable[[Collection[str]], None] | None = None,
) -> None:
    """Fetch `due` into the cache and the check log, saved after every batch; the
    outcome goes into `report`. `on_saved` sees the ids of each batch saved."""
    progress = Progress(len(due))
    progress.start(len(harvester.batches(due)))

    def save_batch(batch: Sequence[ArxivId], found: dict[str, Record]) -> None:
        for record in found.values():
            _store(cache, record, report)
        cache.save()
        checks.mark(found, today)
        checks.save()
        progress.advance(len(found), harvester.throttle.requests)
        if on_saved is not None:
            on_saved(found.keys())

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


Written = tuple[str, bool, str]
"""A generated file's path (relative to the project), whether its bytes changed, and
their digest for the render memo."""


@collector.paused()
def write_generated(
    project: Project,
    loaded: catalogue_memo.Loaded,
    cache: Cache | None = None,
    memo: ExportMemo | None = None,
) -> tuple[list[tuple[str, bool]], list[str]]:
    """Write the document and the exports; return each one's path and whether its bytes
    changed, and the ids left out for lack of metadata.

    Nothing is rendered when nothing rendering reads has changed since the files were
    written (render_memo.py); `cache` (loaded here if not given) must be the cache file's,
    `memo` (loaded here if not given) the export memo, which is saved.

    The document is rendered and written in a forked process while this one writes the
    exports, where forking is safe (forked.py): each is about half of the work. The
    exports replace their files only once the document is written, so that a document
    that fails (a broken template) leaves every file as it was, as it does alone. The
    catalogue's memo is written after the document, in the same process.
    """
    key = render_memo.key(project.root, loaded.key, project.cache, project.templates)
    recalled = render_memo.recall(project.render_memo, project.root, key)
    if recalled is not None:
        loaded.remember()
        names, unresolved = recalled
        return [(name, False) for name in names], unresolved
    catalogue = loaded.catalogue
    memo = memo or memo_for(project, catalogue)
    cache = cache or Cache.load(project.cache)
    # Built before the fork, the view is the child's without being sent to it.
    view = build_view(catalogue, cache)
    document, text = document_file(project, catalogue, view)

    def write_document() -> Written:
        try:
            return write_file(project, document, text)
        finally:
            # The exports take longer: with a fork, remembering the catalogue here costs
            # the run no time.
            loaded.remember()

    with contextlib.ExitStack() as exports_written:

        def write_exports() -> list[Written]:
            exports = render_exports(project, catalogue, cache, view.papers, memo)
            return [write_file(project, p, pieces, exports_written) for p, pieces in exports]

        # The child inherits the paused collector, and the project lock: were the run
        # killed, the lock would be held until the document is written, a fraction of a
        # second for 10,000 papers, then released as the child exits.
        first, rest = forked.both(
            write_document,
            write_exports,
            f"rendering {project.relative(document)}",
        )
    memo.save([digest for _, _, digest in rest])
    written = [first, *rest]
    digests = {name: digest for name, _, digest in written}
    render_memo.remember(project.render_memo, key, digests, view.unresolved)
    return [(name, changed) for name, changed, _ in written], list(view.unresolved)


def write_file(
    project: Project,
    path: Path,
    pieces: Iterator[bytes],
    until: contextlib.ExitStack | None = None,
) -> Written:
    """Write one generated file from its pieces, unless it already holds those bytes;
    with `until`, it replaces the old file when that stack closes (files.write_pieces)."""
    hashed = render_memo.Hashing(chunked(pieces))
    changed = write_pieces(path, hashed, until=until)
    return project.relative(path), changed, hashed.digest()


def compare_generated(
    project: Project, catalogue: Catalogue, cache: Cache, memo: ExportMemo
) -> tuple[list[tuple[str, bool]], list[str]]:
    """Each generated file's path (relative to the project) and whether it holds the bytes
    `render` would write, and the ids left out of them for lack of metadata; nothing is
    written. Each file is compared as its bytes are made, never held whole; the exports'
    entries come from `memo` where it has them. As in `write_generated`, the document is
    made in a forked process while the exports are made here, where forking is safe."""
    # One view serves the document and the exports: building it is a tenth of the work.
    view = build_view(catalogue, cache)
    document, text = document_file(project, catalogue, view)

    def document_holds() -> tuple[str, bool]:
        return project.relative(document), holds(document, chunked(text))

    def exports_hold() -> list[tuple[str, bool]]:
        exports = render_exports(project, catalogue, cache, view.papers, memo)
        return [(project.relative(path), holds(path, chunked(pieces))) for path, pieces in exports]

    first, rest = forked.both(
        document_holds, exports_hold, f"checking {project.relative(document)}"
    )
    return [first, *rest], list(view.unresolved)


def document_file(
    project: Project, catalogue: Catalogue, view: DocumentView
) -> tuple[Path, Iterator[bytes]]:
    """The document's path and its bytes (UTF-8), in pieces made as they are asked for."""
    settings = catalogue.settings
    text = document_pieces(view, project.templates, settings.template)
    return project.output(settings), (piece.encode() for piece in text)


def document_text(
    project: Project, catalogue: Catalogue, cache: Cache
) -> tuple[Iterator[str], list[str]]:
    """The document as `render` would write it, in pieces made as they are asked for,
    and the ids it had to leave out."""
    view = build_view(catalogue, cache)
    return document_pieces(view, project.templates, catalogue.settings.template), list(
        view.unresolved
    )
