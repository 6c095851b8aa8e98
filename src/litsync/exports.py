"""The exports written beside the document: BibTeX and CSL-JSON, from the same cache.

`settings.exports` chooses which (both by default, ``[]`` for none). `render` and
`refresh` write them with the document, only when their bytes change; `check` fails
when one is not what `render` would write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from litsync import bibtex, csl
from litsync.cache import Cache
from litsync.catalogue import Catalogue
from litsync.citations import Citable, citables
from litsync.curation import EXPORT_FILES, chosen_exports
from litsync.project import Project
from litsync.render import PaperView

_RENDERERS: dict[str, Callable[[Sequence[Citable]], str]] = {
    "bibtex": bibtex.render,
    "csl-json": csl.render,
}


def render_exports(
    project: Project,
    catalogue: Catalogue,
    cache: Cache,
    papers: Sequence[PaperView] | None = None,
) -> list[tuple[Path, str]]:
    """Each chosen export's path and text; `papers` is the document's, when built already."""
    chosen = chosen_exports(catalogue.settings.exports)
    if not chosen:
        return []
    items = citables(catalogue, cache, papers)
    return [(project.root / EXPORT_FILES[name], _RENDERERS[name](items)) for name in chosen]
