"""The CSL-JSON export, ``generated/papers.json``: what Zotero, pandoc and citeproc read.

One item per paper, in document order, with the same ids as the BibTeX keys. Preprints
follow Zotero's own export of arXiv papers (type ``article``, publisher ``arXiv``,
number ``arXiv:ID``); published papers are ``article-journal`` or ``paper-conference``
with their journal reference as container title and their arXiv id in a note.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson

from litsync.citations import Citable, Name

ITEM_TYPES = {
    "preprint": "article",
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "manual": "article",
}


def render(items: Sequence[tuple[str, bytes]]) -> list[bytes]:
    """The whole file (UTF-8) in pieces: a JSON array of each paper's item under its key
    (its id), laid out as ``json.dumps(items, indent=2, ensure_ascii=False)`` lays it out,
    and a newline. No item is copied on the way."""
    if not items:
        return [b"[]\n"]
    # An item's text is already indented for its place in the array.
    pieces = [b"["]
    for key, text in items:
        # Not orjson: each of its small results would keep a buffer of kilobytes.
        quoted = json.dumps(key, ensure_ascii=False).encode()
        pieces += (b'\n  {\n    "id": ', quoted, b",", text, b",")
    pieces[-1] = b"\n]\n"  # the last item's comma: the array ends there
    return pieces


def item(paper: Citable) -> bytes:
    """One CSL item without its id, as JSON text (UTF-8): the members after the id, and
    the closing brace, indented for the item's place in the file's array."""
    data: dict[str, Any] = {"type": ITEM_TYPES[paper.kind], "title": paper.title}
    if paper.authors:
        data["author"] = [csl_name(name) for name in paper.authors]
    data["issued"] = {"date-parts": [list(paper.issued)]}
    if paper.venue and paper.kind != "preprint":
        data["container-title"] = paper.venue
    if paper.doi:
        data["DOI"] = paper.doi
    data["URL"] = paper.url
    if paper.arxiv_id and paper.kind == "preprint":
        data["publisher"] = "arXiv"
        data["number"] = f"arXiv:{paper.arxiv_id}"
    elif paper.arxiv_id:
        data["note"] = f"arXiv:{paper.arxiv_id}"
    if paper.abstract:
        data["abstract"] = paper.abstract
    # `{\n  "type": …\n}` one level deeper; JSON text holds no raw newline but these.
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    return text[1:].replace(b"\n", b"\n  ")


def csl_name(name: Name) -> dict[str, str]:
    """A CSL name: family, given, particle and suffix, or a literal that is never split.

    >>> from litsync.citations import split_name
    >>> csl_name(split_name("Ludwig van Beethoven"))
    {'family': 'Beethoven', 'given': 'Ludwig', 'non-dropping-particle': 'van'}
    """
    if name.literal:
        return {"literal": name.family}
    parts = {
        "family": name.family,
        "given": name.given,
        "non-dropping-particle": name.particle,
        "suffix": name.suffix,
    }
    return {key: value for key, value in parts.items() if value}
