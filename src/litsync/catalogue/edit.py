"""Editing ``ids.yaml`` the way a maintainer would: comments and layout kept.

Papers are added at the end of the `papers:` list (a flow list, `[{…}, {…}]`, is first
written as a block list, each entry as it was), removed with their lines, and rejected
at the end of `rejected:`; the file is edited as text, then the result is validated, and
checked to list every paper the file listed but those removed, unchanged and in order,
before it replaces the file, so a failed edit leaves the catalogue untouched.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeAlias

import yaml

from litsync.catalogue.load import (
    compose,
    compose_checked,
    did_you_mean,
    parse_composed,
    read,
    read_yaml,
)
from litsync.catalogue.model import Catalogue
from litsync.errors import CatalogueError, IdentifierError
from litsync.files import write_atomic
from litsync.sources import arxiv_ids
from litsync.sources.arxiv_ids import ArxivId

WIDTH = 92  # longest line written, as in the bundled catalogue


def add_papers(
    path: Path,
    raw_ids: Sequence[str],
    usecase: str,
    topics: Sequence[str],
    today: date | None = None,
    new_topics: Sequence[str] = (),
) -> list[ArxivId]:
    """Append one entry per identifier to the catalogue at `path`, with `topics` and
    `new_topics`, the latter added to `settings.topics` when the file has a list there;
    refuse any paper already listed or rejected. Return what was added."""
    text = read(path) if path.exists() else ""
    current = read_current(path, text, today)
    listed = {e.arxiv_id.base: e.line for e in current.entries if e.arxiv_id} if current else {}
    rejected = {r.arxiv_id.base: r.line for r in current.rejected} if current else {}
    known_topics = current.settings.topics if current else ()
    for topic in topics:
        if known_topics and topic not in known_topics and topic not in new_topics:
            raise CatalogueError(
                path,
                _key_line(_child(compose(text), "settings"), "topics"),
                f"cannot add: topic {topic!r} is not in settings.topics"
                f"{did_you_mean(topic, known_topics)}; fix it, or give --new-topic {topic!r} "
                "to add it there",
            )
    new: list[ArxivId] = []
    for raw in raw_ids:
        try:
            arxiv_id = arxiv_ids.parse(raw, today)
        except IdentifierError as err:
            raise CatalogueError(path, None, f"cannot add: {err}") from None
        if arxiv_id.base in listed:
            raise CatalogueError(
                path, listed[arxiv_id.base], f"{arxiv_id.base} is already listed here"
            )
        if arxiv_id.base in rejected:
            raise CatalogueError(
                path,
                rejected[arxiv_id.base],
                f"cannot add: {arxiv_id.base} is rejected here; delete it from `rejected:` "
                "and add it again",
            )
        if any(a.base == arxiv_id.base for a in new):
            raise CatalogueError(path, None, f"{raw} is given twice")
        new.append(arxiv_id)
    added_topics = list(dict.fromkeys(t for t in new_topics if t not in known_topics))
    paper_topics = list(dict.fromkeys([*topics, *new_topics]))
    items = [entry_text(a, usecase, paper_topics) for a in new]
    # A list without `settings.topics` takes any topic: one written there would bar the rest.
    updated = add_topics(text, added_topics) if known_topics else text
    write_checked(path, insert_entries(updated, items), today, [a.base for a in new])
    return new


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    """The line of `key` in a mapping node; None if it has none."""
    pair = _pair(node, key)
    return int(pair[0].start_mark.line) + 1 if pair else None


def remove_papers(path: Path, raw_ids: Sequence[str], today: date | None = None) -> list[ArxivId]:
    """Remove the entries of the papers with these identifiers from the catalogue at
    `path`, with their own comments, and nothing else; refuse an id that is not listed.
    Return the ids as they were listed."""
    text = read(path)
    current = _current(path, text, today, "remove")
    listed = {e.arxiv_id.base: e.arxiv_id for e in current.entries if e.arxiv_id}
    rejected = {r.arxiv_id.base: r.line for r in current.rejected}
    removed: list[ArxivId] = []
    for arxiv_id in _parse_ids(path, raw_ids, today, "remove"):
        if arxiv_id.base in rejected:
            raise CatalogueError(
                path,
                rejected[arxiv_id.base],
                f"cannot remove: {arxiv_id.base} is not listed under `papers:` but rejected "
                "here; delete it from `rejected:` to have it proposed again",
            )
        if arxiv_id.base not in listed:
            raise CatalogueError(
                path,
                None,
                f"cannot remove: {arxiv_id.base} is not listed under `papers:`; check the id",
            )
        removed.append(listed[arxiv_id.base])
    updated = remove_entries(path, text, [a.base for a in removed], today)
    write_checked(path, updated, today, [], [a.base for a in removed], action="remove")
    return removed


def reject_papers(
    path: Path, raw_ids: Sequence[str], reason: str = "", today: date | None = None
) -> list[tuple[ArxivId, bool]]:
    """Add the papers with these identifiers to the catalogue's `rejected:` list (created
    at the end if there is none), with `reason` if given, removing the entries of those
    listed under `papers:`; refuse one already rejected. Return each id, and whether it
    was listed."""
    text = read(path)
    current = _current(path, text, today, "reject")
    listed = {e.arxiv_id.base for e in current.entries if e.arxiv_id}
    rejected = {r.arxiv_id.base: r.line for r in current.rejected}
    ids = _parse_ids(path, raw_ids, today, "reject")
    for arxiv_id in ids:
        if arxiv_id.base in rejected:
            raise CatalogueError(
                path, rejected[arxiv_id.base], f"{arxiv_id.base} is already rejected here"
            )
    removed = [a.base for a in ids if a.base in listed]
    items = [rejection_text(a, reason) for a in ids]
    updated = remove_entries(path, text, removed, today) if removed else text
    updated = _insert_items(updated, "rejected", items, spaced_alone=False)
    write_checked(path, updated, today, [], removed, [a.base for a in ids], action="reject")
    return [(a, a.base in listed) for a in ids]


def _current(path: Path, text: str, today: date | None, action: str) -> Catalogue:
    """The catalogue to remove or reject papers from; it must have papers."""
    current = read_current(path, text, today)
    if current is None:
        raise CatalogueError(path, None, f"cannot {action}: the catalogue is empty")
    return current


def _parse_ids(
    path: Path, raw_ids: Sequence[str], today: date | None, action: str
) -> list[ArxivId]:
    """The identifiers given, each a valid arXiv id given once."""
    parsed: list[ArxivId] = []
    for raw in raw_ids:
        try:
            arxiv_id = arxiv_ids.parse(raw, today)
        except IdentifierError as err:
            raise CatalogueError(path, None, f"cannot {action}: {err}") from None
        if any(a.base == arxiv_id.base for a in parsed):
            raise CatalogueError(path, None, f"{raw} is given twice")
        parsed.append(arxiv_id)
    return parsed


def rejection_text(arxiv_id: ArxivId, reason: str) -> str:
    """One item of `rejected:`: the bare id, or the id with its reason."""
    if not reason:
        return f"- {arxiv_id.base}\n"
    return item_text([Field("id", ArxivId(arxiv_id.base)), Field("reason", reason)])


def read_current(path: Path, text: str, today: date | None) -> Catalogue | None:
    """The catalogue of `text`, the file's before an edit; None if it is empty. One with no
    papers yet is accepted: papers are to be added. One written as a single flow mapping
    (`{papers: […]}`), which entries cannot be added to as lines, is refused."""
    if not text.strip():
        return None
    root = compose_checked(text, path)
    if isinstance(root, yaml.MappingNode) and root.flow_style:
        raise CatalogueError(
            path,
            root.start_mark.line + 1,
            "cannot add to a catalogue written as one `{…}` mapping; write its keys as "
            "`key: value` lines (settings:, papers:) and add again",
        )
    return parse_composed(root, path, today, require_papers=False)


def write_checked(
    path: Path,
    text: str,
    today: date | None,
    added: Sequence[str] | None = None,
    removed: Sequence[str] = (),
    rejected: Sequence[str] = (),
    action: str = "add",
) -> None:
    """Replace the catalogue at `path` with `text` if that is a valid catalogue listing
    every paper the file lists but those keyed `removed`, unchanged and in order, then the
    entries keyed `added` (`Entry.key`; None: any), and rejecting what the file rejects,
    then the ids `rejected`; else raise CatalogueError, and the file stays as it was.
    `action` (add, remove, reject) words the refusal."""
    before_root = compose_checked(read(path), path) if path.exists() else None
    kept = _items(before_root, "papers")
    if removed:
        listed = parse_composed(before_root, path, today, require_papers=False).entries
        kept = [node for node, entry in zip(kept, listed, strict=True) if entry.key not in removed]
    try:
        root = compose_checked(text, path)
    except CatalogueError:
        raise _cannot_keep(path, kept[-1] if kept else None, action) from None
    try:
        catalogue = parse_composed(root, path, today)
    except CatalogueError as err:
        # Its line is one of the text that was not written.
        raise CatalogueError(path, None, f"cannot {action}: {err.problem}") from None
    changed = _first_changed(kept, _items(root, "papers"))
    new_keys = [e.key for e in catalogue.entries[len(kept) :]]
    if changed is not None or (added is not None and new_keys != list(added)):
        raise _cannot_keep(path, changed or (kept[-1] if kept else None), action)
    was_rejected = _items(before_root, "rejected")
    new_rejected = [r.arxiv_id.base for r in catalogue.rejected[len(was_rejected) :]]
    if _first_changed(was_rejected, _items(root, "rejected")) or new_rejected != list(rejected):
        raise _cannot_keep(path, _child(before_root, "rejected"), action)
    write_atomic(path, text)


# How an edit that would change what it must keep is refused, by action.
_CANNOT_KEEP = {
    "add": "cannot add to `papers:` without changing the entry here as it is written (an "
    "alias at its end, say); write it more plainly, or add the new entry by hand",
    "remove": "cannot remove from `papers:` without changing what is here as it is written "
    "(an alias of an anchor in a removed entry, say); write it more plainly, or remove the "
    "entry by hand",
    "reject": "cannot move to `rejected:` without changing what is here as it is written "
    "(an alias of an anchor in a removed entry, say); write it more plainly, or move the "
    "paper by hand",
}


def _cannot_keep(path: Path, node: yaml.Node | None, action: str) -> CatalogueError:
    """The refusal of an edit that would change `node`, or what follows it."""
    return CatalogueError(path, node.start_mark.line + 1 if node else None, _CANNOT_KEEP[action])


def _items(root: yaml.Node | None, key: str) -> list[yaml.Node]:
    """The items of a top-level list of a composed catalogue (`papers:`, `rejected:`)."""
    node = _child(root, key)
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _first_changed(before: Sequence[yaml.Node], after: Sequence[yaml.Node]) -> yaml.Node | None:
    """The first item of `before` that `after` does not hold, unchanged, at its place."""
    for index, node in enumerate(before):
        if index >= len(after) or not _same(node, after[index]):
            return node
    return None


def _same(a: yaml.Node, b: yaml.Node) -> bool:
    """Whether two composed nodes mean the same, wherever and in whatever style written."""
    if type(a) is not type(b) or a.tag != b.tag:
        return False
    if isinstance(a, yaml.ScalarNode):
        return bool(a.value == b.value)
    if len(a.value) != len(b.value):
        return False
    if isinstance(a, yaml.MappingNode):
        return all(
            _same(key_a, key_b) and _same(value_a, value_b)
            for (key_a, value_a), (key_b, value_b) in zip(a.value, b.value, strict=True)
        )
    return all(_same(x, y) for x, y in zip(a.value, b.value, strict=True))


def entry_text(arxiv_id: ArxivId, usecase: str, topics: Sequence[str]) -> str:
    """One list item in the catalogue's style."""
    return item_text([Field("id", arxiv_id), Field("usecase", usecase), Field("topics", topics)])


