"""The exports written beside the document: BibTeX and CSL-JSON, from the same papers.

`settings.exports` chooses which (both by default, ``[]`` for none). `render` and
`refresh` write them with the document, only when their bytes change; `check` fails
when one is not what `render` would write. A new format is a module with a `file`
function and a line in FORMATS (and its name in catalogue.model.EXPORT_FORMATS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from litsync.catalogue.model import Settings
from litsync.output import bibtex, csl
from litsync.output.citations import Citable, citations
from litsync.sources.paper import Paper


@dataclass(frozen=True)
class Format:
    """One export: where it is written and how its bytes are made from the citations."""

    file: Path
    """Relative to the project root."""
    make: Callable[[Sequence[Citable]], bytes]


# In the order they are written and reported.
FORMATS = {
    "bibtex": Format(Path("generated") / "references.bib", bibtex.file),
    "csl-json": Format(Path("generated") / "papers.json", csl.file),
}


def chosen(settings: Settings) -> list[Format]:
    """The exports `settings.exports` names, in FORMATS's order."""
    return [export for name, export in FORMATS.items() if name in settings.exports]


def render_exports(settings: Settings, papers: Sequence[Paper]) -> list[tuple[Path, bytes]]:
    """Each chosen export's file (relative to the project root) and its bytes."""
    exports = chosen(settings)
    cited = citations(papers) if exports else []
    return [(export.file, export.make(cited)) for export in exports]
