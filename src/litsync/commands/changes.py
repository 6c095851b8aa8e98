"""What changed in the cache between two versions of it, as a Markdown changelog.

`compare` turns two caches into changes, one per fact about one paper; `note_changes`
adds what the last refresh could not do (not in the cache: see run_notes.py);
`changelog` sorts them into sections and lays them out. Its first line is a summary, so
the text serves as a commit message and as a pull-request body alike, and every change
line starts with the arXiv id it is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from litsync.catalogue.model import CATALOGUE_FILE, Settings
from litsync.commands import git
from litsync.files import project_lock
from litsync.output.markdown import escape
from litsync.project import Project
from litsync.sources import arxiv_ids
from litsync.sources.record import Record
from litsync.store.cache import CACHE_FILE, Cache
from litsync.store.run_notes import RunNotes


class Kind(Enum):
    """What kind of change; the order is the order of the lines about one paper."""

    NEW = "new"
    VERSION = "version"
    TITLE = "title"
    AUTHORS = "authors"
    ABSTRACT = "abstract"
    DOI = "doi"
    JOURNAL_REF = "journal_ref"
    OTHER = "other"
    UNWITHDRAWN = "unwithdrawn"
    FOUND_AGAIN = "found_again"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"
    MISSING = "missing"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"
    STALE = "stale"


@dataclass(frozen=True)
class Section:
    """A heading of the changelog, and how the summary line counts its papers."""

    title: str
    summary: str
    """Format of the summary's count, e.g. ``{} updated``."""
    kinds: tuple[Kind, ...]


SECTIONS = (
    Section("New papers", "{} new paper{s}", (Kind.NEW,)),
    Section(
        "Updated",
        "{} updated",
        (
            Kind.VERSION, Kind.TITLE, Kind.AUTHORS, Kind.ABSTRACT, Kind.DOI, Kind.JOURNAL_REF,
            Kind.OTHER, Kind.UNWITHDRAWN, Kind.FOUND_AGAIN,
        ),
    ),
    Section("Withdrawn", "{} withdrawn", (Kind.WITHDRAWN,)),
    Section("Removed", "{} removed", (Kind.REMOVED,)),
    Section("Not found", "{} not found", (Kind.MISSING, Kind.NOT_FOUND, Kind.REJECTED)),
    Section("Not refreshed", "{} not refreshed", (Kind.STALE,)),
)  # fmt: skip
_SECTION_OF = {kind: number for number, s in enumerate(SECTIONS) for kind in s.kinds}
_KIND_ORDER = {kind: number for number, kind in enumerate(Kind)}

# Fields with a line of their own; any other field that changes is named in an OTHER line.
_DESCRIBED = {"id", "version", "title", "authors", "abstract", "doi", "journal_ref",
              "withdrawn", "missing"}  # fmt: skip
_FIELD_NAMES = {
    "requested": "catalogue id",
    "published": "first-version date",
    "updated": "version date",
    "primary_category": "primary category",
    "categories": "categories",
    "comment": "comment",
}
MAX_AUTHORS = 3


def _field_name(name: str) -> str:
    """How the changelog names a field of the cache.

    >>> _field_name("primary_category"), _field_name("a_field_added_later")
    ('primary category', 'a field added later')
    """
    return _FIELD_NAMES.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class Change:
    """One fact about one paper; `detail` is Markdown, fetched text already escaped."""

    key: str
    """The paper's identifier without version, for sorting."""
    shown: str
    """The identifier the line starts with."""
    kind: Kind
    detail: str

    @property
    def line(self) -> str:
        return f"- {self.shown}: {self.detail}"


