"""The CSL-JSON export, ``generated/papers.json``: what Zotero, pandoc and citeproc read.

One item per paper, in document order, with the same ids as the BibTeX keys. Preprints
follow Zotero's own export of arXiv papers (type ``article``, publisher ``arXiv``,
number ``arXiv:ID``); published papers are ``article-journal`` or ``paper-conference``
with their journal reference as container title and their arXiv id in a note.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from litsync.citations import Citable, Name

ITEM_TYPES = {
    "preprint": "article",
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "manual": "article",
}


# The file is a JSON array of the items, laid out as ``json.dumps(items, indent=2,
# ensure_ascii=False)`` lays it out, and a newline.
HEADER = b"["
SEPARATOR = b","
FOOTER = b"\n]\n"
EMPTY = b"[]\n"

Entry = tuple[bytes]
"""A paper's item without its id: the members after the id, and the closing brace, as
JSON text (UTF-8) indented for the item's place in the file's array."""


def keyed(key: str, entry: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The item under `key` (its id), in the pieces the file holds: the entry's part at
    the odd place (see exports.Format)."""
    if key.isascii() and key.isalnum():  # every key citations makes: quoted as it is
        quoted = b'"' + key.encode() + b'"'
    else:  # not orjson: each of its small results would keep a buffer of kilobytes
        quoted = json.dumps(key, ensure_ascii=False).encode()
    return (b'\n  {\n    "id": ' + quoted + b",", entry[0])


def item(paper: Citable) -> Entry:
    """One CSL item without its id."""
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
    return (text[1:].replace(b"\n", b"\n  "),)


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
