"""Broken and hostile feeds never replace good cached data, and no response is unbounded.

Each case runs a forced refresh of the bundled list (its committed cache holds every paper)
against a real local server scripted to misbehave, as tests/test_reliability.py does, and
records what litsync did and lost in docs/RELIABILITY.md.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, generate_papers
from clock import FakeClock
from conftest import ReliabilityLog
from project import DOCUMENT, ROOT, bundled_project, generated_project, snapshot
from test_reliability import COMMITTED, DELAY, forced_refresh, lost_records, outcome, polite

from litsync.commands.refresh import refresh
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig
from litsync.store.cache import Cache

SECTION = "Hostile and broken feeds"
NO_LONGER_RETURNED = "arXiv no longer returns this paper"
# Characters a recovering parser dropped from the entries after a broken one.
MARKUP_TITLE = "Sim & Real: <b>bold</b> > all"
MARKUP_PAPER = "1612.07828"

HOSTILE_ANSWERS = [
    ("entries with an empty title and abstract and no authors", Fault.blank_entries()),
    ("an ESC control character in one entry (`\\x1b`)", Fault.control_character()),
    ("a feed cut mid-entry with `</feed>` appended", Fault.truncated(closed=True)),
    ("an empty page while `totalResults` says 12", Fault.empty_page()),
]


@pytest.mark.parametrize(("case", "fault"), HOSTILE_ANSWERS, ids=[c for c, _ in HOSTILE_ANSWERS])
def test_a_hostile_answer_once_is_retried_and_resolves(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    case: str,
    fault: Fault,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.corpus[MARKUP_PAPER].title = MARKUP_TITLE
    arxiv_server.script(fault)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock)
    assert report.exit_code == 0, report.failure
    assert report.fetched == 12 and report.not_found == []
    assert len(arxiv_server.requests) == 2
    assert polite(arxiv_server, clock)
    cache = Cache.load(root / "catalogue" / "cache.json")
    # The retried answer is the one stored, every character of it.
    assert cache.records[MARKUP_PAPER].title == MARKUP_TITLE
    assert cache.records[MARKUP_PAPER].authors == arxiv_server.corpus[MARKUP_PAPER].authors
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    assert "## [](" not in document and NO_LONGER_RETURNED not in document
    reliability.record(SECTION, f"{case}, once",
                       outcome(report) + "; the answer was retried like a fault, the whole one "
                       "stored", lost_records(root))  # fmt: skip


@pytest.mark.parametrize(("case", "fault"), HOSTILE_ANSWERS, ids=[c for c, _ in HOSTILE_ANSWERS])
def test_a_persistent_hostile_answer_is_reported_and_the_cache_kept(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    case: str,
    fault: Fault,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(*[fault] * 10)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock)
    assert report.exit_code == 4
    assert sorted(report.stale) == sorted(COMMITTED.records)
    assert report.not_found == []
    assert len(arxiv_server.requests) == 5
    assert snapshot(root) == before  # cache and document exactly as they were
    assert polite(arxiv_server, clock)
    reliability.record(SECTION, f"{case}, on every try", outcome(report), lost_records(root))


def test_a_dtd_hidden_after_a_long_comment_is_refused(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(Fault.hidden_doctype())
    report = forced_refresh(root, arxiv_server, FakeClock())
    assert report.exit_code == 4
    assert "declares a DTD or entities; refused" in (report.failure or "")
    assert len(arxiv_server.requests) == 1  # refused, not retried
    assert snapshot(root) == before
    reliability.record(SECTION, "a DTD declaring an entity after a 2 KB comment naming `<feed`",
                       outcome(report), lost_records(root))  # fmt: skip


def test_one_entry_with_an_invalid_date_is_skipped_and_reported(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.corpus["1812.07252"].versions[-1] = "not-a-date"
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock)
    assert report.exit_code == 4
    assert report.fetched == 11
    assert report.stale == ["1812.07252"]
    assert "1812.07252: no valid updated date" in (report.failure or "")
    cache = Cache.load(root / "catalogue" / "cache.json")
    assert cache.records["1812.07252"] == COMMITTED.records["1812.07252"]
    assert polite(arxiv_server, clock)
    assert (root / DOCUMENT).read_bytes() == (ROOT / DOCUMENT).read_bytes()
    reliability.record(SECTION, "one entry with `<updated>not-a-date</updated>`",
                       outcome(report) + "; the 11 whole entries stored",
                       lost_records(root))  # fmt: skip


@pytest.mark.parametrize("persistent", [False, True], ids=["once", "on every try"])
def test_a_short_page_then_an_empty_one_keeps_what_was_fetched(
    tmp_path: Path, reliability: ReliabilityLog, persistent: bool
) -> None:
    papers = generate_papers(40, seed=13)
    root = generated_project(tmp_path, papers)
    clock = FakeClock()
    with ArxivServer(papers) as server:
        script = [Fault.short_page(30), Fault.empty_page()]
        server.script(*(script * 5 if persistent else script))
        config = HarvestConfig(api_url=server.url, delay=DELAY)
        report = refresh(Project(root), config, force=True, clock=clock)
        assert polite(server, clock)
        starts = [r.params["start"] for r in server.requests]
    cached = Cache.load(root / "catalogue" / "cache.json").records
    if persistent:
        assert report.exit_code == 4 and len(report.stale) == 10
        assert "an empty page although the feed counts 40 results" in (report.failure or "")
        assert starts == ["0", "30"] * 5
        assert len(cached) == 30
    else:
        assert report.exit_code == 0 and report.failure is None
        assert starts == ["0", "30", "0"]
        assert len(cached) == 40
    lost = "nothing" if report.fetched == len(cached) else f"{report.fetched - len(cached)} fetched"
    case = "a page of 30 entries while `totalResults` says 40, then an empty page"
    reliability.record(SECTION, f"{case}, {'on every try' if persistent else 'once'}",
                       outcome(report) + f"; {len(cached)} papers cached", lost)  # fmt: skip


def test_a_gzip_bomb_is_cut_off_at_the_size_cap(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(Fault.gzip_bomb(2 * 1024**3))
    tracemalloc.start()
    try:
        report = forced_refresh(root, arxiv_server, FakeClock())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    limit = 100 * 2**20
    assert peak < limit
    assert report.exit_code == 4
    assert "the response is larger than 32 MB; refused" in (report.failure or "")
    assert len(arxiv_server.requests) == 1  # a bomb is not worth another try
    assert snapshot(root) == before
    reliability.record(SECTION, "a 2 MB gzip body inflating to 2 GB",
                       outcome(report) + f"; peak memory under {limit // 2**20} MB",
                       lost_records(root))  # fmt: skip


def test_a_body_that_drips_is_cut_off_at_the_timeout(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.script(Fault.drip(0.05))
    clock = FakeClock()
    began = time.monotonic()
    report = forced_refresh(root, arxiv_server, clock, timeout=1.0)
    took = time.monotonic() - began
    assert report.exit_code == 0 and report.fetched == 12
    assert len(arxiv_server.requests) == 2
    assert took < 1.0 + 1.0  # the drip was abandoned at the timeout, not when it ended
    assert polite(arxiv_server, clock)
    reliability.record(SECTION, "a body sent one byte every 0.05 s, with `--timeout 1`",
                       outcome(report) + "; the drip abandoned at the timeout, then retried",
                       lost_records(root))  # fmt: skip


def test_a_body_that_drips_cannot_outlast_the_budget(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(*[Fault.drip(0.5)] * 5)
    began = time.monotonic()
    report = forced_refresh(root, arxiv_server, FakeClock(), budget=1.5)
    took = time.monotonic() - began
    assert report.exit_code == 4
    assert "the time budget of 1.5 s is spent" in (report.failure or "")
    assert took < 1.5 + 1.0
    assert len(arxiv_server.requests) == 1
    assert snapshot(root) == before
    reliability.record(SECTION, "a body sent one byte every 0.5 s, with `--budget 1.5`",
                       outcome(report), lost_records(root))  # fmt: skip


LONG_RETRY_AFTER = [
    ("`Retry-After: 100000`, default budget", "100000", {}),
    ("`Retry-After` an HTTP date in 2099, no budget", "Thu, 01 Jan 2099 00:00:00 GMT",
     {"budget": 0.0}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "retry_after", "options"), LONG_RETRY_AFTER, ids=[c for c, _, _ in LONG_RETRY_AFTER]
)
def test_a_retry_after_beyond_a_minute_ends_the_run(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    case: str,
    retry_after: str,
    options: dict[str, float],
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(*[Fault.status(503, retry_after=retry_after)] * 5)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock, **options)
    assert report.exit_code == 4
    assert (report.failure or "").startswith("arXiv asked us to come back in ")
    assert "budget" not in (report.failure or "")
    assert len(arxiv_server.requests) == 1
    assert all(sleep <= 60 for sleep in clock.sleeps)
    assert snapshot(root) == before
    reliability.record(SECTION, case, outcome(report), lost_records(root))


def test_a_retry_after_within_a_minute_is_honoured(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.script(Fault.status(503, retry_after=60))
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock)
    assert report.exit_code == 0 and report.fetched == 12
    assert max(clock.sleeps) >= 60
    assert polite(arxiv_server, clock)
    reliability.record(SECTION, "`Retry-After: 60`",
                       outcome(report) + "; waited the 60 s asked", lost_records(root))  # fmt: skip
