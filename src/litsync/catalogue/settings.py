"""The catalogue's optional blocks: saved searches, rejected papers and exports.

Three optional parts of ``ids.yaml``, read with the catalogue's own reader so that every
mistake is reported at its file and line like the rest of the catalogue::

    settings:
      discover:                       # what `litsync discover` searches
        searches:
          - query: abs:"synthetic data" AND cat:cs.CV
            since: 2024-01-01         # optional: submitted on or after
            max_results: 50           # optional, default 50
          - ti:"domain randomization" # a query alone
        feeds: [cs.CV, cs.RO]         # arXiv's daily listings, by category
        output: generated/candidates.md
      exports: [bibtex, csl-json]     # the default; [] writes none

    rejected:                         # never proposed again by discover
      - 2411.01234                    # an id in any form,
      - id: 2411.05678                # or an id with the reason
        reason: medical imaging, off topic
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Protocol

import yaml

from litsync.catalogue.model import (
    CANDIDATES_FILE,
    EXPORT_FORMATS,
    MAX_RESULTS_LIMIT,
    DiscoverSettings,
    Rejection,
    SavedSearch,
    Settings,
)
from litsync.errors import CatalogueError
from litsync.output.exports import chosen
from litsync.sources.arxiv_ids import CATEGORY, ArxivId

DISCOVER_KEYS = ("searches", "feeds", "output")
SEARCH_KEYS = ("query", "since", "max_results")
REJECTED_KEYS = ("id", "reason")

# The API's search fields (https://info.arxiv.org/help/api/user-manual.html#query_details).
QUERY_FIELDS = (
    "ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "submittedDate", "lastUpdatedDate",
)  # fmt: skip
_QUOTED = re.compile(r'"[^"]*"')
_FIELD = re.compile(r"\b([A-Za-z_]+):")
# A listing feed: one category (cs.CV, hep-th, astro-ph.CO) or several joined by "+".
FEED_NAME = re.compile(rf"{CATEGORY}(?:\+{CATEGORY})*")
# The folders no path setting may name a file in, and what they hold.
KEPT_FOLDERS = {
    "catalogue": "the catalogue and its cache",
    "templates": "the templates",
    ".litsync": "litsync's run state",
    ".git": "git's own files",
}
NAME_MAX = 255  # the longest file or folder name, in bytes, on Linux's and macOS's file systems
SHOWN_PATH = 60  # the characters of a path an error message quotes


class NodeReader(Protocol):
    """What the catalogue's reader offers: values read from YAML nodes, errors at lines."""

    def fail(self, node: yaml.Node, problem: str) -> CatalogueError: ...

    def value(self, node: yaml.Node) -> Any: ...

    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, yaml.Node]: ...

    def text(self, node: yaml.Node, what: str) -> str: ...

    def words(self, node: yaml.Node, what: str) -> tuple[str, ...]: ...

    def choice(self, node: yaml.Node, what: str, choices: tuple[str, ...]) -> str: ...

    def arxiv_id(self, node: yaml.Node, what: str) -> ArxivId: ...


def query_problem(query: str) -> str | None:
    """Why arXiv would not understand `query` as meant, or None.

    The API answers a misspelt field (``abstract:x``) with no results rather than an
    error, so it is caught here.

    >>> query_problem('abs:"synthetic data" AND cat:cs.CV') is None
    True
    >>> query_problem("abstract:gans").split(";")[0]
    "unknown field 'abstract:' in the query"
    """
    if not query.strip():
        return "the query is empty"
    for name in _FIELD.findall(_QUOTED.sub('""', query)):
        if name not in QUERY_FIELDS:
            return (
                f"unknown field {name + ':'!r} in the query; arXiv's fields are "
                f"{', '.join(QUERY_FIELDS)}"
            )
    return None


def feed_problem(name: str) -> str | None:
    """Why `name` is not an arXiv listing feed (``cs.CV``, ``cs.CV+cs.RO``), or None."""
    if FEED_NAME.fullmatch(name):
        return None
    return f"{name!r} is not an arXiv category like cs.CV, hep-th or astro-ph.CO"