FieldValue: TypeAlias = "str | int | ArxivId | Sequence[str] | Sequence[Field]"


@dataclass(frozen=True)
class Field:
    """One `key: value` of a mapping to write, with the comments that say why it is so."""

    key: str
    value: FieldValue
    """Text, a year, an arXiv id, a list of names, or a nested mapping."""
    comment: str = ""
    """A comment at the end of the key's line."""
    note: str = ""
    """A comment on the lines above the key."""
    block: bool = False
    """Write a list of names one `- name` per line rather than as `[a, b]`."""


def item_text(fields: Sequence[Field], note: str = "") -> str:
    """One `- key: value` list item, unindented; `note` is a comment above it."""
    body = mapping_text(fields, "  ")
    return _comment_lines(note, "") + "- " + body[2:]


def mapping_text(fields: Sequence[Field], indent: str) -> str:
    """`key: value` lines at `indent`; long text becomes a folded block, wrapped."""
    lines = []
    for item in fields:
        value = _value_text(item, indent)
        comment = f"  # {item.comment}" if item.comment else ""
        first, newline, rest = value.partition("\n")
        lines.append(
            _comment_lines(item.note, indent)
            + f"{indent}{item.key}:{first}{comment}{newline}{rest}"
        )
    return "".join(lines)


def catalogue_text(header: str, settings: Sequence[Field], items: Sequence[str]) -> str:
    """A whole new catalogue: a comment, the settings, the entries separated by blank lines."""
    papers = "\n".join(_indent(item, "  ") for item in items)
    return f"{header}\nsettings:\n{mapping_text(settings, '  ')}\npapers:\n{papers}"


