"""A clock for tests: sleeping advances virtual time at once instead of waiting."""

from __future__ import annotations

import time


class FakeClock:
    """Virtual time = real monotonic time + everything slept so far.

    `sleeps` records every requested sleep; `timeline` maps real times to the virtual
    offset in force from then on, so a server's real request times can be read in
    virtual time (the client is single-threaded, so the mapping is exact).
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []
        self.timeline: list[tuple[float, float]] = [(float("-inf"), 0.0)]

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds
        self.timeline.append((time.monotonic(), self.offset))

    def virtual(self, real: float) -> float:
        """The virtual time at real monotonic time `real`."""
        offset = max((t, o) for t, o in self.timeline if t <= real)[1]
        return real + offset
