"""Reading a hand-kept Markdown literature list: which papers it lists, and where.

Two styles are understood, also mixed in one document:

- per-paper sections, as in the Synthetic Data Literature list: a heading that is a link
  to the paper (``## [Title](https://arxiv.org/pdf/1812.07252.pdf) <a name="ref1"></a>``)
  followed by ``**Usecase**``, ``**Year**``, ``**Abstract**`` (and ``**Authors**``)
  paragraphs. Index lists (``- Robotics: [1](#ref1), [3](#ref3)``) give the sections
  their topics by anchor; an index whose names are years gives years.
- awesome lists: arXiv references anywhere in list items, table rows and paragraphs
  (``[Title](https://arxiv.org/abs/ID)``, ``arXiv:ID``, abs/pdf/html URLs); the nearest
  heading above a reference is its topic, and a table's Year column gives years.

Nothing here touches the network or the catalogue (see `import_list` for that); what cannot be
placed becomes a `Note` with its line in the Markdown file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from litsync.errors import IdentifierError, ListFileError
from litsync.sources import arxiv_ids
from litsync.sources.arxiv_ids import ArxivId

# An arXiv reference in running text: a URL (scheme optional) or an `arXiv:` id.
_REFERENCE = re.compile(
    r"(?:https?://)?(?:[a-z]+\.)?arxiv\.org/(?:abs|pdf|html)/[^\s<>()\[\]\"'|,]+"
    r"|\barxiv:\s*[^\s<>()\[\]\"'|,]+",
    re.IGNORECASE,
)
_INDEX_ITEM = re.compile(r"^(?P<name>[^\[\]]+?)\s*:\s*(?:\[[^\]]*\]\(#[^)\s]+\)[\s,;]*)+$")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_FIELD_KEYS = {"usecase": "usecase", "use case": "usecase", "year": "year",
               "abstract": "abstract", "authors": "authors"}  # fmt: skip
_ANCHOR = re.compile(r"<a\s+(?:name|id)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
# Link texts that name the kind of link rather than the paper.
_GENERIC_TEXTS = {"", "pdf", "arxiv", "paper", "abs", "abstract", "link", "html", "preprint",
                  "code", "project", "project page", "website", "here", "title"}  # fmt: skip
PLACEHOLDER_TITLES = {"", "title"}


@dataclass(frozen=True)
class Note:
    """Something the import could not place, or changed, at a line of the Markdown file."""

    line: int
    message: str


@dataclass
class ListedPaper:
    """One paper as the list gives it."""

    line: int
    """Where the paper is listed (its heading, list item or table row)."""
    arxiv_id: ArxivId | None
    """As linked, version included; None for a paper without an arXiv link."""
    title: str = ""
    """The list's title for the paper; empty when it gives none."""
    link: str = ""
    """The link of a paper without an arXiv link, as written (may be a placeholder)."""
    usecase: str = ""
    topics: list[str] = field(default_factory=list)
    year: int | None = None
    """The year the list shows; None when it shows none."""
    abstract: str = ""
    authors: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How reports name the paper: its arXiv id, or its title in quotes."""
        return str(self.arxiv_id) if self.arxiv_id else quote(self.title)

    @property
    def key(self) -> str:
        """The paper's identity in the list: its arXiv id, or its title."""
        return self.arxiv_id.base if self.arxiv_id else f"title:{normalise_title(self.title)}"


@dataclass(frozen=True)
class ListedDocument:
    """What a Markdown list holds, in document order."""

    title: str
    """The first level-1 heading; empty when there is none."""
    introduction: str
    """Markdown between the title and the indexes or the first section."""
    index_note: str
    """Markdown after the indexes, before the papers."""
    topics: tuple[str, ...]
    """The topic index's order, then headings that hold papers, by first appearance."""
    papers: tuple[ListedPaper, ...]
    notes: tuple[Note, ...]