def _comment_lines(note: str, indent: str) -> str:
    return "".join(f"{indent}# {line}\n" for line in note.splitlines())


def _value_text(item: Field, indent: str) -> str:
    """What follows `key:`, from the space after the colon to the final newline."""
    value = item.value
    if isinstance(value, (int, ArxivId)):
        # An id stays as written: the loader reads `1701.01370` as text, not a number.
        return f" {value}\n"
    if isinstance(value, str):
        return _text_value(item.key, value, indent)
    if all(isinstance(v, Field) for v in value) and value:
        return "\n" + mapping_text([v for v in value if isinstance(v, Field)], indent + "  ")
    names = [str(v) for v in value]
    if item.block:
        return "\n" + "".join(f"{indent}  - {_scalar(n)}\n" for n in names)
    return f" [{', '.join(_scalar(n) for n in names)}]\n"


def _text_value(key: str, value: str, indent: str) -> str:
    """Plain when short, else a folded (`>-`) or, with line breaks, literal (`|-`) block.

    A block is only used when YAML reads it back as exactly `value`; JSON is the fallback.
    """
    plain = _scalar(value, flow=False)
    fits = len(indent) + len(key) + 2 + len(plain) <= WIDTH
    # A long word (a URL) cannot be wrapped; it stays on the key's line.
    if "\n" not in value and (fits or " " not in value):
        return f" {plain}\n"
    inner = indent + "  "
    if "\n" in value:
        block = " |-\n" + "".join(
            f"{inner}{line}\n" if line else "\n" for line in value.split("\n")
        )
    else:
        wrapped = textwrap.wrap(
            value, WIDTH - len(inner), break_long_words=False, break_on_hyphens=False
        )
        block = " >-\n" + "".join(f"{inner}{line}\n" for line in wrapped)
    if _reads_back(block, value):
        return block
    return f" {_quoted(value)}\n"


