"""The CSL-JSON export, ``generated/papers.json``: what Zotero, pandoc and citeproc read.

One item per paper, in document order, with the same ids as the BibTeX keys. Preprints
follow Zotero's own export of arXiv papers (type ``article``, publisher ``arXiv``,
number ``arXiv:ID``); published papers are ``article-journal`` or ``paper-conference``
with their journal reference as container title and their arXiv id in a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from litsync.output.citations import Citable, Name
from litsync.sources.arxiv_ids import base_of

ITEM_TYPES = {
    "preprint": "article",
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "manual": "article",
}


def keys_in(data: bytes) -> dict[str, str]:
    """The id of each arXiv paper's item in a ``papers.json`` litsync wrote, by its arXiv
    id without version (what its `number` or `note` says)."""
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}
    keys: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        cited = item.get("number") or item.get("note") if isinstance(item, dict) else None
        if isinstance(cited, str) and cited.startswith("arXiv:") and isinstance(item["id"], str):
            keys[base_of(cited.removeprefix("arXiv:"))] = item["id"]
    return keys


def file(papers: Sequence[Citable]) -> bytes:
    """The whole ``papers.json``: a JSON array of the items, laid out as
    ``json.dumps(items, indent=2, ensure_ascii=False)`` lays it out, and a newline."""
    return orjson.dumps([item(paper) for paper in papers], option=orjson.OPT_INDENT_2) + b"\n"


def item(paper: Citable) -> dict[str, Any]:
    """One CSL item, its id the paper's citation key."""
    data: dict[str, Any] = {"id": paper.key, "type": ITEM_TYPES[paper.kind], "title": paper.title}
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
    return data


def csl_name(name: Name) -> dict[str, str]:
    """A CSL name: family, given, particle and suffix, or a literal that is never split.

    >>> from litsync.output.citations import split_name
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
