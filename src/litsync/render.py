"""From catalogue and cache to the Markdown document.

Ordering, grouping and the choice of each field happen here, in Python; the Jinja2
template only lays the result out. Fetched text is escaped by the environment's
`finalize` hook (markdown.escape), so a template cannot forget to.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import jinja2

from litsync.cache import Cache, Record
from litsync.catalogue import Catalogue, Entry, YearSource
from litsync.errors import TemplateError
from litsync.markdown import Trusted, escape, link_target

TEMPLATES_DIR = Path("templates")
PARTS = 1 << 13  # outputs of the template joined into one piece of the document


class PaperView(NamedTuple):
    """One paper as the template sees it; text fields are escaped on output."""

    number: int
    anchor: Trusted
    title: str
    url: Trusted
    usecase: str
    topics: tuple[str, ...]
    year: int
    authors: tuple[str, ...]
    abstract: str
    arxiv_id: str | None
    version: int | None
    withdrawn: bool
    missing: bool


@dataclass(frozen=True)
class Group:
    """A heading of an index and the papers under it, in document order."""

    name: str
    papers: tuple[PaperView, ...]


@dataclass(frozen=True)
class DocumentView:
    """Everything the document template may use."""

    title: str
    introduction: Trusted
    index_note: Trusted
    by_topic: tuple[Group, ...]
    by_year: tuple[Group, ...]
    papers: tuple[PaperView, ...]
    unresolved: tuple[str, ...]
    """arXiv ids of the catalogue with no cached metadata; not in `papers`."""


def build_view(catalogue: Catalogue, cache: Cache) -> DocumentView:
    """Number the papers in catalogue order and group them for the indexes.

    Papers without cached metadata are left out of the document (and listed in
    `unresolved`), so no placeholder ever reaches the reader.
    """
    papers: list[PaperView] = []
    unresolved: list[str] = []
    for entry in catalogue.entries:
        record = cache.get(entry.arxiv_id.base) if entry.arxiv_id else None
        if entry.arxiv_id is not None and record is None:
            unresolved.append(str(entry.arxiv_id))
            continue
        papers.append(paper_view(len(papers) + 1, entry, record, catalogue))
    settings = catalogue.settings
    return DocumentView(
        title=settings.title,
        introduction=Trusted(settings.introduction.strip()),
        index_note=Trusted(settings.index_note.strip()),
        by_topic=group_by_topic(papers, settings.topics),
        by_year=group_by_year(papers),
        papers=tuple(papers),
        unresolved=tuple(unresolved),
    )


def paper_view(number: int, entry: Entry, record: Record | None, catalogue: Catalogue) -> PaperView:
    """The paper of `entry`, with its `record` (None for a manual entry), as the
    document's `number`th."""
    over = entry.overrides
    if record is None:  # a manual entry; the loader guarantees title, url and year
        assert entry.url is not None and over.title is not None and over.year is not None
        return PaperView(
            number=number,
            anchor=Trusted(f"ref{number}"),
            title=over.title,
            url=link_target(entry.url),
            usecase=entry.usecase,
            topics=entry.topics,
            year=over.year,
            authors=over.authors or (),
            abstract=over.abstract or "",
            arxiv_id=None,
            version=None,
            withdrawn=False,
            missing=False,
        )
    assert entry.arxiv_id is not None
    return PaperView(
        number=number,
        anchor=Trusted(f"ref{number}"),
        title=over.title or record.title,
        url=link_target(entry.arxiv_id.abs_url),
        usecase=entry.usecase,
        topics=entry.topics,
        year=over.year or arxiv_year(record, catalogue.settings.year_from),
        authors=over.authors or tuple(record.authors),
        abstract=over.abstract or record.abstract,
        arxiv_id=str(entry.arxiv_id),
        version=record.version,
        withdrawn=record.withdrawn,
        missing=record.missing,
    )


def arxiv_year(record: Record, year_from: YearSource) -> int:
    """The year arXiv gives a paper: of its first version (published) or of this one."""
    return int(arxiv_date(record, year_from)[:4])


def arxiv_date(record: Record, year_from: YearSource) -> str:
    """The date and time (ISO 8601) of the paper's first version or of this one."""
    return record.updated if year_from == "updated" else record.published


def group_by_topic(papers: list[PaperView], order: tuple[str, ...]) -> tuple[Group, ...]:
    """Topics in the settings' order, then any others by first appearance.

    Papers [1: Robotics, 2: Humans, 3: Robotics] with order (Humans, Robotics) give
    Humans: [2], Robotics: [1, 3]. Topics with no paper are left out.
    """
    members: dict[str, list[PaperView]] = defaultdict(list)
    for paper in papers:
        for topic in paper.topics:
            members[topic].append(paper)
    names = [t for t in order if t in members] + [t for t in members if t not in order]
    return tuple(Group(name, tuple(members[name])) for name in names)


def group_by_year(papers: list[PaperView]) -> tuple[Group, ...]:
    """Years ascending, papers in document order within a year."""
    members: dict[int, list[PaperView]] = defaultdict(list)
    for paper in papers:
        members[paper.year].append(paper)
    return tuple(Group(str(year), tuple(members[year])) for year in sorted(members))


def environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment: undefined variables fail, fetched text is escaped."""
    # The project's own templates win; litsync's defaults serve a list that has none.
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(templates), jinja2.PackageLoader("litsync", "templates")]
    )
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        finalize=escape,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_document(view: object, templates: Path, name: str) -> str:
    """Render `view` (a DocumentView, or discover's CandidatesView) as the template's
    `document`, with template `name` from `templates`; raise TemplateError."""
    return "".join(document_pieces(view, templates, name))


def document_pieces(view: object, templates: Path, name: str, parts: int = PARTS) -> Iterator[str]:
    """`render_document`'s text in pieces, each joined from `parts` of the template's
    outputs as it is asked for: a long list's document need never be held whole. The
    text ends in one newline, whatever number the template leaves."""
    path = templates / name
    try:
        outputs = environment(templates).get_template(name).generate(document=view)
        waiting = ""  # newlines that may be the text's last
        # islice and join take the outputs in C: a loop over each of the 300,000 outputs
        # of 10,000 papers would cost a third of the time of rendering them.
        while batch := list(itertools.islice(outputs, parts)):
            text = waiting + "".join(batch)
            body = text.rstrip("\n")
            if body:
                yield body
            waiting = text[len(body) :]
        yield "\n"
    except jinja2.TemplateNotFound:
        raise TemplateError(
            path,
            None,
            "template not found here or among litsync's defaults; check settings.template",
        ) from None
    except jinja2.TemplateSyntaxError as err:
        where = Path(err.filename) if err.filename else path
        raise TemplateError(where, err.lineno, f"template syntax error: {err.message}") from None
    except jinja2.UndefinedError as err:
        raise TemplateError(
            path,
            _template_line(err),
            f"{err.message}; the template may use only `document` (see README)",
        ) from None


def _template_line(err: BaseException) -> int | None:
    # Jinja2 rewrites tracebacks so that template frames carry the template's file and line.
    tb = err.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