def _scalar(value: str, flow: bool = True) -> str:
    """`value` as a YAML scalar: plain where that reads back the same, else JSON.

    `flow` is for the inside of `[a, b]`, where commas and brackets end a plain scalar
    (and a tab is read by libyaml only).
    """
    if value.strip() == value and value:
        if flow:
            plain = not any(c in value for c in ",[]{}#:&*!|>'\"%@`\t") and _reads_as(value, value)
        else:
            plain = _reads_back(f" {value}", value)
        if plain:
            return value
    return _quoted(value)


# What a double-quoted YAML scalar cannot hold as itself: YAML's own line breaks (which
# it folds into a space), characters it refuses in a file, and surrogates (no UTF-8).
_UNQUOTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _quoted(value: str) -> str:
    """`value` as a double-quoted YAML scalar that reads back as exactly `value`.

    JSON's escapes are YAML's; the characters JSON leaves as they are and YAML does not
    are escaped too.
    """
    return _UNQUOTABLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False)
    )


def _reads_back(after_colon: str, value: str) -> bool:
    """Whether `key:` followed by `after_colon` is read as exactly `value`."""
    return _reads_as("key:" + after_colon, {"key": value})


def _reads_as(text: str, expected: object) -> bool:
    """Whether YAML `text` is read as `expected` (not, if it is no valid YAML: `=` alone)."""
    try:
        return bool(read_yaml(text) == expected)
    except (yaml.YAMLError, UnicodeEncodeError):
        # libyaml reads UTF-8, which cannot hold a lone surrogate (from a terminal whose
        # bytes were not UTF-8); such text is escaped.
        return False


