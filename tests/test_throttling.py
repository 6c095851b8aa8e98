"""arXiv's 2026 throttling: 406 is retried like 429, every request says what it accepts,
and a host name that does not resolve fails fast instead of backing off for a minute."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault
from clock import FakeClock
from conftest import ReliabilityLog
from project import DOCUMENT, ROOT, bundled_project, run, snapshot
from test_reliability import (
    COMMITTED,
    DELAY,
    SERVICE,
    forced_refresh,
    lost_records,
    outcome,
    polite,
)

from litsync.commands.refresh import refresh
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig, Harvester
from litsync.sources.arxiv_ids import parse
from litsync.sources.arxiv_rss import ListingReader

# RFC 2606: a name under .invalid never resolves, so no request leaves the machine.
UNRESOLVABLE = "http://litsync-test.invalid/api/query"
LISTING = (Path(__file__).parent / "data" / "rss-cs.CV.xml").read_bytes()


@pytest.fixture
def unresolvable_host() -> str:
    """The API URL on a host name that does not resolve; skips where a resolver makes
    one up (some networks answer every name)."""
    try:
        socket.getaddrinfo("litsync-test.invalid", 80)
    except socket.gaierror:
        return UNRESOLVABLE
    pytest.skip("this machine's resolver answers for .invalid names")


@pytest.mark.parametrize(
    ("case", "faults"),
    [
        ("HTTP 406 while arXiv throttles", [Fault.throttled()]),
        ("HTTP 406 three times in a row", [Fault.throttled()] * 3),
    ],
)
def test_throttling_406_is_retried_like_429(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    case: str,
    faults: list[Fault],
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.script(*faults)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock)
    assert report.exit_code == 0
    assert report.fetched == 12 and report.failure is None
    assert [r.status for r in arxiv_server.requests] == [406] * len(faults) + [200]
    assert polite(arxiv_server, clock)
    assert (root / DOCUMENT).read_bytes() == (ROOT / DOCUMENT).read_bytes()
    reliability.record(SERVICE, case, outcome(report) + "; delay kept between requests",
                       lost_records(root))  # fmt: skip


def test_throttling_406_on_every_try_ends_with_a_report_and_keeps_the_cache(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(*[Fault.throttled()] * 10)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock)
    assert report.exit_code == 4
    assert report.failure == "arXiv API: HTTP 406"
    assert sorted(report.stale) == sorted(COMMITTED.records)
    assert len(arxiv_server.requests) == 5  # retried as 429 is, then stopped
    assert polite(arxiv_server, clock)
    assert snapshot(root) == before
    reliability.record(SERVICE, "HTTP 406 on every try (throttled all night)", outcome(report),
                       lost_records(root))  # fmt: skip


def test_every_request_says_which_feed_it_accepts(arxiv_server: ArxivServer) -> None:
    arxiv_server.serve("/rss/cs.CV", LISTING)
    harvester = Harvester(HarvestConfig(api_url=arxiv_server.url, delay=0))
    assert list(harvester.harvest([parse("1812.07252")]).records) == ["1812.07252"]
    assert ListingReader(harvester, arxiv_server.base_url + "/rss/").read("cs.CV")
    api, listing = arxiv_server.requests
    assert api.headers["Accept"].startswith("application/atom+xml,")
    assert listing.headers["Accept"].startswith("application/rss+xml,")


def test_a_host_name_that_does_not_resolve_fails_after_one_retry(
    tmp_path: Path, unresolvable_host: str, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    clock = FakeClock()
    config = HarvestConfig(api_url=unresolvable_host, delay=DELAY)
    report = refresh(Project(root), config, force=True, clock=clock)
    assert report.exit_code == 4
    assert report.failure == (
        "arXiv could not be reached (cannot look up litsync-test.invalid: no network, "
        "or DNS is failing)"
    )
    assert report.requests == 2
    assert len(clock.sleeps) == 1 and clock.sleeps[0] <= 2 * DELAY  # one backoff, not four
    assert snapshot(root) == before
    reliability.record(SERVICE, "a host name that does not resolve (no network, DNS failing)",
                       outcome(report) + f"; waited {sum(clock.sleeps):.0f} s in all",
                       lost_records(root))  # fmt: skip


def test_the_command_line_names_the_host_it_cannot_look_up(
    tmp_path: Path,
    unresolvable_host: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    monkeypatch.setenv("LITSYNC_DELAY", "0")
    code, _, err = run(capsys, "refresh", "--force", "--root", str(root),
                       "--api-url", unresolvable_host)  # fmt: skip
    assert code == 4
    assert err.count("retrying") == 1
    assert err.splitlines()[-1].startswith(
        "Error: arXiv could not be reached (cannot look up litsync-test.invalid: no network, "
        "or DNS is failing); the document was rendered from the cache; 12 papers not refreshed: "
    )