def compare(old: Cache, new: Cache) -> list[Change]:
    """The changes from `old` to `new`, paper by paper."""
    changes: list[Change] = []
    before, after = old.records, new.records
    for key in sorted(before.keys() - after.keys()):
        # refresh drops a paper from the cache when the catalogue stops listing it.
        detail = f"removed from the list: “{escape(before[key].title)}”"
        changes.append(Change(key, key, Kind.REMOVED, detail))
    for key in sorted(after.keys() - before.keys()):
        record = after[key]
        detail = f"“{escape(record.title)}” by {_authors(record.authors)}"
        changes.append(Change(key, record.versioned_id, Kind.NEW, detail))
    for key in sorted(before.keys() & after.keys()):
        changes += (
            Change(key, key, kind, text) for kind, text in differences(before[key], after[key])
        )
    return changes


def differences(old: Record, new: Record) -> Iterable[tuple[Kind, str]]:
    """What changed from `old` to `new`, one line of the changelog a fact."""
    if new.version != old.version:
        word = "new version" if new.version > old.version else "version"
        yield Kind.VERSION, f"{word} v{old.version} → v{new.version}"
    if new.title != old.title:
        yield Kind.TITLE, f"title “{escape(old.title)}” → “{escape(new.title)}”"
    if new.authors != old.authors:
        yield Kind.AUTHORS, _authors_change(old.authors, new.authors)
    if new.abstract != old.abstract:
        yield Kind.ABSTRACT, "abstract revised"
    if new.doi != old.doi:
        yield Kind.DOI, _text_change("DOI", old.doi, new.doi)
    if new.journal_ref != old.journal_ref:
        yield Kind.JOURNAL_REF, _text_change("journal reference", old.journal_ref, new.journal_ref)
    others = [
        _field_name(name)
        for name in Record._fields
        if name not in _DESCRIBED
        and getattr(old, name) != getattr(new, name)
        # A new version always has a new date, a withdrawal a new comment: both are said.
        and not (name == "updated" and new.version != old.version)
        and not (name == "comment" and new.withdrawn and not old.withdrawn)
    ]
    if others:
        yield Kind.OTHER, "also changed: " + ", ".join(others)
    if new.withdrawn != old.withdrawn:
        if new.withdrawn:
            said = f" (“{escape(new.comment)}”)" if new.comment else ""
            yield Kind.WITHDRAWN, f"withdrawn in v{new.version}{said}"
        else:
            yield Kind.UNWITHDRAWN, "no longer marked withdrawn"
    if new.missing != old.missing:
        if new.missing:
            yield Kind.MISSING, "arXiv no longer returns it; its last known data are kept"
        else:
            yield Kind.FOUND_AGAIN, "found on arXiv again"


def _authors(names: Sequence[str]) -> str:
    """Up to three names, then et al.

    >>> _authors(["A", "B"]), _authors(["A", "B", "C"]), _authors(["A", "B", "C", "D"])
    ('A and B', 'A, B and C', 'A, B, C et al.')
    """
    shown = [escape(n) for n in names[:MAX_AUTHORS]]
    if len(names) > MAX_AUTHORS:
        return ", ".join(shown) + " et al."
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return "".join(shown) or "unknown authors"


def _authors_change(old: Sequence[str], new: Sequence[str]) -> str:
    """
    >>> _authors_change(["A", "B"], ["A", "C", "D"])
    'authors: added C, D; removed B'
    >>> _authors_change(["A", "B"], ["B", "A"])
    'authors reordered'
    """
    added = [escape(n) for n in new if n not in old]
    removed = [escape(n) for n in old if n not in new]
    parts = ([f"added {', '.join(added)}"] if added else []) + (
        [f"removed {', '.join(removed)}"] if removed else []
    )
    return "authors: " + "; ".join(parts) if parts else "authors reordered"


def _text_change(label: str, old: str | None, new: str | None) -> str:
    """
    >>> _text_change("DOI", None, "10.1/x"), _text_change("DOI", "10.1/x", None)
    ('DOI added: 10.1/x', 'DOI removed (was 10.1/x)')
    """
    if old is None:
        return f"{label} added: {escape(new)}"
    if new is None:
        return f"{label} removed (was {escape(old)})"
    return f"{label} {escape(old)} → {escape(new)}"