def insert_entries(text: str, items: Sequence[str]) -> str:
    """Insert list items at the end of `papers:`, indented like the items already there."""
    return _insert_items(text, "papers", items, spaced_alone=True)


def _insert_items(text: str, key: str, items: Sequence[str], spaced_alone: bool) -> str:
    """Insert list items at the end of the top-level list `key` (created at the end of the
    file if missing); `spaced_alone`: a blank line parts them from a list's one item."""
    lines = text.splitlines(keepends=True)
    root = compose(text) if text.strip() else None
    node = _child(root, key)
    if node is None:
        body = "".join(_indent(item, "  ") for item in items)
        return text.rstrip("\n") + ("\n\n" if text.strip() else "") + f"{key}:\n" + body
    if isinstance(node, yaml.SequenceNode) and node.value and node.flow_style:
        return _insert_items(_as_block_list(text, node), key, items, spaced_alone)
    if isinstance(node, yaml.SequenceNode) and node.value:
        second = node.value[1].start_mark.line if len(node.value) > 1 else None
        spaced = _items_are_spaced(second, lines) if second is not None else spaced_alone
        return _append_items(lines, node, items, spaced)
    # A key with no items (empty, null or []): its value becomes a block list.
    start, stop = node.start_mark.index, node.end_mark.index
    block = "".join(_indent(item, "  ") for item in items)
    return text[:start].rstrip(" ") + "\n" + block + text[stop:].lstrip(" ").lstrip("\n")


