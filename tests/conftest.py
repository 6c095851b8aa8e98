"""Shared fixtures: the seed corpus and a running fake arXiv server."""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
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


# --- docs/RELIABILITY.md is written from what the reliability tests observed -----------


@dataclass
class ReliabilityRow:
    section: str
    case: str
    did: str
    lost: str


@dataclass
class ReliabilityLog:
    """Rows recorded by tests/test_reliability.py, in test order."""

    rows: list[ReliabilityRow] = field(default_factory=list)

    def record(self, section: str, case: str, did: str, lost: str) -> None:
        self.rows.append(ReliabilityRow(section, case, did, lost))

    def markdown(self) -> str:
        sections = list(dict.fromkeys(row.section for row in self.rows))
        lines = [
            "# Reliability",
            "",
            "Every fault and bad input below was tried by the test suite (the tests that record",
            "a case to this table) against a real local server that reproduces arXiv's API and",
            "its bad days (or GitHub's, for the nightly), or against real",
            "files. The tables are written by that test run (command at the end); the *what",
            "litsync did* and *lost* columns are computed from what the test observed, not typed",
            "by hand: *nothing written* means the run refused before it changed any file.",
            "",
            "| section | cases tried | of them, nothing lost or nothing written |",
            "| --- | --- | --- |",
        ]
        for section in sections:
            rows = [row for row in self.rows if row.section == section]
            kept = sum(row.lost in ("nothing", "nothing written") for row in rows)
            lines.append(f"| {section} | {len(rows)} | {kept} |")
        for section in sections:
            lines += ["", f"## {section}", "", "| tried | what litsync did | lost |",
                      "| --- | --- | --- |"]  # fmt: skip
            lines += [
                f"| {r.case} | {r.did} | {r.lost} |" for r in self.rows if r.section == section
            ]
        lines += [
            "",
            "Regenerate with:",
            "",
            "```sh",
            ".venv/bin/python -m pytest tests --reliability-report docs/RELIABILITY.md",
            "```",
        ]
        return "\n".join(lines) + "\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reliability-report",
        metavar="PATH",
        help="write the table of faults tried and their outcomes to PATH",
    )


@pytest.fixture(scope="session")
def reliability(request: pytest.FixtureRequest) -> Iterator[ReliabilityLog]:
    log = ReliabilityLog()
    yield log
    target = request.config.getoption("--reliability-report")
    if target and log.rows:
        Path(target).write_text(log.markdown(), encoding="utf-8")


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, arxiv_server: ArxivServer) -> ArxivServer:
    """Point litsync at the local server, with no politeness delay to wait out."""
    monkeypatch.setenv("LITSYNC_API_URL", arxiv_server.url)
    monkeypatch.setenv("LITSYNC_DELAY", "0")
    monkeypatch.setenv("LITSYNC_TIMEOUT", "2")
    return arxiv_server


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> str:
    """Point litsync at a port where no server listens any more; return that URL."""
    with ArxivServer([]) as server:
        closed = server.url
    monkeypatch.setenv("LITSYNC_API_URL", closed)
    monkeypatch.setenv("LITSYNC_DELAY", "0")
    return closed