def note_changes(notes: RunNotes, cache: Cache, found: Sequence[Change]) -> list[Change]:
    """What the last refresh could not do, less what the cache's changes already say."""
    said = {c.key for c in found if c.kind is Kind.MISSING}
    failure = escape(notes.failure or "arXiv failed")
    changes: list[Change] = []
    for shown in notes.not_found:
        key = _base(shown)
        if key not in said:
            detail = "not found on arXiv; check the id in catalogue/ids.yaml"
            changes.append(Change(key, shown, Kind.NOT_FOUND, detail))
    for shown, reason in notes.rejected.items():
        detail = f"rejected by arXiv ({escape(reason)})"
        changes.append(Change(_base(shown), shown, Kind.REJECTED, detail))
    for shown in notes.stale:
        key = _base(shown)
        state = "not refreshed, its cached data kept" if key in cache else "not fetched"
        changes.append(Change(key, shown, Kind.STALE, f"{state}: {failure}"))
    return changes


def _base(text: str) -> str:
    return arxiv_ids.parse_written(text).base


def project_changes(project: Project, base: str | None) -> list[Change]:
    """From the cache at commit `base` (None: before the first commit) to the working
    tree's, and the last refresh's notes."""
    data = None if base is None else git.show(project.root, base, CACHE_FILE)
    label = Path(f"{base}:{CACHE_FILE.as_posix()}")
    old = Cache(label) if data is None else Cache.parse(label, data)
    new = Cache.load(project.cache)
    found = compare(old, new)
    return found + note_changes(RunNotes.load(project.notes, project.cache), new, found)


def commit(project: Project, settings: Settings) -> tuple[str | None, str, list[Path]]:
    """Commit the cache, the document and its exports if they changed, with what they were
    made from (the catalogue and the templates), so that a clone of the commit checks out
    as rendered; the changelog is the message.

    Returns the new commit (None if nothing changed), the message's summary line, and the
    files it considered, relative to the root.
    """
    paths = committed_with_sources(project, settings)
    with project_lock(project.lock):
        base = "HEAD" if git.has_commits(project.root) else None
        message = changelog(project_changes(project, base))
        made = git.commit_files(project.root, paths, message)
    return made, message.splitlines()[0], paths


def committed_with_sources(project: Project, settings: Settings) -> list[Path]:
    """The files litsync writes that belong in git, after the catalogue they are made from,
    then the project's templates."""
    templates = sorted(p for p in project.templates.rglob("*") if p.is_file())
    made_from = [p.relative_to(project.root) for p in templates]
    return [CATALOGUE_FILE, *project.committed(settings), *made_from]


def changelog(changes: Sequence[Change], limit: int | None = None) -> str:
    """The summary line, then one section per kind of change; at most `limit` change lines."""
    ordered = sorted(changes, key=lambda c: (_SECTION_OF[c.kind], c.key, _KIND_ORDER[c.kind]))
    lines = [summary(ordered), ""]
    shown = ordered if limit is None else ordered[:limit]
    for number, section in enumerate(SECTIONS):
        items = [c.line for c in shown if _SECTION_OF[c.kind] == number]
        if items:
            lines += [f"### {section.title}", *items, ""]
    if len(shown) < len(ordered):
        lines += [f"… and {len(ordered) - len(shown)} more (see the diff of {CACHE_FILE})", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def summary(changes: Sequence[Change]) -> str:
    """``arXiv refresh: 1 new paper, 2 updated``: papers counted once per section.

    >>> summary([])
    'arXiv refresh: no changes'
    """
    counts = []
    for number, section in enumerate(SECTIONS):
        papers = len({c.key for c in changes if _SECTION_OF[c.kind] == number})
        if papers:
            counts.append(section.summary.format(papers, s="" if papers == 1 else "s"))
    return "arXiv refresh: " + (", ".join(counts) or "no changes")
