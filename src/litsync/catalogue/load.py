"""Reading ``catalogue/ids.yaml`` into the model, validated.

Loading is all or nothing: the first problem raises a CatalogueError naming the file, the
line and the fix, before anything is fetched or written. Every value is read from the
composed YAML nodes, so that each keeps its line number.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from litsync.catalogue.model import Catalogue, Entry, Overrides, Settings
from litsync.catalogue.settings import (
    check_generated,
    read_discover,
    read_exports,
    read_path,
    read_rejected,
    read_template,
)
from litsync.errors import CatalogueError, IdentifierError
from litsync.sources import arxiv_ids
from litsync.sources.arxiv_ids import ArxivId

SETTINGS_KEYS = (
    "title", "introduction", "index_note", "topics", "year_from", "max_age_days",
    "template", "output", "discover", "exports",
)  # fmt: skip
PAPER_KEYS = ("id", "usecase", "topics", "overrides", "title", "url", "year", "abstract", "authors")
OVERRIDE_KEYS = ("title", "year", "abstract", "authors")
MANUAL_KEYS = ("title", "url", "year", "abstract", "authors")
# libyaml (bundled with PyYAML's wheels) composes the same nodes, tags and line numbers
# as the pure-Python parser, ten times faster.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path: Path, today: date | None = None, require_papers: bool = True) -> Catalogue:
    """Read and validate ``ids.yaml``; raise CatalogueError on the first problem."""
    return parse(read(path), path, today, require_papers)


def read(path: Path) -> str:
    """The text of ``ids.yaml``; raise CatalogueError if it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogueError(
            path, None, "catalogue not found; create it with a `papers:` list (see README)"
        ) from None
    except OSError as err:
        raise CatalogueError(path, None, f"cannot read the catalogue: {err}") from None
    # Decoded whole, so that an error's position is the file's (read_text decodes chunks).
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise CatalogueError(path, line, f"cannot read the catalogue: {err}") from None
    # Line breaks as read_text gives them, and as an edit writes them back.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(
    text: str, path: Path, today: date | None = None, require_papers: bool = True
) -> Catalogue:
    """Validate catalogue text; `path` is only used in error messages.

    `require_papers=False` accepts a catalogue without papers yet, for `litsync add`.
    """
    root = compose_checked(text, path)
    return parse_composed(root, path, today, require_papers)


def parse_composed(
    root: yaml.Node | None, path: Path, today: date | None = None, require_papers: bool = True
) -> Catalogue:
    """`parse` of catalogue text already composed (by `compose_checked`)."""
    if root is None:
        raise CatalogueError(path, None, "the catalogue is empty; add a `papers:` list")
    reader = _Reader(path, today)
    top = reader.mapping(root, "the catalogue", ("settings", "papers", "rejected"))
    settings = reader.settings(top.get("settings"))
    papers_node = top.get("papers")
    if papers_node is None or _is_null(papers_node):
        if not require_papers:
            rejected = read_rejected(reader, top.get("rejected"), {})
            return Catalogue(path, settings, (), rejected)
        if papers_node is None:
            raise CatalogueError(path, _line(root), "no `papers:` list; add one (see README)")
        raise CatalogueError(
            path,
            _line(papers_node),
            "no papers yet; add one with `litsync add ID --usecase TEXT --topic TOPIC`",
        )
    entries = reader.entries(papers_node, settings)
    if not entries and require_papers:
        raise CatalogueError(path, _line(papers_node), "`papers:` is empty; add an arXiv id")
    listed = {e.arxiv_id.base: e.line for e in entries if e.arxiv_id}
    rejected = read_rejected(reader, top.get("rejected"), listed)
    return Catalogue(path, settings, tuple(entries), rejected)


def compose(text: str) -> yaml.Node | None:
    """The YAML nodes of `text`, composed by libyaml where PyYAML has it; raise
    yaml.YAMLError."""
    return yaml.compose(text, Loader=_FAST_LOADER)


def read_yaml(text: str) -> Any:
    """What ``yaml.safe_load(text)`` returns, read as a catalogue is read (by libyaml
    where PyYAML has it); raise yaml.YAMLError."""
    return yaml.load(text, Loader=_FAST_LOADER)


def compose_checked(text: str, path: Path) -> yaml.Node | None:
    """`compose`, with a YAML error raised as a CatalogueError at its line."""
    try:
        return compose(text)
    except yaml.YAMLError as err:
        libyaml_error = err
    # libyaml words its errors differently; the pure-Python parser's messages (and
    # lines) are the ones users see, so a broken file is parsed again to report it.
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        # The pure-Python composer recurses once per level of nesting; libyaml stops at
        # a depth of its own and says where.
        raise _located(libyaml_error, text, path) from None
    except yaml.YAMLError as err:
        raise _located(err, text, path) from None


