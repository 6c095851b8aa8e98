"""Watching the processes litsync forks: which it forked, and whether each was reaped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def record_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children forked from here on, as the list returned grows."""
    pids: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    return pids


def gone(pid: int) -> bool:
    """Whether the process has ended and been reaped (a zombie still has its entry)."""
    return not Path(f"/proc/{pid}").exists()
