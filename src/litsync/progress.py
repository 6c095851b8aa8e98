"""Progress of a refresh: one updating line on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
from typing import TextIO

from litsync.wording import count


class Progress:
    """Reports papers fetched so far; silent when there is nothing to fetch."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def start(self, batches: int) -> None:
        if self.total:
            self._line(f"fetching {self.total} papers in {count(batches, 'request')}", final=True)

    def advance(self, papers: int, requests: int) -> None:
        self.done += papers
        self._line(f"fetched {self.done}/{self.total} papers ({count(requests, 'request')})")

    def finish(self) -> None:
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, text: str, final: bool = False) -> None:
        if self.tty and not final:
            self.stream.write(f"\r\x1b[Klitsync: {text}")
        else:
            self.stream.write(f"litsync: {text}\n")
        self.stream.flush()