# Where YAML starts a new line, as its marks count lines.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _located(err: yaml.YAMLError, text: str, path: Path) -> CatalogueError:
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = err.problem or err.context or "invalid YAML"
        return CatalogueError(path, line, f"YAML syntax error: {problem}")
    if isinstance(err, yaml.reader.ReaderError):
        # A character YAML does not allow in a file (NUL, say); its position is an index.
        line = len(_LINE_BREAK.findall(text, 0, err.position)) + 1
        return CatalogueError(
            path,
            line,
            f"YAML error: unacceptable character #x{err.character:04x}: {err.reason}; remove it",
        )
    return CatalogueError(path, None, f"YAML error: {err}")


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Constructor(yaml.SafeLoader):
    """SafeLoader's values, without text that no UTF-8 file can hold."""

    def construct_yaml_str(self, node: yaml.Node) -> str:
        value = super().construct_yaml_str(node)
        # Only an escape (`"\ud800"`) makes one; the document and exports could not be
        # written with it.
        if found := _SURROGATE.search(value):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{found.group()!r} is half of a UTF-16 pair, not a character, and cannot "
                "be written to a file; remove it or write the character meant",
                node.start_mark,
            )
        return value


_Constructor.add_constructor("tag:yaml.org,2002:str", _Constructor.construct_yaml_str)


