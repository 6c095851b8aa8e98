"""The exports written beside the document: BibTeX and CSL-JSON, from the same cache.

`settings.exports` chooses which (both by default, ``[]`` for none). `render` and
`refresh` write them with the document, only when their bytes change; `check` fails
when one is not what `render` would write. A paper's entries do not hold its citation
key, which depends on the other papers; they are remembered (export_memo.py) and written
under the key.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litsync import bibtex, csl
from litsync.cache import Cache
from litsync.catalogue import Catalogue
from litsync.citations import Citable, Source, cite_keys, draft, source, sources
from litsync.curation import EXPORT_FILES, chosen_exports
from litsync.export_memo import ExportMemo, Made
from litsync.project import Project
from litsync.render import PaperView, paper_view


@dataclass(frozen=True)
class Format:
    """How one export is written."""

    entry: Callable[[Citable], Any]
    """One paper's entry, without its citation key: the same under any key."""
    render: Callable[[Sequence[tuple[str, Any]]], list[bytes]]
    """The whole file (UTF-8) in pieces, from each paper's key and entry, in document
    order."""


FORMATS = {
    "bibtex": Format(bibtex.entry, bibtex.render),
    "csl-json": Format(csl.item, csl.render),
}


def memo_for(project: Project, catalogue: Catalogue, remembered: bool = True) -> ExportMemo:
    """The export memo for the catalogue's exports: the last render's, or (not
    `remembered`) an empty one, with which every entry is made anew."""
    chosen = chosen_exports(catalogue.settings.exports)
    if remembered:
        return ExportMemo.load(project.export_memo, chosen)
    return ExportMemo(project.export_memo, chosen, {})


def render_exports(
    project: Project,
    catalogue: Catalogue,
    cache: Cache,
    papers: Sequence[PaperView],
    memo: ExportMemo,
) -> Iterator[tuple[Path, Iterator[bytes]]]:
    """The path and the bytes (UTF-8, in pieces) of each of the memo's exports, from the
    document's `papers`, one at a time: a long list's export need not outlive its
    writing. Nothing is made or looked up until the first is asked for."""
    if not memo.exports:
        return
    cited = sources(catalogue, cache, papers)
    made = [memo.entries(s, lambda s: _make(s, memo.exports)) for s in cited]
    keys = cite_keys(cited, [drafted for drafted, _ in made])
    for index, name in enumerate(memo.exports):
        keyed = [(key, entries[index]) for key, (_, entries) in zip(keys, made, strict=True)]
        yield project.root / EXPORT_FILES[name], iter(FORMATS[name].render(keyed))


def prepare(memo: ExportMemo, catalogue: Catalogue, cache: Cache, ids: Collection[str]) -> None:
    """Make the entries of the cached papers with these (base) ids ahead of the render:
    refresh does it for each batch while it waits to send the next one."""
    if not memo.exports:
        return
    year_from = catalogue.settings.year_from
    for entry in catalogue.entries:
        record = cache.get(entry.arxiv_id.base) if entry.arxiv_id else None
        if record is not None and record.id in ids:
            # A citation does not depend on the paper's number in the document.
            cited = source(paper_view(0, entry, record, catalogue), record, year_from)
            memo.prepare(cited, lambda s: _make(s, memo.exports))


def _make(source: Source, exports: Sequence[str]) -> Made:
    citation = draft(source)
    return citation.key, tuple(FORMATS[name].entry(citation) for name in exports)