def read_discover(reader: NodeReader, node: yaml.Node) -> DiscoverSettings:
    """The ``settings.discover`` block."""
    fields = reader.mapping(node, "settings.discover", DISCOVER_KEYS)
    values: dict[str, Any] = {}
    if "searches" in fields:
        searches = fields["searches"]
        if not isinstance(searches, yaml.SequenceNode):
            raise reader.fail(searches, "settings.discover.searches must be a list of searches")
        values["searches"] = tuple(_read_search(reader, item) for item in searches.value)
    if "feeds" in fields:
        feeds = reader.words(fields["feeds"], "settings.discover.feeds")
        for name in feeds:
            problem = feed_problem(name)
            if problem:
                raise reader.fail(fields["feeds"], f"settings.discover.feeds: {problem}")
        values["feeds"] = feeds
    if "output" in fields:
        values["output"] = read_path(
            reader, fields["output"], "settings.discover.output", CANDIDATES_FILE
        )
    return DiscoverSettings(**values)


def shown(path: str) -> str:
    """`path` quoted for an error message, shortened if it is long."""
    return repr(path if len(path) <= SHOWN_PATH else path[:SHOWN_PATH] + "…")


def name_problem(path: str, example: str, base: str = "the repository") -> str | None:
    """Why `path` cannot name a file under `base`, the folder it is relative to, or None."""
    parts = PurePosixPath(path).parts
    if "\0" in path:
        return f"{shown(path)} contains a NUL character; give a file's path, like {example}"
    if PurePosixPath(path).is_absolute():
        return f"{shown(path)} is an absolute path; give one relative to {base}, like {example}"
    if ".." in parts:
        return f"{shown(path)} leads out of {base} (`..`); give a path inside it, like {example}"
    if not parts:
        return f"{shown(path)} names no file; give one, like {example}"
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in parts):
        return (
            f"{shown(path)} has a name longer than {NAME_MAX} bytes, more than a file system "
            f"allows; give a shorter one, like {example}"
        )
    return None


def kept_folder(path: PurePosixPath) -> str | None:
    """The kept folder `path` (relative to the repository) lies in, with what it holds."""
    # Case-insensitive file systems (macOS) treat Catalogue/ as catalogue/.
    first = path.parts[0].casefold() if path.parts else ""
    return f"{first}/, which holds {KEPT_FOLDERS[first]}" if first in KEPT_FOLDERS else None


def path_problem(path: str, example: str) -> str | None:
    """Why `path` cannot name a file litsync writes in the repository, or None."""
    problem = name_problem(path, example)
    if problem is None and (folder := kept_folder(PurePosixPath(path))):
        *names, last = (f"{name}/" for name in KEPT_FOLDERS)
        problem = (
            f"{shown(path)} is in {folder}; choose a file outside {', '.join(names)} and "
            f"{last}, like {example}"
        )
    return problem


def read_path(reader: NodeReader, node: yaml.Node, what: str, example: str) -> str:
    """A path setting naming a file litsync writes in the repository (`example` is one)."""
    path = reader.text(node, what)
    problem = path_problem(path, example)
    if problem:
        raise reader.fail(node, f"{what} {problem}")
    return path


def read_template(reader: NodeReader, node: yaml.Node, example: str) -> str:
    """``settings.template``: a file's path in ``templates/`` (`example` is one)."""
    name = reader.text(node, "settings.template")
    problem = name_problem(name, example, "templates/")
    if problem:
        raise reader.fail(node, f"settings.template {problem}")
    return name


def check_generated(
    reader: NodeReader, fields: Mapping[str, yaml.Node], settings: Settings
) -> None:
    """Refuse a document or review file named like another file litsync writes, which
    the two would overwrite in turn; `fields` are the ``settings:`` block's nodes."""
    document = PurePosixPath(settings.output)
    review = PurePosixPath(settings.discover.output)
    exports = {PurePosixPath(export.file.as_posix()) for export in chosen(settings)}
    review_node = None
    if "discover" in fields:
        review_node = reader.mapping(fields["discover"], "settings.discover", DISCOVER_KEYS).get(
            "output"
        )
    if document in exports and "output" in fields:
        raise reader.fail(
            fields["output"],
            f"settings.output {shown(settings.output)} is an export's file (settings.exports); "
            "choose another file for the document",
        )
    if review in exports and review_node is not None:
        raise reader.fail(
            review_node,
            f"settings.discover.output {shown(settings.discover.output)} is an export's file "
            "(settings.exports); choose another file for the review file",
        )
    if document == review:
        # The two defaults differ, so one of the two is written in the catalogue.
        raise reader.fail(
            review_node if review_node is not None else fields["output"],
            f"settings.output and settings.discover.output both name "
            f"{shown(settings.output)}; choose a file of its own for each",
        )


