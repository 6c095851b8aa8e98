"""Reading again only the entries an edit touched gives what a full parse gives, or
nothing (and a full parse is made)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from litsync import catalogue
from litsync.catalogue import Catalogue, Layout
from litsync.catalogue_splice import splice
from litsync.errors import CatalogueError

TODAY = date(2026, 11, 25)
PATH = Path("catalogue/ids.yaml")

# Every way of writing an entry that the catalogue's users do: flow and block lists,
# overrides, manual entries, folded and literal text, quotes over several lines, numerals
# read as floats, comments and blank lines between entries; then a `rejected:` list.
CATALOGUE = """\
settings:
  title: Spliced
  topics: [Robotics, Vision, Language]
papers:
  # Grasping first
  - id: 1812.07252v2
    usecase: Grasping
    topics: [Robotics]
  - id: 1703.06907
    usecase: "Domain
      randomization"
    topics:
      - Robotics
      - Vision
    overrides:
      title: Domain Randomization for Transferring Deep Neural Networks
      year: 2017

  - id: https://arxiv.org/abs/hep-th/9901001
    usecase: Old style
    topics: Language
    overrides:
      abstract: |
        A literal abstract
          with an indented line

        and a blank one.
      authors: [A. Author, "B. Author"]
  - id: 1905.12453
    usecase: >
      Folded text
      over two lines
    topics: [Vision]   # a comment after a value
  - title: Not on arXiv
    url: https://example.org/paper
    year: 2016
    usecase: Manual
    topics: [Language]
  - id: arXiv:2101.00002
    usecase: 'Single ''quoted'''
    topics: [Vision, Language]
  - id: 2302.01234
    usecase: Plain text
      continued on the next line
    topics: [Robotics]
# between the lists
rejected:
  - id: 2101.00001
    reason: off topic
  - 2101.00003