def remove_entries(path: Path, text: str, keys: Sequence[str], today: date | None) -> str:
    """`text` without the `papers:` entries of these arXiv ids: each one's lines, the
    comment lines right above it at its indentation and those indented into it after it
    (its own), and the blank lines that parted it from the next entry kept (from the one
    before, when none follows); nothing else."""
    root = compose(text)
    papers = _child(root, "papers")
    if isinstance(papers, yaml.SequenceNode) and papers.flow_style:
        text = _as_block_list(text, papers)
        root = compose(text)
        papers = _child(root, "papers")
    assert isinstance(papers, yaml.SequenceNode)  # the catalogue was read: it has papers
    catalogue = parse_composed(root, path, today, require_papers=False)
    lines = text.splitlines(keepends=True)
    items = list(papers.value)
    gone = [i for i, e in enumerate(catalogue.entries) if e.arxiv_id and e.arxiv_id.base in keys]
    if len(gone) == len(items):
        raise CatalogueError(
            path,
            _key_line(root, "papers"),
            "cannot remove every paper: a catalogue lists at least one; add another first",
        )
    shared = _aliased(items, gone)
    if shared is not None:
        raise CatalogueError(
            path,
            shared.start_mark.line + 1,
            "cannot remove: this entry uses an anchor of a removed one (`*name`); write the "
            "value out here and remove again",
        )
    dropped: set[int] = set()
    for index in gone:
        top, end = _item_lines(items[index], lines, text)
        if any(later not in gone for later in range(index + 1, len(items))):
            while end < len(lines) and not lines[end].strip():
                end += 1
        else:
            while top > 0 and not lines[top - 1].strip():
                top -= 1
        dropped.update(range(top, end))
    return "".join(line for number, line in enumerate(lines) if number not in dropped)


def _item_lines(item: yaml.Node, lines: list[str], text: str) -> tuple[int, int]:
    """The first and after-last line of a block list's item, with its own comments."""
    dash = text.rfind("-", 0, item.start_mark.index)
    top = int(item.start_mark.line) - text.count("\n", dash, item.start_mark.index)
    column = _indentation(lines[top])
    while top > 0 and lines[top - 1].lstrip(" ").startswith("#"):
        if _indentation(lines[top - 1]) != column:
            break
        top -= 1
    # Comments indented into the item after its last value (a key commented out) are its own.
    end = _end_line(item, lines)
    while end < len(lines) and lines[end].lstrip(" ").startswith("#"):
        if _indentation(lines[end]) <= column:
            break
        end += 1
    return top, end


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _aliased(items: Sequence[yaml.Node], gone: Sequence[int]) -> yaml.Node | None:
    """The first item not in `gone` holding a node of one in `gone`: an alias of its anchor."""
    inside = {
        id(node)
        for index in gone
        for node in _nodes(items[index])
        if items[index].start_mark.index <= node.start_mark.index < items[index].end_mark.index
    }
    for index, item in enumerate(items):
        if index not in gone and any(id(node) in inside for node in _nodes(item)):
            return item
    return None


def _nodes(node: yaml.Node) -> list[yaml.Node]:
    """`node` and every node inside it, each once (an alias may hold its own anchor)."""
    found: dict[int, yaml.Node] = {}
    waiting = [node]
    while waiting:
        current = waiting.pop()
        if id(current) in found:
            continue
        found[id(current)] = current
        if isinstance(current, yaml.MappingNode):
            waiting += [part for pair in current.value for part in pair]
        elif isinstance(current, yaml.SequenceNode):
            waiting += current.value
    return list(found.values())


# A comment, to the end of its line; between the entries of a flow list only commas,
# blanks and comments can stand.
_COMMENT = re.compile("#[^\r\n\x85\u2028\u2029]*")
_BREAK = re.compile("[\r\n\x85\u2028\u2029]")


def _as_block_list(text: str, papers: yaml.SequenceNode) -> str:
    """`text` with the flow list `papers` (`[{…}, {…}]`) written as a block list: one
    `- {…}` per entry, each as written, its comments kept beside or above it."""
    start, stop = papers.start_mark.index, papers.end_mark.index
    entries = [(e.start_mark.index, e.end_mark.index) for e in papers.value]
    # The text around the entries: after `[`, between them, and before `]`.
    gaps = [
        text[left:right]
        for left, right in zip(
            [text.index("[", start) + 1] + [end for _, end in entries],
            [begin for begin, _ in entries] + [stop - 1],
            strict=True,
        )
    ]
    same_line, below = zip(*(_split_gap(gap) for gap in gaps), strict=True)
    lines = []
    for number, (begin, end) in enumerate(entries):
        lines += [f"  {comment}\n" for comment in below[number]]
        entry = "\n".join(
            ("    " + line if line.strip() else line) if row else line
            for row, line in enumerate(text[begin:end].split("\n"))
        )
        lines.append(f"  - {entry}{_trailing(same_line[number + 1])}\n")
    lines += [f"  {comment}\n" for comment in below[-1]]
    head = text[:start].rstrip() + _trailing(same_line[0]) + "\n"
    return head + "".join(lines) + text[stop:].lstrip(" ").lstrip("\n")