def _read_search(reader: NodeReader, node: yaml.Node) -> SavedSearch:
    if isinstance(node, yaml.ScalarNode):
        fields: Mapping[str, yaml.Node] = {"query": node}
    else:
        fields = reader.mapping(node, "a saved search", SEARCH_KEYS)
        if "query" not in fields:
            raise reader.fail(node, "the search has no `query:`; add one")
    query = reader.text(fields["query"], "query")
    problem = query_problem(query)
    if problem:
        raise reader.fail(fields["query"], problem)
    values: dict[str, Any] = {"query": query}
    if "since" in fields:
        values["since"] = _read_day(reader, fields["since"])
    if "max_results" in fields:
        count = reader.value(fields["max_results"])
        if not _is_count(count):
            raise reader.fail(
                fields["max_results"],
                f"max_results must be a whole number from 1 to {MAX_RESULTS_LIMIT}",
            )
        values["max_results"] = count
    return SavedSearch(**values)


def _is_count(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_RESULTS_LIMIT
    )


def _read_day(reader: NodeReader, node: yaml.Node) -> date:
    value = reader.value(node)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    # YAML reads 2024-01-01 as a date, and 2024-01-01 10:00 as a datetime (a date too).
    if not isinstance(value, date):
        raise reader.fail(node, f"since must be a day like 2024-01-01, not {value!r}")
    return value if type(value) is date else date(value.year, value.month, value.day)


def read_exports(reader: NodeReader, node: yaml.Node) -> tuple[str, ...]:
    """The ``settings.exports`` list: which exports `render` and `refresh` write."""
    if not isinstance(node, yaml.SequenceNode):
        raise reader.fail(
            node, f"settings.exports must be a list of formats ({', '.join(EXPORT_FORMATS)}) or []"
        )
    formats: list[str] = []
    for item in node.value:
        name = reader.choice(item, "settings.exports", EXPORT_FORMATS)
        if name in formats:
            raise reader.fail(item, f"{name!r} appears twice in settings.exports; keep one")
        formats.append(name)
    return tuple(formats)


def read_rejected(
    reader: NodeReader, node: yaml.Node | None, listed: Mapping[str, int]
) -> tuple[Rejection, ...]:
    """The top-level ``rejected:`` list; `listed` maps the papers' ids to their lines."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise reader.fail(node, "`rejected:` must be a list of arXiv ids, each starting with `- `")
    rejections: list[Rejection] = []
    seen: dict[str, int] = {}
    for item in node.value:
        reason = ""
        if isinstance(item, yaml.MappingNode):
            fields = reader.mapping(item, "a rejected paper", REJECTED_KEYS)
            if "id" not in fields:
                raise reader.fail(item, "the rejected paper has no `id:`; add one")
            id_node = fields["id"]
            if "reason" in fields:
                reason = reader.text(fields["reason"], "reason")
        else:
            id_node = item
        arxiv_id = reader.arxiv_id(id_node, "a rejected id")
        line = int(item.start_mark.line) + 1
        if arxiv_id.base in seen:
            raise reader.fail(
                item, f"{arxiv_id.base} is already rejected at line {seen[arxiv_id.base]}"
            )
        if arxiv_id.base in listed:
            raise reader.fail(
                item,
                f"{arxiv_id.base} is listed under `papers:` at line {listed[arxiv_id.base]}; "
                "remove it from one of the two lists",
            )
        seen[arxiv_id.base] = line
        rejections.append(Rejection(line, arxiv_id, reason))
    return tuple(rejections)
