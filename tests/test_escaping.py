"""Hostile fetched text reaches `references.bib` and the document as text: no BibTeX entry,
TeX command, link, emphasis or HTML of its own, and it still reads as written.

Markdown is read back by the renderers that matter: cmark-gfm, GitHub's own, with its
autolinker, and markdown-it with linkify; BibTeX by pybtex.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from arxiv_server import ArxivServer
from clock import FakeClock
from conftest import ReliabilityLog
from markdown_it import MarkdownIt
from project import DOCUMENT, EXPORTS, ROOT, bundled_project
from pybtex.database import BibliographyData, parse_string
from pylatexenc.latex2text import LatexNodes2Text

from litsync.commands.refresh import refresh
from litsync.output import bibtex
from litsync.output.citations import Citable, split_name
from litsync.output.markdown import escape
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig

SECTION = "Hostile text in the outputs"
BIB = EXPORTS[0]
HOSTILE_ID = "1812.07252"
HOSTILE_KEY = "james2018simtoreal"


def forced_refresh(root: Path, server: ArxivServer) -> None:
    report = refresh(Project(root), HarvestConfig(api_url=server.url, delay=0), force=True,
                     clock=FakeClock())  # fmt: skip
    assert report.exit_code == 0 and report.fetched == 12


def entries(text: str) -> BibliographyData:
    return parse_string(text, "bibtex")


def code(text: str) -> str:
    """`text` as a Markdown code span in docs/RELIABILITY.md, whatever backticks it has."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


# --- BibTeX: no entry or field of its own --------------------------------------------


INJECTED_CATEGORY = "cs.CV}, note = {injected}} @misc{evil, title = {Injected}"
INJECTED_DOI = "10.1000/x}, note = {injected}} @misc{evil2, title = {Injected}"


def test_a_category_or_doi_cannot_add_an_entry_or_a_field(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    paper = arxiv_server.corpus[HOSTILE_ID]
    paper.primary_category = INJECTED_CATEGORY
    paper.doi = INJECTED_DOI
    forced_refresh(root, arxiv_server)
    written = entries((root / BIB).read_text(encoding="utf-8")).entries
    committed = entries((ROOT / BIB).read_text(encoding="utf-8")).entries
    assert list(written) == list(committed)
    hostile = written[HOSTILE_KEY]
    assert "note" not in hostile.fields and "doi" not in hostile.fields
    assert "primaryClass" not in hostile.fields
    assert hostile.fields["eprint"] == HOSTILE_ID
    # Every other entry is the committed one, field for field.
    changed = [
        key
        for key, entry in written.items()
        if key != HOSTILE_KEY and dict(entry.fields) != dict(committed[key].fields)
    ]
    assert changed == []
    left_out = [name for name in ("primaryClass", "doi") if name not in hostile.fields]
    reliability.record(
        SECTION,
        "`primary_category` and `doi` that close their field and open `@misc{evil, …}`",
        f"pybtex reads {len(written)} entries, as committed, none injected; "
        f"left out of the hostile paper's entry: {', '.join(left_out)}",
        ", ".join(changed) or "nothing",
    )


CITED = Citable(
    "le2017using", "preprint", "Using Synthetic Data", (split_name("Tuan Anh Le"),), 2017,
    (2017, 3, 2), "", "https://arxiv.org/abs/1703.00868", "1703.00868", "cs.LG",
    "10.1109/CVPR.2017.492", None,
)  # fmt: skip
FIELD_CASES = [
    # (field of Citable, value, BibTeX field it fills, kept)
    ("primary_class", "astro-ph.CO", "primaryClass", True),
    ("primary_class", "cond-mat.mes-hall", "primaryClass", True),
    ("primary_class", "hep-th", "primaryClass", True),
    ("primary_class", "cs.CV} @misc{evil,", "primaryClass", False),
    ("primary_class", "cs.CV\\input{/etc/hostname}", "primaryClass", False),
    ("arxiv_id", "solv-int/9901001v3", "eprint", True),
    ("arxiv_id", "1703.00868} @misc{evil,", "eprint", False),
    ("arxiv_id", "arXiv:1703.00868", "eprint", False),
    ("doi", "10.1002/(SICI)1097-4636(199706)35:4<415::AID-JBM1>3.0.CO;2-8", "doi", True),
    ("doi", "10.1007/978-3-030-01234-2_1", "doi", True),
    ("doi", "10.1000/\\input{/etc/hostname}", "doi", False),
    ("doi", "10.1000/x%comment", "doi", False),
    ("doi", "not a doi", "doi", False),
]


@pytest.mark.parametrize(("attribute", "value", "name", "kept"), FIELD_CASES)
def test_identifiers_are_written_only_in_their_known_shape(
    reliability: ReliabilityLog, attribute: str, value: str, name: str, kept: bool
) -> None:
    text = bibtex.entry(CITED._replace(**{attribute: value}))
    (key, entry), *more = entries(text).entries.items()
    assert (key, more) == (CITED.key, [])
    assert entry.fields.get(name) == (value if kept else None)
    assert not re.search(r"\\input|%", text)
    reliability.record(
        SECTION,
        f"{attribute} {code(value)}",
        f"one entry; `{name}` " + ("written as is" if name in entry.fields else "left out"),
        "nothing" if kept == (name in entry.fields) else f"`{name}`",
    )


# --- BibTeX: TeX commands from fetched text stay text --------------------------------


# A control sequence: a backslash and a word of letters, or one other character.
CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)|\^\^")
# The commands `latex` writes for text: the special characters' own.
TEXT_COMMANDS = set(CONTROL.findall(bibtex.latex('"#$%&<>\\^_{}~')))
TEX_CASES = [
    ("Leak $\\input{/etc/hostname}$ demo", False),
    ("Run $\\immediate\\write18{touch /tmp/pwned}$", False),
    ("Name $\\csname input\\endcsname{/etc/hostname}$", False),
    ("Define $\\def\\x{\\input{/etc/hostname}}\\x$", False),
    ("Catcode $\\catcode`\\@=0 @input /etc/hostname$", False),
    ("Hex $^^5cinput{/etc/hostname}$", False),
    ("Escaped $x\\$ then y", False),
    ("Comment $a \\\\% b$", False),
    ("Alignment $a & b$", False),
    ("Bound $O(n^{2})$ and $\\frac{\\alpha}{2} \\le \\mathbb{R}^n_{\\mathrm{max}}$", True),
    ("Spacing $a\\,b\\;c\\!d\\ e \\{x\\}$", True),
]


