"""How litsync words the counts in its messages."""

from __future__ import annotations


def count(number: int, noun: str) -> str:
    """A number and its noun, plural unless the number is one.

    >>> count(1, "request"), count(3, "paper")
    ('1 request', '3 papers')
    """
    return f"{number} {noun}{'' if number == 1 else 's'}"
