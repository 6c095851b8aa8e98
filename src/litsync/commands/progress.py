"""Progress of a refresh: one updating line on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
from typing import TextIO

from litsync.plural import plural


class Progress:
    """Reports papers fetched so far; silent when there is nothing to fetch."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        # No stream when the process started with stderr closed (`litsync refresh 2>&-`).
        self.stream: TextIO | None = stream or sys.stderr
        self.tty = self.stream is not None and self.stream.isatty()

    def start(self, batches: int) -> None:
        if self.total:
            self._line(
                f"fetching {plural(self.total, 'paper')} in {plural(batches, 'request')}",
                final=True,
            )

    def advance(self, papers: int, requests: int) -> None:
        self.done += papers
        self._line(f"fetched {self.done}/{self.total} papers ({plural(requests, 'request')})")

    def finish(self) -> None:
        if self.tty and self.total:
            self._write("\n")

    def _line(self, text: str, final: bool = False) -> None:
        if self.tty and not final:
            self._write(f"\r\x1b[Klitsync: {text}")
        else:
            self._write(f"litsync: {text}\n")

    def _write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()