class _Reader:
    """Walks the composed YAML nodes so that every value keeps its line number."""

    def __init__(self, path: Path, today: date | None) -> None:
        self.path = path
        self.today = today or date.today()  # one day for the whole catalogue
        self._constructor = _Constructor("")

    def fail(self, node: yaml.Node, problem: str) -> CatalogueError:
        return CatalogueError(self.path, _line(node), problem)

    def value(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as err:
            # e.g. `topics: &t [*t]`, an alias inside itself
            raise self.fail(node, f"YAML error: {err.problem}") from None
        except ValueError as err:
            # e.g. `year: !!int abc`: a tag the value cannot have
            raise self.fail(node, f"YAML error: {err}") from None
        except RecursionError:
            # Values are built one level of nesting at a time, by recursion.
            raise self.fail(
                node, "YAML error: nested too deeply to read; a value is text or a list of names"
            ) from None

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of `key: value` lines")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if not isinstance(key, str):
                raise self.fail(key_node, f"keys of {what} must be words, not {key!r}")
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                raise self.fail(
                    key_node,
                    f"unknown key {key!r} in {what}{hint}; allowed: {', '.join(allowed)}",
                )
            if key in result:
                raise self.fail(key_node, f"{key!r} appears twice in {what}; keep one")
            result[key] = value_node
        return result

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.value(node)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # YAML reads `id: 1701.01370` as the float 1701.0137; the source text is
            # what the maintainer meant.
            value = str(node.value)
        if not isinstance(value, str):
            raise self.fail(node, f"{what} must be text, not {_kind(value)}")
        return value

    def words(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a list of one."""
        value = self.value(node)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise self.fail(node, f"{what} must be a list of names, like [Robotics]")
        return tuple(items)

    def choice(self, node: yaml.Node, what: str, choices: tuple[str, ...]) -> str:
        """One of `choices`, with a "did you mean" for a near miss."""
        value = self.text(node, what)
        if value not in choices:
            raise self.fail(
                node,
                f"{what}: unknown {value!r}{did_you_mean(value, choices)}; "
                f"choose from {', '.join(choices)}",
            )
        return value

    def arxiv_id(self, node: yaml.Node, what: str) -> ArxivId:
        try:
            return arxiv_ids.parse(self.text(node, what), self.today)
        except IdentifierError as err:
            raise self.fail(node, str(err)) from None

    def year(self, node: yaml.Node, what: str) -> int:
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(node, f"{what} must be a year like 2020, not {value!r}")
        upper = self.today.year + 1
        if not 1900 <= value <= upper:
            raise self.fail(node, f"{what} {value} is not a plausible year")
        return value

    def settings(self, node: yaml.Node | None) -> Settings:
        if node is None:
            return Settings()
        fields = self.mapping(node, "settings", SETTINGS_KEYS)
        values: dict[str, Any] = {}
        for key, value_node in fields.items():
            if key == "topics":
                values[key] = self.words(value_node, "settings.topics")
            elif key == "max_age_days":
                days = self.value(value_node)
                if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                    raise self.fail(value_node, "max_age_days must be a whole number ≥ 1")
                values[key] = days
            elif key == "year_from":
                source = self.value(value_node)
                if source not in ("published", "updated"):
                    raise self.fail(
                        value_node,
                        f"year_from must be `published` (first version) or `updated` "
                        f"(latest version), not {source!r}",
                    )
                values[key] = source
            elif key == "discover":
                values[key] = read_discover(self, value_node)
            elif key == "exports":
                values[key] = read_exports(self, value_node)
            elif key == "output":
                values[key] = read_path(self, value_node, "settings.output", Settings.output)
            elif key == "template":
                values[key] = read_template(self, value_node, Settings.template)
            else:
                values[key] = self.text(value_node, f"settings.{key}")
        settings = Settings(**values)
        check_generated(self, fields, settings)
        return settings

    def entries(self, node: yaml.Node, settings: Settings) -> list[Entry]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "`papers:` must be a list of entries, each starting with `- `")
        entries: list[Entry] = []
        seen: dict[str, Entry] = {}
        for item in node.value:
            entry = self.entry(item, settings)
            previous = seen.get(entry.key)
            if previous is not None:
                raise self.fail(
                    item,
                    f"{entry.key} is already listed at line {previous.line}; "
                    "remove one of the two entries",
                )
            seen[entry.key] = entry
            entries.append(entry)
        return entries

    def entry(self, node: yaml.Node, settings: Settings) -> Entry:
        fields = self.mapping(node, "a paper entry", PAPER_KEYS)
        for required in ("usecase", "topics"):
            if required not in fields:
                raise self.fail(node, f"the entry has no `{required}:`; add one")
        usecase = self.text(fields["usecase"], "usecase")
        if not usecase.strip():
            raise self.fail(
                fields["usecase"], "usecase is empty; say what the paper is for, like Grasping"
            )
        topics = self.words(fields["topics"], "topics")
        if not topics:
            raise self.fail(fields["topics"], "topics is empty; give one or more, like [Robotics]")
        for topic in topics:
            if settings.topics and topic not in settings.topics:
                hint = did_you_mean(topic, settings.topics)
                raise self.fail(
                    fields["topics"],
                    f"topic {topic!r} is not in settings.topics{hint}; add it there or fix it",
                )
        if "id" in fields:
            return self.arxiv_entry(node, fields, usecase, topics)
        return self.manual_entry(node, fields, usecase, topics)

    def arxiv_entry(
        self,
        node: yaml.Node,
        fields: Mapping[str, yaml.Node],
        usecase: str,
        topics: tuple[str, ...],
    ) -> Entry:
        stray = [k for k in MANUAL_KEYS if k in fields]
        if stray:
            raise self.fail(
                fields[stray[0]],
                f"`{stray[0]}:` on an arXiv entry; put it under `overrides:` to replace "
                "what arXiv says",
            )
        arxiv_id = self.arxiv_id(fields["id"], "id")
        overrides = self.overrides(fields["overrides"]) if "overrides" in fields else Overrides()
        return Entry(_line(node), usecase, topics, arxiv_id=arxiv_id, overrides=overrides)

    def overrides(self, node: yaml.Node) -> Overrides:
        fields = self.mapping(node, "overrides", OVERRIDE_KEYS)
        return Overrides(**self.manual_fields(fields, "overrides."))

    def manual_entry(
        self,
        node: yaml.Node,
        fields: Mapping[str, yaml.Node],
        usecase: str,
        topics: tuple[str, ...],
    ) -> Entry:
        missing = [k for k in ("title", "url", "year") if k not in fields]
        if missing:
            raise self.fail(
                node,
                "an entry needs an arXiv `id:`, or for a paper not on arXiv `title:`, `url:` "
                f"and `year:` (missing: {', '.join(missing)})",
            )
        if "overrides" in fields:
            raise self.fail(fields["overrides"], "a manual entry has no arXiv data to override")
        url = self.text(fields["url"], "url")
        if not url.startswith(("https://", "http://")):
            raise self.fail(fields["url"], f"url must start with https:// (got {url!r})")
        values = self.manual_fields({k: v for k, v in fields.items() if k != "url"}, "")
        return Entry(_line(node), usecase, topics, url=url, overrides=Overrides(**values))

    def manual_fields(self, fields: Mapping[str, yaml.Node], prefix: str) -> dict[str, Any]:
        readers: dict[str, Callable[[yaml.Node, str], Any]] = {
            "title": self.text,
            "abstract": self.text,
            "year": self.year,
            "authors": self.words,
        }
        return {
            key: readers[key](node, prefix + key) for key, node in fields.items() if key in readers
        }


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), repr(value))
