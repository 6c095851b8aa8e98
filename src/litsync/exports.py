"""The exports written beside the document: BibTeX and CSL-JSON, from the same cache.

`settings.exports` chooses which (both by default, ``[]`` for none). `render` and
`refresh` write them with the document, only when their bytes change; `check` fails
when one is not what `render` would write. A paper's entries do not hold its citation
key, which depends on the other papers; they are remembered (export_memo.py) and written
under the key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litsync import bibtex, csl
from litsync.cache import Cache
from litsync.catalogue import Catalogue
from litsync.citations import Citable, Source, cite_keys, draft, sources
from litsync.curation import EXPORT_FILES, chosen_exports
from litsync.export_memo import ExportMemo, Made
from litsync.project import Project
from litsync.render import PaperView, build_view


@dataclass(frozen=True)
class Format:
    """How one export is written."""

    entry: Callable[[Citable], Any]
    """One paper's entry, without its citation key: the same under any key."""
    render: Callable[[Sequence[tuple[str, Any]]], str]
    """The whole file, from each paper's key and entry, in document order."""


FORMATS = {
    "bibtex": Format(bibtex.entry, bibtex.render),
    "csl-json": Format(csl.item, csl.render),
}


def render_exports(
    project: Project,
    catalogue: Catalogue,
    cache: Cache,
    papers: Sequence[PaperView] | None = None,
    use_memo: bool = True,
) -> list[tuple[Path, str]]:
    """Each chosen export's path and text; `papers` is the document's, when built already.

    With `use_memo`, the papers' entries come from the export memo where they can, and
    are kept in it for the next render; without, all are made anew and nothing is kept.
    """
    chosen = chosen_exports(catalogue.settings.exports)
    if not chosen:
        return []
    if papers is None:
        papers = build_view(catalogue, cache).papers
    cited = sources(catalogue, cache, papers)
    if use_memo:
        memo = ExportMemo.load(project.export_memo, chosen)
    else:
        memo = ExportMemo(project.export_memo, chosen, {})
    made = [memo.entries(source, lambda s: _make(s, chosen)) for source in cited]
    if use_memo:
        memo.save()
    keys = cite_keys(cited, [drafted for drafted, _ in made])
    files = []
    for index, name in enumerate(chosen):
        keyed = [(key, entries[index]) for key, (_, entries) in zip(keys, made, strict=True)]
        files.append((project.root / EXPORT_FILES[name], FORMATS[name].render(keyed)))
    return files


def _make(source: Source, chosen: Sequence[str]) -> Made:
    citation = draft(source)
    return citation.key, tuple(FORMATS[name].entry(citation) for name in chosen)
