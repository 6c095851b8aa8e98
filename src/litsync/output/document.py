"""From catalogue and papers to the Markdown document.

Ordering, grouping and the choice of each field happen here, in Python; the Jinja2
template only lays the result out. Fetched text is escaped by the environment's
`finalize` hook (markdown.escape), so a template cannot forget to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from litsync.catalogue.model import Catalogue, Entry
from litsync.errors import TemplateError
from litsync.output.markdown import Trusted, escape
from litsync.sources.paper import Paper
from litsync.sources.registry import paper_of
from litsync.store.cache import Cache

# Templates of a project may extend litsync's own under this prefix ("litsync/document.md.j2").
DEFAULTS_PREFIX = "litsync"


@dataclass(frozen=True)
class PaperView:
    """One paper as the template sees it: its place in the document, the catalogue's
    words for it, and every field of its `Paper` (``paper.title``); text is escaped on
    output."""

    number: int
    anchor: Trusted
    url: Trusted
    """The paper's page, ready to stand in a Markdown link."""
    links: tuple[tuple[str, Trusted], ...]
    """The paper's other pages (`Paper.links`), ready to stand in Markdown links."""
    usecase: str
    topics: tuple[str, ...]
    paper: Paper

    def __getattr__(self, name: str) -> Any:
        # Called only for names the view does not have itself: the paper's fields.
        return getattr(self.paper, name)


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

    Papers without metadata yet are left out of the document (and listed in
    `unresolved`), so no placeholder ever reaches the reader.
    """
    settings = catalogue.settings
    papers: list[PaperView] = []
    unresolved: list[str] = []
    for entry in catalogue.entries:
        paper = paper_of(entry, settings, cache)
        if paper is None:
            unresolved.append(str(entry.arxiv_id))
            continue
        papers.append(paper_view(len(papers) + 1, entry, paper))
    return DocumentView(
        title=settings.title,
        introduction=Trusted(settings.introduction.strip()),
        index_note=Trusted(settings.index_note.strip()),
        by_topic=group_by_topic(papers, settings.topics),
        by_year=group_by_year(papers),
        papers=tuple(papers),
        unresolved=tuple(unresolved),
    )


def paper_view(number: int, entry: Entry, paper: Paper) -> PaperView:
    """The paper of `entry` as the document's `number`th."""
    anchor = Trusted(f"ref{number}")
    links = tuple((label, Trusted(url)) for label, url in paper.links)
    return PaperView(number, anchor, Trusted(paper.url), links, entry.usecase, entry.topics, paper)


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


class ProjectTemplates(jinja2.FileSystemLoader):
    """The project's ``templates/`` folder, refusing a template that is really a file
    elsewhere (a symbolic link out of it), which could put any file the checkout can read,
    such as ``.git/config`` and its credentials, into the committed document."""

    def __init__(self, templates: Path) -> None:
        super().__init__(templates)
        self.templates = templates

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.templates.joinpath(*split_template_path(template))
        if path.exists():
            real = path.resolve()
            folder = self.templates.resolve()
            # The folder itself must be the repository's, not a link to another one.
            inside = folder.is_relative_to(self.templates.parent.resolve())
            if not (inside and real.is_relative_to(folder)):
                raise TemplateError(
                    path,
                    None,
                    f"the template leads, through a symbolic link, to {real}, outside the "
                    f"repository's {self.templates.name}/; put the file itself there",
                )
        return super().get_source(environment, template)


class _Undefined(jinja2.StrictUndefined):
    """An undefined variable fails, saying which fields the object does have."""

    @property
    def _undefined_message(self) -> str:
        message: str = super()._undefined_message
        names = fields_of(self._undefined_obj)
        return f"{message} (it has {', '.join(names)})" if names else message


def fields_of(view: object) -> list[str]:
    """The fields a template can read of one of the views: a paper's own and its Paper's.

    >>> fields_of(Group("Robotics", ()))
    ['name', 'papers']
    """
    names = [f.name for f in fields(view)] if is_dataclass(view) else []
    if isinstance(view, PaperView):
        names = [n for n in names if n != "paper"] + list(Paper._fields)
    return sorted(set(names), key=names.index)


def environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment: undefined variables fail, fetched text is escaped."""
    defaults = jinja2.PackageLoader("litsync", "templates")
    # The project's own templates win; litsync's defaults serve a list that has none.
    loader = jinja2.ChoiceLoader(
        [
            ProjectTemplates(templates),
            defaults,
            jinja2.PrefixLoader({DEFAULTS_PREFIX: defaults}),
        ]
    )
    return jinja2.Environment(
        loader=loader,
        undefined=_Undefined,
        finalize=escape,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_document(view: object, templates: Path, name: str) -> str:
    """Render `view` (a DocumentView, or discover's CandidatesView) as the template's
    `document`, with template `name` from `templates`; raise TemplateError. The text ends
    in one newline, whatever number the template leaves."""
    path = templates / name
    try:
        text = environment(templates).get_template(name).render(document=view)
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
    return text.rstrip("\n") + "\n"


def _template_line(err: BaseException) -> int | None:
    # Jinja2 rewrites tracebacks so that template frames carry the template's file and line.
    tb = err.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
