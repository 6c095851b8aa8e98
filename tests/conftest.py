"""Shared fixtures: the seed corpus and a running fake arXiv server."""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
# Under --import-mode=importlib pytest stops adding tests/ to sys.path, and the
# helper module must stay importable either way.
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from arxiv_server import ArxivServer, Paper, load_feed  # noqa: E402

SEED_FEED = TESTS_DIR / "data" / "seed-papers.atom.xml"


@pytest.fixture(scope="session")
def seed_papers() -> list[Paper]:
    """The 12 papers of tests/data/seed-papers.atom.xml (shared: do not mutate)."""
    return load_feed(SEED_FEED)


@pytest.fixture
def arxiv_server(seed_papers: list[Paper]) -> Iterator[ArxivServer]:
    """A running server over a private copy of the seed corpus."""
    with ArxivServer(copy.deepcopy(seed_papers)) as server:
        yield server