"""

# Lines and fragments a maintainer might type, paste or break things with.
FRAGMENTS = [
    "  - id: 2401.00001\n    usecase: New\n    topics: [Vision]\n",
    "  - id: 1812.07252\n    usecase: Again\n    topics: [Vision]\n",
    "  - id: 2101.00001\n    usecase: Rejected already\n    topics: [Vision]\n",
    "    overrides:\n      title: An edited title\n",
    "    overrides: {title: Flow title, year: 2020}\n",
    "  # a comment\n",
    "\n",
    "# a comment at the margin\n",
    "  - id: 2401.00002\n",
    "  -\n    id: 2401.00003\n    usecase: Dash alone\n    topics: [Vision]\n",
    "    usecase: x\n",
    "    topics: [Nope]\n",
    "settings:\n  title: Moved\n",
    "rejected: []\n",
    "  - id: 2401.00004\n    usecase: &anchor Anchored\n    topics: [Vision]\n",
    "    usecase: *anchor\n",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    '    usecase: "open quote\n',
    "    abstract: |\n      literal\n",
    "\t",
    "\r\n",
    "\u2028",
    "- ",
    "  ",
    "[",
    "]",
    "{",
    ":",
    "#",
    '"',
    "'",
    "*",
    "&x ",
    "\n  - ",
    "id",
    "9999.99999",
]


def parsed(text: str) -> tuple[Catalogue, Layout | None] | CatalogueError:
    try:
        return catalogue.parse_laid_out(text, PATH, TODAY)
    except CatalogueError as err:
        return err


def edited(text: str, rng: random.Random) -> str:
    """`text` with one random edit: a fragment inserted at a line's start or anywhere, a
    span deleted, a line replaced, or an entry deleted or duplicated."""
    lines = text.splitlines(keepends=True)
    kind = rng.randrange(6)
    if kind == 0:
        at = rng.randrange(len(lines) + 1)
        return "".join([*lines[:at], rng.choice(FRAGMENTS), *lines[at:]])
    if kind == 1:
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice(FRAGMENTS) + text[at:]
    if kind == 2:
        at = rng.randrange(len(text) + 1)
        return text[:at] + text[at + rng.randrange(1, 40) :]
    if kind == 3:
        at = rng.randrange(len(lines))
        return "".join([*lines[:at], rng.choice(FRAGMENTS), *lines[at + 1 :]])
    starts = [i for i, line in enumerate(lines) if line.startswith("  - ")]
    at = rng.randrange(len(starts))
    begin = starts[at]
    end = starts[at + 1] if at + 1 < len(starts) else begin + 3
    entry = lines[begin:end]
    if kind == 4:
        return "".join([*lines[:begin], *lines[end:]])
    return "".join([*lines[:end], *entry, *lines[end:]])


def assert_spliced_as_parsed(old_text: str, text: str) -> tuple[Catalogue, Layout] | None:
    """Splice `text` onto the parse of `old_text`; whatever it gives must be what a full
    parse of `text` gives. Return it."""
    old = parsed(old_text)
    assert not isinstance(old, CatalogueError) and old[1] is not None
    spliced = splice(old_text, old[0], old[1], text, TODAY)
    full = parsed(text)
    if spliced is not None:
        assert not isinstance(full, CatalogueError), f"spliced, but a full parse says {full}"
        assert spliced[0] == full[0]
        assert full[1] is None or spliced[1] == full[1]
    return spliced


def test_the_base_catalogue_has_a_layout() -> None:
    loaded, layout = catalogue.parse_laid_out(CATALOGUE, PATH, TODAY)
    assert layout is not None and layout.column == 2
    assert [CATALOGUE.count("\n", 0, start) + 1 for start in layout.starts[:-1]] == [
        entry.line for entry in loaded.entries
    ]
    assert CATALOGUE[layout.starts[-1] :].startswith("rejected:")


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_splice_to_what_a_full_parse_gives(seed: int) -> None:
    rng = random.Random(seed)
    spliced = 0
    for _ in range(150):
        text = CATALOGUE
        # A few edits in a row, each spliced onto the result of the last, as renders do.
        for _ in range(rng.randint(1, 4)):
            new = edited(text, rng)
            result = assert_spliced_as_parsed(text, new)
            full = parsed(new)
            if result is None or isinstance(full, CatalogueError) or full[1] is None:
                break
            spliced += 1
            text = new
    # Most edits touch entries only, and valid ones are spliced: the test exercises the
    # splice, not only its refusals.
    assert spliced >= 20


EDITS = {
    "a title overridden": lambda t: t.replace(
        "    usecase: Grasping\n",
        "    usecase: Grasping\n    overrides:\n      title: Edited\n",
    ),
    "a paper appended": lambda t: t.replace(
        "# between the lists",
        "  - id: 2401.00001\n    usecase: New\n    topics: [Vision]\n# between the lists",
    ),
    "a paper inserted first": lambda t: t.replace(
        "  # Grasping first\n",
        "  # Grasping first\n  - id: 2401.00001\n    usecase: New\n    topics: [Vision]\n",
    ),
    "a paper removed": lambda t: t.replace(
        "  - id: 1905.12453\n    usecase: >\n      Folded text\n      over two lines\n"
        "    topics: [Vision]   # a comment after a value\n",
        "",
    ),
    "a usecase changed": lambda t: t.replace("usecase: Manual", "usecase: By hand"),
    "a literal abstract changed": lambda t: t.replace("and a blank one.", "and a changed one."),
}


@pytest.mark.parametrize("edit", EDITS)
def test_everyday_edits_are_spliced(edit: str) -> None:
    text = EDITS[edit](CATALOGUE)
    assert text != CATALOGUE
    assert assert_spliced_as_parsed(CATALOGUE, text) is not None


REFUSED = {
    "the settings": lambda t: t.replace("title: Spliced", "title: Changed"),
    "the rejected list": lambda t: t.replace("reason: off topic", "reason: dull"),
    "a duplicate": lambda t: t.replace("id: 1905.12453", "id: 1812.07252"),
    "a listed rejection": lambda t: t.replace("id: 1905.12453", "id: 2101.00001"),
    "an alias": lambda t: t.replace("usecase: Manual", "usecase: *a"),
    "a lone CR": lambda t: t.replace("usecase: Manual\n", "usecase: Manual\r"),
    "an unknown topic": lambda t: t.replace("topics: [Language]", "topics: [Nope]"),
    "a dash alone": lambda t: t.replace("  - id: 1905.12453", "  -\n    id: 1905.12453"),
    "an open quote": lambda t: t.replace("usecase: Manual", 'usecase: "Manual'),
    "a document's end": lambda t: t.replace("  - id: arXiv:", "...\n  - id: arXiv:"),
    "lines joined": lambda t: t.replace("after a value\n", "after a value"),
}


@pytest.mark.parametrize("edit", REFUSED)
def test_what_only_a_full_parse_can_say_is_left_to_it(edit: str) -> None:
    text = REFUSED[edit](CATALOGUE)
    assert text != CATALOGUE
    old, layout = catalogue.parse_laid_out(CATALOGUE, PATH, TODAY)
    assert layout is not None
    assert splice(CATALOGUE, old, layout, text, TODAY) is None


def test_lines_after_an_edit_move_with_it() -> None:
    text = EDITS["a title overridden"](CATALOGUE)
    spliced = assert_spliced_as_parsed(CATALOGUE, text)
    assert spliced is not None
    old = catalogue.parse(CATALOGUE, PATH, TODAY)
    assert [e.line for e in spliced[0].entries] == [
        old.entries[0].line,
        *(e.line + 2 for e in old.entries[1:]),
    ]
    assert [r.line for r in spliced[0].rejected] == [r.line + 2 for r in old.rejected]


@pytest.mark.parametrize(
    "text",
    [
        "papers:\n  - id: 1812.07252\n    usecase: &a A\n    topics: [B]\n"
        "  - id: 1905.12453\n    usecase: *a\n    topics: [B]\n",
        "papers:\n  - id: 1812.07252\n    usecase: A\r    topics: [B]\n",
        "papers: [{id: 1812.07252, usecase: A, topics: [B]}]\n",
        "papers:\n-   id: 1812.07252\n    usecase: A\n    topics: [B]\n",
    ],
    ids=["an alias", "a lone CR", "a flow list", "a wide dash"],
)
def test_texts_whose_entries_can_affect_each_other_have_no_layout(text: str) -> None:
    assert catalogue.parse_laid_out(text, PATH, TODAY)[1] is None


def test_markdown_in_the_settings_and_crlf_lines_keep_the_layout() -> None:
    text = CATALOGUE.replace("title: Spliced", "introduction: Some **bold** text").replace(
        "\n", "\r\n"
    )
    assert catalogue.parse_laid_out(text, PATH, TODAY)[1] is not None
    for edit in EDITS.values():
        assert assert_spliced_as_parsed(
            text, edit(text.replace("\r\n", "\n")).replace("\n", "\r\n")
        )
