"""How litsync words the counts in its messages."""

from __future__ import annotations


def plural(number: int, noun: str) -> str:
    """A number and its noun, plural unless the number is one.

    >>> plural(1, "request"), plural(3, "paper")
    ('1 request', '3 papers')
    """
    return f"{number} {noun}{'' if number == 1 else 's'}"