@pytest.mark.parametrize(("text", "math_kept"), TEX_CASES)
@pytest.mark.parametrize("field", ["title", "abstract"])
def test_tex_commands_in_fetched_text_stay_text(
    reliability: ReliabilityLog, field: str, text: str, math_kept: bool
) -> None:
    entry = bibtex.entry(CITED._replace(**{field: text}))
    written = entries(entry).entries[CITED.key].fields[field]
    used = CONTROL.findall(written)
    harmful = sorted(set(used) - bibtex.MATH_COMMANDS - TEXT_COMMANDS - {"\\{", "\\}"})
    assert harmful == []
    # Read back as LaTeX would print it, it says what arXiv said (braces aside; pylatexenc
    # reads `\textasciicircum` as the modifier letter U+02C6).
    printed = LatexNodes2Text(math_mode="verbatim").latex_to_text(written)
    unbraced = str.maketrans({"{": None, "}": None, "\u02c6": "^"})
    assert printed.translate(unbraced) == text.translate(unbraced)
    kept = "$" in written.replace("\\$", "")
    assert kept == math_kept
    if field == "abstract":
        return  # one row per formula: the title's
    reliability.record(
        SECTION,
        f"title or abstract {code(text)}",
        "formula kept as written" if kept else "formula written as text, printed as it reads",
        ", ".join(harmful) or "nothing",
    )


# --- Markdown: no link, emphasis or HTML ----------------------------------------------