def read(path: Path, today: date | None = None) -> ListedDocument:
    """Read and parse a Markdown list; raise ListFileError if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ListFileError(path, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ListFileError(path, None, f"cannot read the list: {err}") from None
    return parse(text, today)


def parse(text: str, today: date | None = None) -> ListedDocument:
    """Find the papers of a Markdown list, with the notes on what could not be placed."""
    text = text.replace("\r\n", "\n")
    # Front matter (Jekyll, Hugo) is not Markdown; blank lines keep the line numbers.
    text = _FRONT_MATTER.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _Walker(text, today).walk()


def normalise_title(title: str) -> str:
    """Lower-case letters and digits only, so copy-paste defects do not matter."""
    return re.sub(r"[\W_]+", "", title.casefold())


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: ``Learning from Humans!`` → ``learning-from-humans``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().casefold()).replace(" ", "-")


@dataclass
class _Section:
    """A per-paper section while it is read: the paper and the anchors that lead to it."""

    paper: ListedPaper
    anchors: list[str]
    heading_topic: str | None
    level: int
    year_line: int | None = None


@dataclass
class _IndexEntry:
    name: str
    anchors: list[str]
    line: int


class _Walker:
    """One pass over markdown-it's block tokens, keeping the state of the document."""

    def __init__(self, text: str, today: date | None) -> None:
        self.lines = text.splitlines()
        self.tokens = MarkdownIt("commonmark").enable("table").parse(text)
        self.today = today
        self.title = ""
        # The nearest heading above that is not a paper's: the topic of what follows.
        self.heading: str | None = None
        self.heading_level = 0
        self.section: _Section | None = None
        self.sections: list[_Section] = []
        self.items: list[ListedPaper] = []
        self.topic_index: list[_IndexEntry] = []
        self.year_index: list[_IndexEntry] = []
        self.notes: list[Note] = []
        # Prose around the indexes: the introduction, and the note after the last index.
        self.phase = "introduction"
        self.introduction: list[tuple[int, int]] = []
        self.after_index: list[tuple[int, int]] = []
        self.index_note: list[tuple[int, int]] = []

    # --- the walk ----------------------------------------------------------------------

    def walk(self) -> ListedDocument:
        tokens = self.tokens
        depth = 0  # lists and blockquotes: their paragraphs are not prose of the document
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open":
                self.on_heading(int(token.tag[1]), tokens[i + 1])
                i += 3
                continue
            if token.type == "hr":
                self.section = None
            elif token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
                depth += 1
            elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
                depth -= 1
            elif token.type == "table_open":
                i = self.on_table(i)
                continue
            elif token.type == "paragraph_open":
                self.on_paragraph(token, tokens[i + 1], in_list=depth > 0)
                i += 3
                continue
            elif token.type == "html_block":
                self.on_html(token)
            i += 1
        return self.finish()

    def on_heading(self, level: int, inline: Token) -> None:
        self.section = None
        text = plain_text(inline.children or [])
        link = _heading_link(inline)
        if link is None and level == 1 and not self.title and self.phase == "introduction":
            self.title = text
            return
        self.end_prose()
        if link is None:
            self.heading, self.heading_level = text, level
            return
        if level <= self.heading_level:
            self.heading = None  # a sibling of the topic's heading is not under it
        title, href = link
        line = _line(inline)
        anchors = [*_ANCHOR.findall(inline.content), github_slug(text)]
        arxiv_id = None
        if _REFERENCE.fullmatch(href.strip()):
            arxiv_id = self.identifier(href, line)
        paper = ListedPaper(line, arxiv_id, title=title, link="" if arxiv_id else href)
        self.section = _Section(paper, anchors, self.heading, level)
        self.sections.append(self.section)

    def on_paragraph(self, opening: Token, inline: Token, in_list: bool) -> None:
        children = inline.children or []
        if self.section is not None and self.on_field(self.section, inline):
            return
        found = self.references(children, _line(inline))
        if self.section is not None and not (found and self.demote()):
            return  # text of a paper's section is the paper's own
        if in_list and (entry := self.index_entry(inline)) is not None:
            self.on_index_entry(entry)
            return
        if found:
            self.end_prose()
            self.add_items(found, children, _line(inline))
        elif not in_list:
            self.on_prose(opening)
        elif any(_is_external(href) for href in _hrefs(children)):
            self.notes.append(
                Note(_line(inline), f"no arXiv link in {quote(plain_text(children))}; skipped")
            )

    def demote(self) -> bool:
        """Take a heading that links to a website (``## [Tools](https://…)``) as a topic.

        Called when arXiv references follow it; only a section with no arXiv link and no
        field yet can be such a heading. True if it was one.
        """
        section = self.section
        paper = section.paper if section else None
        if section is None or paper is None or paper.arxiv_id is not None or paper.year:
            return False
        if paper.usecase or paper.abstract or paper.authors:
            return False
        self.sections.remove(section)
        self.section, self.heading, self.heading_level = None, paper.title, section.level
        return True

    def on_field(self, section: _Section, inline: Token) -> bool:
        """Read a ``**Key** value`` paragraph of a per-paper section; False if it is none."""
        children = inline.children or []
        strong = [i for i, c in enumerate(children) if c.type in ("strong_open", "strong_close")]
        if len(strong) < 2 or plain_text(children[: strong[0]]).strip():
            return False
        key = plain_text(children[strong[0] + 1 : strong[1]]).strip().rstrip(":").strip()
        name = _FIELD_KEYS.get(key.casefold())
        if name is None:
            return False
        value = plain_text(children[strong[1] + 1 :]).strip().lstrip(":").strip()
        paper = section.paper
        if name == "usecase":
            paper.usecase = value
        elif name == "abstract":
            paper.abstract = value
        elif name == "authors":
            paper.authors = tuple(a.strip() for a in re.split(r",|\band\b", value) if a.strip())
        elif value:
            year = _YEAR.search(value)
            if year is None:
                self.notes.append(Note(_line(inline), f"{quote(value)} is not a year; ignored"))
            else:
                paper.year, section.year_line = int(year.group(1)), _line(inline)
        return True

    def index_entry(self, inline: Token) -> _IndexEntry | None:
        match = _INDEX_ITEM.match(inline.content.strip())
        if match is None:
            return None
        name = match.group("name").strip().strip("*_").strip()
        anchors = [h[1:] for h in _hrefs(inline.children or []) if h.startswith("#")]
        return _IndexEntry(name, anchors, _line(inline))

    def on_index_entry(self, entry: _IndexEntry) -> None:
        if self.phase == "introduction" and self.introduction:
            self.drop_label(self.introduction, entry.line)
        # Prose between two indexes is the label of the next one, not a note.
        self.after_index.clear()
        self.phase = "indexes"
        is_year = re.fullmatch(r"\d{4}", entry.name) is not None
        (self.year_index if is_year else self.topic_index).append(entry)

    def drop_label(self, blocks: list[tuple[int, int]], line: int) -> None:
        """Drop the one-line label (``**... usecase:**``) right above an index."""
        start, end = blocks[-1]
        text = "\n".join(self.lines[start:end]).strip().strip("*_ ")
        if end - start == 1 and text.endswith(":") and end >= line - 2:
            blocks.pop()

    def on_prose(self, opening: Token) -> None:
        assert opening.map is not None
        block = (opening.map[0], opening.map[1])
        if self.phase == "introduction" and self.heading is None:
            self.introduction.append(block)
        elif self.phase == "indexes":
            self.after_index.append(block)

    def end_prose(self) -> None:
        """A heading or a paper ends the prose that follows the indexes."""
        if self.phase == "indexes":
            self.index_note = list(self.after_index)
        self.phase = "body"

    def on_table(self, start: int) -> int:
        """Read a table's rows as items; a Year, Title or Usecase column gives those fields.

        Returns the index of the token after the table.
        """
        self.end_prose()
        columns: list[str] = []
        i = start
        while self.tokens[i].type != "table_close":
            token = self.tokens[i]
            if token.type == "tr_open":
                row, i = self.table_row(i)
                if not columns:
                    columns = [plain_text(c.children or []).strip().casefold() for c in row]
                else:
                    self.on_row(token, columns, row)
            i += 1
        return i + 1

    def table_row(self, start: int) -> tuple[list[Token], int]:
        cells: list[Token] = []
        i = start
        while self.tokens[i].type != "tr_close":
            if self.tokens[i].type == "inline":
                cells.append(self.tokens[i])
            i += 1
        return cells, i

    def on_row(self, row: Token, columns: list[str], cells: list[Token]) -> None:
        line = _line(row)
        children = [child for cell in cells for child in (cell.children or [])]
        found = self.references(children, line)
        if found:
            self.demote()
        by_column = dict(zip(columns, cells, strict=False))
        if not found:
            if any(_is_external(href) for href in _hrefs(children)):
                text = " | ".join(plain_text(c.children or []).strip() for c in cells)
                self.notes.append(Note(line, f"no arXiv link in {quote(text)}; skipped"))
            return
        papers = self.add_items(found, children, line)
        year_cell = by_column.get("year")
        year = _YEAR.search(plain_text(year_cell.children or [])) if year_cell else None
        usecase_cell = by_column.get("usecase") or by_column.get("use case")
        title_cell = by_column.get("title") or by_column.get("paper")
        for paper in papers:
            if year is not None and paper.year is None:
                paper.year = int(year.group(1))
            if usecase_cell is not None:
                paper.usecase = plain_text(usecase_cell.children or []).strip()
            if title_cell is not None and len(found) == 1:
                paper.title = plain_text(title_cell.children or []).strip()

    def on_html(self, token: Token) -> None:
        assert token.map is not None
        for offset, text in enumerate(token.content.splitlines()):
            line = token.map[0] + offset + 1
            for match in _REFERENCE.finditer(text):
                arxiv_id = self.identifier(match.group(0), line)
                if arxiv_id is not None:
                    self.end_prose()
                    self.add(ListedPaper(line, arxiv_id, topics=self.heading_topics()))

    # --- references and items ----------------------------------------------------------

    def references(
        self, children: Sequence[Token], first_line: int
    ) -> list[tuple[ArxivId, int, str]]:
        """The distinct arXiv ids an inline holds, with their lines and link texts."""
        found: dict[str, tuple[ArxivId, int, str]] = {}
        for line, text, link_text in _candidates(children, first_line):
            for match in _REFERENCE.finditer(text):
                arxiv_id = self.identifier(match.group(0), line)
                if arxiv_id is not None and arxiv_id.base not in found:
                    found[arxiv_id.base] = (arxiv_id, line, link_text)
        return list(found.values())

    def identifier(self, raw: str, line: int) -> ArxivId | None:
        text = raw.rstrip(".;:")
        if re.match(r"(?:[a-z]+\.)?arxiv\.org/", text, re.IGNORECASE):
            text = "https://" + text
        try:
            return arxiv_ids.parse(text, self.today)
        except IdentifierError as err:
            self.notes.append(Note(line, f"{err}; skipped"))
            return None

    def add_items(
        self, found: list[tuple[ArxivId, int, str]], children: Sequence[Token], line: int
    ) -> list[ListedPaper]:
        fallback = _item_title(children) if len(found) == 1 else ""
        papers = []
        for arxiv_id, ref_line, link_text in found:
            title = link_text if not _is_generic(link_text) else fallback
            papers.append(
                self.add(
                    ListedPaper(
                        ref_line,
                        arxiv_id,
                        title=title,
                        usecase=self.heading or "",
                        topics=self.heading_topics(),
                    )
                )
            )
        return papers

    def heading_topics(self) -> list[str]:
        return [self.heading] if self.heading else []

    def add(self, paper: ListedPaper) -> ListedPaper:
        self.items.append(paper)
        return paper

    # --- the end: indexes applied, duplicates merged -----------------------------------

    def finish(self) -> ListedDocument:
        self.end_prose()
        papers = list(self.section_papers()) + self.items
        papers.sort(key=lambda p: p.line)
        merged = self.merge(papers)
        topics = list(dict.fromkeys(e.name for e in self.topic_index))
        for paper in merged:
            topics += [t for t in paper.topics if t not in topics]
            if not paper.topics:
                where = "in no topic of the index" if self.topic_index else "under no heading"
                self.notes.append(
                    Note(paper.line, f"{paper.label} is {where}; imported without topic")
                )
        return ListedDocument(
            title=self.title,
            introduction=self.prose(self.introduction),
            index_note=self.prose(self.index_note),
            topics=tuple(topics),
            papers=tuple(merged),
            notes=tuple(sorted(self.notes, key=lambda n: n.line)),
        )

    def section_papers(self) -> Iterator[ListedPaper]:
        by_anchor = {a: s for s in self.sections for a in s.anchors if a}
        for entries, what in ((self.topic_index, "topic"), (self.year_index, "year")):
            for entry in entries:
                for anchor in entry.anchors:
                    if anchor not in by_anchor:
                        self.notes.append(
                            Note(
                                entry.line,
                                f"the {what} index links to #{anchor}, "
                                "which no paper section has; ignored",
                            )
                        )
        for section in self.sections:
            paper = section.paper
            anchors = set(section.anchors)
            self.apply_year_index(section, anchors)
            if paper.arxiv_id is None and not self.manual_entry(section):
                continue
            if self.topic_index:
                paper.topics = [e.name for e in self.topic_index if anchors & set(e.anchors)]
            else:
                paper.topics = [section.heading_topic] if section.heading_topic else []
            yield paper

    def manual_entry(self, section: _Section) -> bool:
        """Whether a section without arXiv link can be kept; notes why not."""
        paper = section.paper
        if not (paper.year or paper.abstract or paper.usecase):
            if paper.title.casefold() in PLACEHOLDER_TITLES:
                self.notes.append(Note(paper.line, "empty template section; skipped"))
            else:
                self.notes.append(
                    Note(
                        paper.line,
                        f"{quote(paper.title)} has no arXiv link and no year, "
                        "usecase or abstract; skipped",
                    )
                )
            return False
        if paper.title.casefold() in PLACEHOLDER_TITLES:
            self.notes.append(Note(paper.line, "a section without title or arXiv link; skipped"))
            return False
        if paper.year is None:
            self.notes.append(
                Note(
                    paper.line,
                    f"{quote(paper.title)} has no arXiv link and no year; skipped "
                    "(a paper not on arXiv needs a title, a link and a year)",
                )
            )
            return False
        return True

    def apply_year_index(self, section: _Section, anchors: set[str]) -> None:
        paper = section.paper
        for entry in self.year_index:
            if not anchors & set(entry.anchors):
                continue
            year = int(entry.name)
            if paper.year is None:
                paper.year = year
            elif paper.year != year:
                self.notes.append(
                    Note(
                        section.year_line or paper.line,
                        f"{paper.label}: the year index says {year}, its section "
                        f"{paper.year}; kept {paper.year}",
                    )
                )

    def merge(self, papers: list[ListedPaper]) -> list[ListedPaper]:
        """One entry per paper: a paper listed twice gets the topics of both places."""
        first: dict[str, ListedPaper] = {}
        for paper in papers:
            kept = first.setdefault(paper.key, paper)
            if kept is paper:
                continue
            kept.topics += [t for t in paper.topics if t not in kept.topics]
            kept.usecase = kept.usecase or paper.usecase
            if kept.year is None:
                kept.year = paper.year
            elif paper.year is not None and paper.year != kept.year:
                self.notes.append(
                    Note(
                        paper.line,
                        f"{paper.label} is also listed at line {kept.line} "
                        f"with year {kept.year}; kept {kept.year}, not {paper.year}",
                    )
                )
        return list(first.values())

    def prose(self, blocks: list[tuple[int, int]]) -> str:
        return "\n\n".join("\n".join(self.lines[a:b]).strip() for a, b in blocks).strip()


