"""Making fetched text safe to place in a Markdown document, decided in one place.

Everything arXiv returns (titles, abstracts, author names) is text, never markup: it
must not start emphasis, code, links, HTML or entities, nor be made a link by GFM's
autolinker (URLs, ``www.`` and e-mail addresses; bare domains such as ``cs.CV`` are not
links in GFM). Rendered documents put each fetched field on a line after a label, with
whitespace collapsed, so block syntax (headings, lists, tables) cannot start; only
inline syntax needs escaping.
LaTeX between ``$`` signs is kept as written, ``$O(n^2)$``, and still renders on GitHub;
a formula in which Markdown would read something is set inside a code span,
``$`x_{[1]}`$``, which GitHub renders as math and every other renderer shows as code.
"""

from __future__ import annotations

import re

from litsync.output.formulas import segments
from litsync.sources.paper import page_url


class Trusted(str):
    """Text written by the maintainer or built by litsync: placed as is, not escaped."""


_WHITESPACE = re.compile(r"\s+")
# Inline Markdown and HTML syntax, and what GitHub's autolinker takes for a link: a
# backslash before ASCII punctuation makes it literal, and before the `//` of a URL or the
# dot of `www.` ends the autolinker's match; GitHub links an e-mail address whatever is
# escaped in it, so that is set as code.
_SPECIAL = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)|[\\`*_\[\]<>&|~]|/(?=/)"
    r"|(?<=www)\."
)
# Words of no special character, one space apart: their own Markdown, as most text is.
_PLAIN = re.compile(r"[^\\`*_\[\]<>&|~$\s]+(?: [^\\`*_\[\]<>&|~$\s]+)*")
# What `_SPECIAL` would change in text that `_PLAIN` lets through.
_LINKABLE = re.compile(r"@|//|www\.")
# What Markdown reads in a formula: syntax characters, a backslash before punctuation (an
# escape), and what an autolinker takes for a link.
_MARKUP_IN_FORMULA = re.compile(r"[`*_\[\]<>&|~]|\\[!-/:-@\[-`{-~]|" + _LINKABLE.pattern)


def escape(text: object) -> str:
    """Render `text` inert in Markdown, unless it is Trusted.

    >>> escape("A *bold* [link](javascript:x) <b>")
    'A \\\\*bold\\\\* \\\\[link\\\\](javascript:x) \\\\<b\\\\>'
    >>> escape("costs $O(n_1^2)$ time, see https://x.org, www.x.org or a@x.org")
    'costs $`O(n_1^2)`$ time, see https:\\\\//x.org, www\\\\.x.org or `a@x.org`'
    """
    if isinstance(text, Trusted):
        return text
    value = str(text)
    if _PLAIN.fullmatch(value) and not _LINKABLE.search(value):
        return value
    # Collapsing line breaks keeps block syntax (headings, lists) from ever starting.
    collapsed = _WHITESPACE.sub(" ", value)
    return "".join(
        _formula(part) if is_formula else _SPECIAL.sub(_inert, part)
        for is_formula, part in segments(collapsed)
    )


def _formula(formula: str) -> str:
    if not _MARKUP_IN_FORMULA.search(formula):
        return formula
    # A backtick would end the code span; a prime reads the same in a formula.
    return "$`" + formula[1:-1].replace("`", "'") + "`$"


def _inert(match: re.Match[str]) -> str:
    found = match.group(0)
    return f"`{found}`" if match.group("email") else "\\" + found


def link_target(url: str) -> Trusted:
    """A URL that cannot end the ``(...)`` of a Markdown link early."""
    return Trusted(page_url(url))
