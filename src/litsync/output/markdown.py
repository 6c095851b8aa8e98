"""Making fetched text safe to place in a Markdown document, decided in one place.

Everything arXiv returns (titles, abstracts, author names) is text, never markup: it
must not start emphasis, code, links, HTML or entities. Rendered documents put each
fetched field on a line after a label, with whitespace collapsed, so block syntax
(headings, lists, tables) cannot start; only inline syntax needs escaping.
LaTeX between ``$`` signs is kept as written, so ``$O(n^2)$`` stays readable and still
renders on GitHub, with only the characters that could escape the formula neutralised.
"""

from __future__ import annotations

import re

from litsync.output.formulas import segments
from litsync.sources.paper import page_url


class Trusted(str):
    """Text written by the maintainer or built by litsync: placed as is, not escaped."""


# Inline Markdown and HTML syntax; a backslash before ASCII punctuation makes it literal.
_WHITESPACE = re.compile(r"\s+")
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
# Words of no special character, one space apart: their own Markdown, as most text is.
_PLAIN = re.compile(r"[^\\`*_\[\]<>&|~$\s]+(?: [^\\`*_\[\]<>&|~$\s]+)*")
# Inside a formula, LaTeX commands that mean the same as the dangerous characters.
_MATH_REPLACEMENTS = {"<": r"\lt ", ">": r"\gt ", "&": r"\&", "`": "'", "](": "] ("}
_MATH_DANGER = re.compile("|".join(re.escape(k) for k in _MATH_REPLACEMENTS))


def escape(text: object) -> str:
    """Render `text` inert in Markdown, unless it is Trusted.

    >>> escape("A *bold* [link](javascript:x) <b>")
    'A \\\\*bold\\\\* \\\\[link\\\\](javascript:x) \\\\<b\\\\>'
    >>> escape("costs $O(n_1^2)$ time")
    'costs $O(n_1^2)$ time'
    """
    if isinstance(text, Trusted):
        return text
    value = str(text)
    if _PLAIN.fullmatch(value):
        return value
    # Collapsing line breaks keeps block syntax (headings, lists) from ever starting.
    collapsed = _WHITESPACE.sub(" ", value)
    return "".join(
        _MATH_DANGER.sub(lambda m: _MATH_REPLACEMENTS[m.group(0)], part)
        if is_formula
        else _SPECIAL.sub(r"\\\1", part)
        for is_formula, part in segments(collapsed)
    )


def link_target(url: str) -> Trusted:
    """A URL that cannot end the ``(...)`` of a Markdown link early."""
    return Trusted(page_url(url))