# --- inline helpers --------------------------------------------------------------------


def plain_text(children: Sequence[Token]) -> str:
    """The text a reader sees: markup and images dropped, line breaks as spaces."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _line(token: Token) -> int:
    assert token.map is not None
    return token.map[0] + 1


def _hrefs(children: Sequence[Token]) -> list[str]:
    return [str(c.attrGet("href") or "") for c in children if c.type == "link_open"]


def _is_external(href: str) -> bool:
    return href.startswith(("http://", "https://"))


def _candidates(children: Sequence[Token], first_line: int) -> Iterator[tuple[int, str, str]]:
    """Every text that may hold a reference: link targets, text, code, inline HTML.

    Yields (line, text, text of the enclosing link).
    """
    line = first_line
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            yield line, str(child.attrGet("href") or ""), _link_text(children, index)
        elif child.type in ("text", "code_inline", "html_inline"):
            yield line, child.content, ""


def _link_text(children: Sequence[Token], opening: int) -> str:
    depth, end = 0, opening
    for end in range(opening, len(children)):
        kind = children[end].type
        depth += {"link_open": 1, "link_close": -1}.get(kind, 0)
        if depth == 0:
            break
    return plain_text(children[opening + 1 : end]).strip()


def _is_generic(text: str) -> bool:
    core = text.strip().strip("[]()").strip()
    return (
        core.casefold() in _GENERIC_TEXTS
        or _REFERENCE.search(core) is not None
        or bool(re.fullmatch(r"[\d.v/a-z-]+", core) and re.search(r"\d{4}", core))
    )


def _item_title(children: Sequence[Token]) -> str:
    """The title of a list item or paragraph that names one paper.

    The first link whose text is not generic, then the first bold text, then the text
    before the first reference (``Deep Drone Racing. arXiv:1905.09727`` → its title).
    """
    for index, child in enumerate(children):
        if child.type == "link_open" and not _is_generic(text := _link_text(children, index)):
            return text
    for index, child in enumerate(children):
        if child.type == "strong_open":
            closing = next(
                (j for j in range(index, len(children)) if children[j].type == "strong_close"),
                len(children),
            )
            return plain_text(children[index + 1 : closing]).strip()
    before = _REFERENCE.split(plain_text(children), maxsplit=1)[0]
    return before.strip().rstrip(".,;:-\u2013\u2014(").strip()


def _heading_link(inline: Token) -> tuple[str, str] | None:
    """(title, href) when a heading is one link (and perhaps anchors), as paper sections are."""
    children = inline.children or []
    links = [i for i, c in enumerate(children) if c.type == "link_open"]
    if len(links) != 1:
        return None
    start = links[0]
    title = _link_text(children, start)
    end = next(i for i in range(start, len(children)) if children[i].type == "link_close")
    outside = [*children[:start], *children[end + 1 :]]
    if any(c.type not in ("text", "html_inline", "softbreak") for c in outside):
        return None
    if plain_text([c for c in outside if c.type == "text"]).strip():
        return None
    return title, str(children[start].attrGet("href") or "")


def quote(text: str, limit: int = 60) -> str:
    """`text` in double quotes, cut to `limit` characters for a report line."""
    shown = text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",:;") + "…"
    return f'"{shown}"'
