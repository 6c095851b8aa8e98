"""LaTeX formulas in fetched text: ``$O(n^2)$`` is kept readable, and inert, by every output."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A formula starts with `$` and a character that is not a space, and ends at the next `$`.
_FORMULA = re.compile(r"(\$[^$\s][^$]*\$)")


def segments(text: str) -> Iterator[tuple[bool, str]]:
    """The parts of `text` in order, each with whether it is a formula.

    >>> list(segments("costs $O(n)$ time"))
    [(False, 'costs '), (True, '$O(n)$'), (False, ' time')]
    """
    for index, part in enumerate(_FORMULA.split(text)):
        if part:
            yield bool(index % 2), part
