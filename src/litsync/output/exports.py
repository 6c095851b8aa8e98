"""The exports written beside the document: BibTeX and CSL-JSON, from the same papers.

`settings.exports` chooses which (both by default, ``[]`` for none). `render` and
`refresh` write them with the document, only when their bytes change; `check` fails
when one is not what `render` would write. A new format is a module with a `file`
function and a line in FORMATS (and its name in catalogue.model.EXPORT_FORMATS).
"""

from __future__ import annotations

import contextlib
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
    keys_in: Callable[[bytes], dict[str, str]]
    """The key of each arXiv paper in a file of this format, by its id without version."""


# In the order they are written and reported.
FORMATS = {
    "bibtex": Format(Path("generated") / "references.bib", bibtex.file, bibtex.keys_in),
    "csl-json": Format(Path("generated") / "papers.json", csl.file, csl.keys_in),
}


def chosen(settings: Settings) -> list[Format]:
    """The exports `settings.exports` names, in FORMATS's order."""
    return [export for name, export in FORMATS.items() if name in settings.exports]


def render_exports(
    settings: Settings, papers: Sequence[Paper], written: Sequence[Path] = ()
) -> list[tuple[Path, bytes]]:
    """Each chosen export's file (relative to the project root) and its bytes.

    `written` are the chosen exports' files as they are now: the keys they give papers
    are kept (`citations.citations`), from the last of them in FORMATS's order that can be
    read: CSL-JSON, else BibTeX.
    """
    exports = chosen(settings)
    given: dict[str, str] = {}
    # The last export that can be read is believed: one file holds every key.
    for export, path in reversed(list(zip(exports, written, strict=True))) if written else ():
        with contextlib.suppress(OSError):  # not written yet, or unreadable: nothing given
            given = export.keys_in(path.read_bytes())
            break
    cited = citations(papers, given) if exports else []
    return [(export.file, export.make(cited)) for export in exports]
