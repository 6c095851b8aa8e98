"""Reading again only the entries of the catalogue that an edit touched.

After an edit of ids.yaml (a paper added, a title overridden), parsing the whole
catalogue again took a third of a render of 10,000 papers. The catalogue memo keeps the
last text with its validated catalogue and its Layout; the text that differs from it lies
within a few entries, which are composed and validated alone, at the line numbers they
have in the file, and put between the remembered entries before and after them.

The result is the catalogue a full parse gives. The text around the entries read again is
unchanged, and read as before: a text has a Layout only when none of its entries can
change how another is read (no alias stands for a node of one); the entries read again
bring no alias, directive or document marker (`---`, `...`), start at an unchanged `- `
at the list's column, end where an unchanged entry or the end of the list begins, and
form a list of whole entries when read alone. Anything else (an edit outside the list, a
YAML error, a duplicate, a paper that is now also rejected) is left to a full parse,
which finds and words the problem as always.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TypeVar

import yaml

from litsync.catalogue import Catalogue, Entry, Layout, compose, read_entries
from litsync.curation import Rejection
from litsync.errors import CatalogueError

_Lined = TypeVar("_Lined", Entry, Rejection)
# A document's start or end, or a directive: read alone, an entry may end a document that
# the text after it goes on with.
_DOCUMENT_LINE = re.compile(r"^(?:---|\.\.\.|%)", re.M)


def splice(
    old_text: str, old: Catalogue, layout: Layout, text: str, today: date
) -> tuple[Catalogue, Layout] | None:
    """The catalogue of `text` and its layout, from `old` (parsed from `old_text`, laid
    out as `layout`) and the entries that differ; None when a full parse must say."""
    starts = layout.starts
    count = len(starts) - 1
    shorter = min(len(old_text), len(text))
    same_before = _common_prefix(old_text, text, shorter)
    # The same end is the same start of the texts reversed; it may not reach into the other.
    old_end = len(old_text) - _common_prefix(old_text[::-1], text[::-1], shorter - same_before)
    dash = " " * layout.column + "- "
    if same_before < starts[0] or old_end > starts[count]:
        return None  # the settings, `papers:` itself, or what follows the list
    # The first entry read again is the last whose `- ` is unchanged before the edit.
    first = min(max(bisect.bisect_right(starts, same_before - len(dash)) - 1, 0), count - 1)
    last = max(first, bisect.bisect_left(starts, old_end) - 1)
    shift = len(text) - len(old_text)
    begin, end = starts[first], starts[last + 1] + shift
    chunk = text[begin:end]
    if not text.startswith(dash, begin) or (end < len(text) and text[end - 1] != "\n"):
        return None  # the edit moved an entry's `- `, or joined lines across entries
    if _DOCUMENT_LINE.search(chunk):
        return None
    above = old.entries[first].line - 1  # lines before the chunk
    read = _read_alone(chunk, above, old, today)
    if read is None:
        return None
    entries, offsets = read
    lines = chunk.count("\n") - old_text.count("\n", starts[first], starts[last + 1])
    after = (
        old.entries[last + 1].line
        if last + 1 < count
        else old_text.count("\n", 0, starts[count]) + 1
    )
    merged = (*old.entries[:first], *entries, *_moved(old.entries[last + 1 :], lines))
    listed = {e.arxiv_id.base for e in entries if e.arxiv_id}
    if not merged or len({e.key for e in merged}) != len(merged):
        return None  # empty, or listed twice: a full parse says where
    if any(r.arxiv_id.base in listed for r in old.rejected):
        return None
    rejected = tuple(_moved(old.rejected, lines, after))
    spliced = dataclasses.replace(old, entries=merged, rejected=rejected)
    moved = (
        *starts[:first],
        *(begin + o for o in offsets),
        *(s + shift for s in starts[last + 1 :]),
    )
    return spliced, Layout(layout.column, moved)


def _read_alone(
    chunk: str, above: int, old: Catalogue, today: date
) -> tuple[list[Entry], list[int]] | None:
    """The entries of `chunk`, which starts with an entry's `- `, read as a list of their
    own at the lines they have in the file (`above` lines before `chunk`), and the offset
    of each in `chunk`; None unless `chunk` is a list of whole, valid entries."""
    if not chunk:
        return [], []
    head = "\n" * (above - 1) + "papers:\n"
    alone = head + chunk
    try:
        root = compose(alone)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or len(root.value) != 1:
        return None  # the chunk holds a key of the catalogue's, not only entries
    node = root.value[0][1]
    layout = Layout.of(node, alone)  # which is also where an alias would be refused
    if layout is None:
        return None
    try:
        entries = read_entries(node, old.path, today, old.settings)
    except CatalogueError:
        return None
    return entries, [start - len(head) for start in layout.starts[:-1]]


def _moved(lined: Iterable[_Lined], lines: int, from_line: int = 0) -> Iterator[_Lined]:
    """`lined`, those at or after `from_line` moved down by `lines` lines."""
    for item in lined:
        if lines and item.line >= from_line:
            yield dataclasses.replace(item, line=item.line + lines)
        else:
            yield item


def _common_prefix(a: str, b: str, limit: int) -> int:
    """The length of the longest text both start with, `limit` at most."""
    low, high = 0, limit
    while low < high:  # a binary search: slices compare in C, a loop over characters not
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
