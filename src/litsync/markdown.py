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
from urllib.parse import quote


class Trusted(str):
    """Text written by the maintainer or built by litsync: placed as is, not escaped."""


# Inline Markdown and HTML syntax; a backslash before ASCII punctuation makes it literal.
_WHITESPACE = re.compile(r"\s+")
_SPECIALS = r"\\`*_\[\]<>&|~"
_SPECIAL = re.compile(f"([{_SPECIALS}])")
_MATH = re.compile(r"(\$[^$\s][^$]*\$)")
# Inside a formula, LaTeX commands that mean the same as the dangerous characters.
_MATH_REPLACEMENTS = {"<": r"\lt ", ">": r"\gt ", "&": r"\&", "`": "'", "](": "] ("}
_MATH_DANGER = re.compile("|".join(re.escape(k) for k in _MATH_REPLACEMENTS))
_SPECIAL_BYTES = rb"\`*_[]<>&|~$"
# What no ASCII text left as it is may hold: those and the control characters.
_NOT_PLAIN_ASCII = _SPECIAL_BYTES + bytes([*range(32), 127])


def escape(text: object) -> str:
    """Render `text` inert in Markdown, unless it is Trusted.

    >>> escape("A *bold* [link](javascript:x) <b>")
    'A \\\\*bold\\\\* \\\\[link\\\\](javascript:x) \\\\<b\\\\>'
    >>> escape("costs $O(n_1^2)$ time")
    'costs $O(n_1^2)$ time'
    """
    if type(text) is str:  # most output: fetched text and the maintainer's
        value = text
    elif isinstance(text, Trusted):
        return text
    elif type(text) is int:
        return str(text)  # digits and a sign: nothing to escape
    else:
        value = str(text)
    # Most output (names, plain titles and abstracts) has nothing to escape or collapse;
    # saying so quickly matters at 100,000 fields. Deleting from bytes is several times
    # faster than searching with a pattern. Whitespace but the space is a control
    # character in ASCII, and not printable in Unicode.
    if value.isascii():
        if (
            len(value.encode().translate(None, _NOT_PLAIN_ASCII)) == len(value)
            and "  " not in value
        ):
            return value
    elif value.isprintable() and "  " not in value:
        data = value.encode()
        if len(data.translate(None, _SPECIAL_BYTES)) == len(data):
            return value
    # Collapsing line breaks keeps block syntax (headings, lists) from ever starting.
    parts = _MATH.split(_WHITESPACE.sub(" ", value))
    return "".join(
        _MATH_DANGER.sub(lambda m: _MATH_REPLACEMENTS[m.group(0)], part)
        if index % 2
        else _SPECIAL.sub(r"\\\1", part)
        for index, part in enumerate(parts)
    )


def link_target(url: str) -> Trusted:
    """A URL that cannot end the ``(...)`` of a Markdown link early."""
    return Trusted(quote(url, safe=":/?#=&%+,;@!$'*~-._"))