def _split_gap(gap: str) -> tuple[list[str], list[str]]:
    """The comments of a gap between flow entries: those on the line the gap starts on,
    and those below."""
    first, *rest = _BREAK.split(gap, maxsplit=1)
    return _COMMENT.findall(first), _COMMENT.findall("".join(rest))


def _trailing(comments: Sequence[str]) -> str:
    return "".join(f"  {comment}" for comment in comments)


def add_topics(text: str, topics: Sequence[str]) -> str:
    """Append names to a non-empty `settings.topics`, in its style (`- name` or `[a, b]`)."""
    node = _child(_child(compose(text), "settings"), "topics")
    if node is None or not topics:
        return text
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        items = [f"- {_scalar(t)}\n" for t in topics]
        return _append_items(text.splitlines(keepends=True), node, items, spaced=False)
    # A flow list or a single name: written again as a flow list.
    names = [v.value for v in node.value] if isinstance(node, yaml.SequenceNode) else [node.value]
    flow = ", ".join(_scalar(str(n)) for n in [*names, *topics])
    return text[: node.start_mark.index] + f"[{flow}]" + text[node.end_mark.index :]


def _append_items(
    lines: list[str], node: yaml.SequenceNode, items: Sequence[str], spaced: bool
) -> str:
    """Add items after the last one of a block list, at its indentation; `lines` are the
    text's, with their line breaks."""
    # Items sit two columns right of their dash; the dash is what start_mark misses.
    indent = " " * max(0, node.value[0].start_mark.column - 2)
    end = _end_line(node.value[-1], lines)
    # A blank line may already end the list: the end of a `|+` block.
    blank = "\n" if spaced and end > 0 and lines[end - 1].strip() else ""
    block = "".join(blank + _indent(item, indent) for item in items)
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join(lines[:end]) + block + "".join(lines[end:])


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of `key` in a mapping node; None if there is none."""
    pair = _pair(node, key)
    return pair[1] if pair else None


def _pair(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key node of `key` in a mapping node, and its value; None if there is none."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value
    return None


def _end_line(item: yaml.Node, lines: list[str]) -> int:
    """Index of the first line after a list item's content (comments after it stay after)."""
    # A block mapping or list ends where the next token starts, after any comments that
    # follow it (a heading for `rejected:`, say): its content ends with the value that ends
    # last. An alias is its anchor's node, written above: only nodes written here count.
    written = []
    inside = [item]
    while inside:
        node = inside.pop()
        if node.start_mark.index < item.start_mark.index:
            continue
        if isinstance(node, yaml.MappingNode) and not node.flow_style:
            inside += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style:
            inside += node.value
        else:
            written.append(node)
    last = max(written, key=lambda node: int(node.end_mark.index))
    mark = last.end_mark
    end = int(mark.line) + (1 if mark.column > 0 else 0)
    # The blank lines that end a `|+` block are part of its text.
    keeps_blanks = (
        isinstance(last, yaml.ScalarNode)
        and last.style in ("|", ">")
        and str(last.value).endswith("\n\n")
    )
    while not keeps_blanks and end > 0 and not lines[end - 1].strip():
        end -= 1
    return end


def _items_are_spaced(second: int, lines: list[str]) -> bool:
    """Whether the maintainer separates entries by blank lines (comments between count
    not); `second` is the line where the list's second entry starts."""
    line = second - 1
    while line >= 0 and lines[line].lstrip().startswith("#"):
        line -= 1
    return line >= 0 and not lines[line].strip()


def _indent(item: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in item.splitlines(True))
