"""The exports written beside the document: BibTeX and CSL-JSON, from the same cache.

`settings.exports` chooses which (both by default, ``[]`` for none). `render` and
`refresh` write them with the document, only when their bytes change; `check` fails
when one is not what `render` would write. A paper's entries do not hold its citation
key, which depends on the other papers; they are copied from the exports last written
where they are there (export_memo.py), and written under the key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from litsync import bibtex, csl
from litsync.cache import Cache
from litsync.catalogue import Catalogue
from litsync.citations import Citable, Source, cite_keys, draft, source, sources
from litsync.curation import EXPORT_FILES, chosen_exports
from litsync.export_memo import Entry, ExportMemo, Made, Paper
from litsync.project import Project
from litsync.render import PaperView, paper_view


@dataclass(frozen=True)
class Format:
    """How one export is written: a file of each paper's entry under its citation key,
    in document order (what export_memo.Frame describes)."""

    entry: Callable[[Citable], Entry]
    """One paper's entry, without its citation key (the same under any key), in parts."""
    keyed: Callable[[str, Entry], tuple[bytes, ...]]
    """The entry under a key, as the file holds it: pieces of the format's own, the key
    among them, at the even places, the entry's parts in order at the odd ones, and a
    part last."""
    header: bytes
    separator: bytes
    """Between two papers' entries."""
    footer: bytes
    empty: bytes
    """The whole file when the list has no paper."""


_BIBTEX_HEADER = bibtex.HEADER.encode()
FORMATS = {
    "bibtex": Format(bibtex.entry, bibtex.keyed, _BIBTEX_HEADER, b"", b"", _BIBTEX_HEADER),
    "csl-json": Format(csl.item, csl.keyed, csl.HEADER, csl.SEPARATOR, csl.FOOTER, csl.EMPTY),
}


def memo_for(project: Project, catalogue: Catalogue, remembered: bool = True) -> ExportMemo:
    """The export memo for the catalogue's exports: the last render's, or (not
    `remembered`) an empty one, with which every entry is made anew."""
    chosen = chosen_exports(catalogue.settings.exports)
    files = [(name, project.root / EXPORT_FILES[name]) for name in chosen]
    return ExportMemo(project.export_memo, files, remembered)


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
    found = [memo.find(s, draft) for s in cited]
    keys = cite_keys(cited, [paper.drafted for paper in found])
    for index, name in enumerate(memo.exports):
        make = functools.partial(_made_now, FORMATS[name].entry, cited, found)
        yield project.root / EXPORT_FILES[name], memo.file(index, FORMATS[name], found, keys, make)


def _made_now(
    entry: Callable[[Citable], Entry], cited: Sequence[Source], found: Sequence[Paper], number: int
) -> Entry:
    """Paper `number`'s entry in one export, from the citation drafted for this render;
    drafted again where the memo placed its entries in a file changed since."""
    citation = found[number].citation
    return entry(citation if citation is not None else draft(cited[number]))


def prepare(memo: ExportMemo, catalogue: Catalogue, cache: Cache, ids: Collection[str]) -> None:
    """Make the entries of the cached papers with these (base) ids ahead of the render:
    refresh does it for each batch while it waits to send the next one."""
    if not memo.exports:
        return
    year_from = catalogue.settings.year_from
    make = functools.partial(_make, exports=memo.exports)
    for entry in catalogue.entries:
        record = cache.get(entry.arxiv_id.base) if entry.arxiv_id else None
        if record is not None and record.id in ids:
            # A citation does not depend on the paper's number in the document.
            memo.prepare(source(paper_view(0, entry, record, catalogue), record, year_from), make)


def _make(source: Source, exports: Sequence[str]) -> Made:
    """A paper's draft key and its entry in each export, made in one pass over its text."""
    citation = draft(source)
    return citation.key, tuple(FORMATS[name].entry(citation) for name in exports)