class Rendered(HTMLParser):
    """What a renderer's HTML makes of the text: its elements, link targets and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.targets: list[str] = []
        self.text = ""
        self.comments = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.targets += [value or "" for name, value in attrs if name in ("href", "src")]

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_comment(self, data: str) -> None:
        self.comments += 1


def markdown_it() -> MarkdownIt:
    renderer = MarkdownIt("gfm-like")
    # As GFM: URLs with a scheme, `www.` and e-mail addresses are links, bare domains
    # (which would make every category like cs.CV one) are not.
    renderer.linkify.set({"fuzzy_link": False})
    return renderer


RENDERERS = {
    "cmark-gfm": cmarkgfm.github_flavored_markdown_to_html,
    "markdown-it": markdown_it().render,
}
MARKDOWN_CASES = [
    "$*$em$*$",
    "$a[$ x $](https://evil.example/t)$",
    "$_x_$ and $__y__$ and $a*b*c$",
    "$a<b>c$, $&amp;$ and $x~~y~~z$",
    "$\\{x\\}$, $a\\\\b$ and $\\epsilon$",
    "$https://evil.example$ and $eve@evil.example$",
    "see https://evil.example/x?y=1, HTTP://EVIL.EXAMPLE and ftp://evil.example/f",
    "www.evil.example, *www.evil.example/x* and (www.evil.example)",
    "//localhost/path and //evil.example",
    "write to eve.x_y+z@evil.example, mailto:eve@evil.example or xmpp:eve@evil.example/r",
    "Eve (https://evil.example), *Mallory* <mallory@evil.example>",
    "![img](https://evil.example/i.png) and <https://evil.example>",
    "_*~~<b>&amp;</b>~~*_ [x][y] [^1]",
    "a@b.example@c.example and `d@e.example`",
]


@pytest.mark.parametrize("text", MARKDOWN_CASES)
def test_fetched_text_makes_no_link_emphasis_or_html(
    reliability: ReliabilityLog, text: str
) -> None:
    escaped = escape(text)
    # After a label, as the document places every fetched field.
    seen = {name: Rendered(render("X " + escaped)) for name, render in RENDERERS.items()}
    markup = {
        name: sorted(set(r.tags) - {"p", "code"}) + ["comment"] * r.comments
        for name, r in seen.items()
    }
    misread = [name for name, r in seen.items() if r.text.strip() != "X " + text]
    assert markup == {name: [] for name in RENDERERS}
    assert misread == []
    reliability.record(
        SECTION,
        code(text),
        f"written {code(escaped)}; {' and '.join(seen)}: no link, emphasis or HTML, "
        "text reads as written",
        ", ".join(misread) or "nothing",
    )


def test_hostile_paper_in_the_document_makes_no_link_of_its_own(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    paper = arxiv_server.corpus[HOSTILE_ID]
    paper.title = "$*$em$*$ via $a[$ x $](https://evil.example/t)$ at www.evil.example"
    paper.summary = "Code: https://evil.example/x; ask eve_x@evil.example; costs $a*b*c$."
    paper.authors = ["Eve https://evil.example", "Mallory mallory@evil.example"]
    forced_refresh(root, arxiv_server)
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    section = document.split("\n## ")[1].split("\n---\n")[0]
    # The pages the abstract names are listed, labelled, on litsync's own line for them.
    (pages,) = [line for line in section.splitlines() if line.startswith("**arXiv** ")]
    assert pages.endswith(" · [Project page](https://evil.example/x)")
    section = section.replace(pages, "")
    committed = (ROOT / DOCUMENT).read_text(encoding="utf-8").split("\n## ")
    links: dict[str, list[str]] = {}
    for name, render in RENDERERS.items():
        seen = Rendered(render("## " + section))
        links[name] = [t for t in seen.targets if "evil" in t]
        assert "em" not in seen.tags and "del" not in seen.tags
        assert f"https://arxiv.org/abs/{HOSTILE_ID}" in seen.targets
        assert paper.title in seen.text and paper.summary in seen.text
        assert "Eve https://evil.example, Mallory mallory@evil.example" in seen.text
    assert links == {name: [] for name in RENDERERS}
    # The other papers' sections are the committed ones.
    others = zip(document.split("\n## ")[2:], committed[2:], strict=True)
    changed = [written.split("]")[0] for written, before in others if written != before]
    assert changed == []
    reliability.record(
        SECTION,
        "a paper whose title, abstract and authors hold math markup, URLs and addresses",
        f"refreshed and rendered; its section read back by {' and '.join(links)} makes no "
        "link but the paper's own and, labelled on litsync's line for them, the pages its "
        "abstract names; no emphasis, and it reads as written",
        ", ".join(changed) or "nothing",
    )
