"""Adding papers to ``ids.yaml`` the way a maintainer would: comments and layout kept.

The file is edited as text at the end of the `papers:` list, then the whole result is
validated before it replaces the file, so a failed add leaves the catalogue untouched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import yaml

from litsync import catalogue, identifiers
from litsync.errors import CatalogueError, IdentifierError
from litsync.files import write_atomic
from litsync.identifiers import ArxivId


def add_papers(
    path: Path,
    raw_ids: Sequence[str],
    usecase: str,
    topics: Sequence[str],
    today: date | None = None,
) -> list[ArxivId]:
    """Append one entry per identifier; refuse any already listed. Return what was added."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    current = catalogue.parse(text, path, today, require_papers=False) if text.strip() else None
    listed = {e.arxiv_id.base: e.line for e in current.entries if e.arxiv_id} if current else {}
    known_topics = current.settings.topics if current else ()
    for topic in topics:
        if known_topics and topic not in known_topics:
            raise CatalogueError(
                path,
                None,
                f"cannot add: topic {topic!r} is not in settings.topics"
                f"{catalogue.did_you_mean(topic, known_topics)}; add it there or fix it",
            )
    new: list[ArxivId] = []
    for raw in raw_ids:
        try:
            arxiv_id = identifiers.parse(raw, today)
        except IdentifierError as err:
            raise CatalogueError(path, None, f"cannot add: {err}") from None
        if arxiv_id.base in listed:
            raise CatalogueError(
                path, listed[arxiv_id.base], f"{arxiv_id.base} is already listed here"
            )
        if any(a.base == arxiv_id.base for a in new):
            raise CatalogueError(path, None, f"{raw} is given twice")
        new.append(arxiv_id)
    updated = insert_entries(text, [entry_text(a, usecase, topics) for a in new])
    catalogue.parse(updated, path, today)  # the file is only replaced by a valid catalogue
    write_atomic(path, updated)
    return new


def entry_text(arxiv_id: ArxivId, usecase: str, topics: Sequence[str]) -> str:
    """One list item in the catalogue's style; JSON strings are valid YAML scalars."""
    topic_list = ", ".join(_scalar(t) for t in topics)
    return f"- id: {arxiv_id}\n  usecase: {_scalar(usecase)}\n  topics: [{topic_list}]\n"


def _scalar(value: str) -> str:
    plain = yaml.safe_load(value) == value if value.strip() == value else False
    if plain and not any(c in value for c in ",[]{}#:&*!|>'\"%@`"):
        return value
    return json.dumps(value, ensure_ascii=False)


def insert_entries(text: str, items: Sequence[str]) -> str:
    """Insert list items at the end of `papers:`, indented like the items already there."""
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    papers = _papers_node(root)
    if papers is None:
        body = "".join(_indent(item, "  ") for item in items)
        return text.rstrip("\n") + ("\n\n" if text.strip() else "") + "papers:\n" + body
    lines = text.splitlines(keepends=True)
    if isinstance(papers, yaml.SequenceNode) and papers.value and not papers.flow_style:
        indent = " " * papers.value[0].start_mark.column
        # Items sit two columns right of their dash; the dash is what start_mark misses.
        indent = " " * max(0, len(indent) - 2)
        end = _end_line(papers, lines)
        blank = "\n" if _items_are_spaced(papers, lines) else ""
        block = "".join(blank + _indent(item, indent) for item in items)
        if end > 0 and not lines[end - 1].endswith("\n"):
            lines[end - 1] += "\n"
        return "".join(lines[:end]) + block + "".join(lines[end:])
    # `papers:` with no items (empty, null or []): replace the value with a block list.
    start, stop = papers.start_mark.index, papers.end_mark.index
    block = "".join(_indent(item, "  ") for item in items)
    return text[:start].rstrip(" ") + "\n" + block + text[stop:].lstrip(" ").lstrip("\n")


def _papers_node(root: yaml.Node | None) -> yaml.Node | None:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "papers":
                node: yaml.Node = value
                return node
    return None


def _end_line(papers: yaml.SequenceNode, lines: list[str]) -> int:
    """Index of the first line after the last item's content (comments after it stay after)."""
    last = papers.value[-1].end_mark
    end = int(last.line) + (1 if last.column > 0 else 0)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end


def _items_are_spaced(papers: yaml.SequenceNode, lines: list[str]) -> bool:
    """Whether the maintainer separates entries by blank lines (comments between count not)."""
    if len(papers.value) < 2:
        return True
    line = papers.value[1].start_mark.line - 1
    while line >= 0 and lines[line].lstrip().startswith("#"):
        line -= 1
    return line >= 0 and not lines[line].strip()


def _indent(item: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in item.splitlines(True))
