"""arXiv's bad days, crashes and bad input lose nothing (and docs/RELIABILITY.md says so).

Service faults run a forced refresh of the bundled list, whose committed cache holds all
12 papers, so every test can check that what was cached before is still there after.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, generate_papers
from clock import FakeClock
from conftest import ReliabilityLog
from project import (
    DOCUMENT,
    ROOT,
    bundled_project,
    generated_project,
    refused_by_every_command,
    snapshot,
)

from litsync.cli import main
from litsync.commands.refresh import RefreshReport, refresh
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig
from litsync.store.cache import Cache

SERVICE = "Faults from the service"
CRASHES = "Crashes and concurrency"
BAD_INPUT = "Bad input"
HOSTILE = "Hostile or odd data from the service"
DELAY = 3.0
COMMITTED = Cache.load(ROOT / "catalogue" / "cache.json")


def forced_refresh(
    root: Path, server: ArxivServer, clock: FakeClock, **options: float
) -> RefreshReport:
    config = HarvestConfig(api_url=server.url, delay=DELAY, **options)  # type: ignore[arg-type]
    return refresh(Project(root), config, force=True, clock=clock)


def lost_records(root: Path) -> str:
    """What the cache no longer holds, or holds blanked, compared with the committed one."""
    cache = Cache.load(root / "catalogue" / "cache.json")
    lost = [
        key
        for key, old in COMMITTED.records.items()
        if (new := cache.get(key)) is None or not new.title or not new.abstract
    ]
    return ", ".join(lost) if lost else "nothing"


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".litsync-tmp")]


def polite(server: ArxivServer, clock: FakeClock) -> bool:
    """At most one request every DELAY seconds (in virtual time), retries included."""
    starts = [clock.virtual(r.started) for r in server.requests]
    return all(b - a >= DELAY - 0.05 for a, b in itertools.pairwise(starts))


def outcome(report: RefreshReport) -> str:
    plural = "s" if report.requests != 1 else ""
    did = f"{report.requests} request{plural}; {report.fetched} of {report.due} refreshed"
    if report.failure:
        did += f"; reported {len(report.stale)} stale: “{report.failure}”; rendered from the cache"
    if report.not_found:
        did += f"; reported not found: {', '.join(report.not_found)}"
    if report.rejected:
        did += "; reported rejected: " + ", ".join(f"{k} ({v})" for k, v in report.rejected.items())
    return did


RESOLVED_AFTER_RETRY = [
    ("HTTP 503 with `Retry-After: 7`", [Fault.status(503, retry_after=7)]),
    ("HTTP 503 without `Retry-After`", [Fault.status(503)]),
    ("HTTP 429, body `Rate exceeded.`, no `Retry-After`", [Fault.rate_exceeded()]),
    ("HTTP 500", [Fault.status(500)]),
    ("HTTP 414 (URL too long)", [Fault.status(414)]),
    ("connection reset", [Fault.reset()]),
    ("response that never finishes (longer than the timeout)", [Fault.hang(5.0)]),
    ("headers, then a body that never comes", [Fault.hang(5.0, headers_only=True)]),
    ("slow but valid response (within the timeout)", [Fault.slow(0.3)]),
    ("HTTP 200 with an HTML maintenance page", [Fault.maintenance_page()]),
    ("HTTP 200 with the text `Rate exceeded.`", [Fault.plain_text("Rate exceeded.")]),
    ("truncated feed", [Fault.truncated()]),
    ("empty page while `totalResults` says 12", [Fault.empty_page()]),
    ("ID missing on the first try, present on the second", [Fault.drop_ids("1905.09727")]),
    ("three different faults in a row", [Fault.reset(), Fault.status(503), Fault.truncated()]),
]


@pytest.mark.parametrize(
    ("case", "faults"), RESOLVED_AFTER_RETRY, ids=[c for c, _ in RESOLVED_AFTER_RETRY]
)
def test_transient_fault_resolves_every_entry(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    case: str,
    faults: list[Fault],
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.script(*faults)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock, timeout=1.0)
    assert report.exit_code == 0
    assert report.fetched == 12 and report.failure is None and report.not_found == []
    assert polite(arxiv_server, clock)
    assert leftovers(root) == []
    if case.startswith("HTTP 503 with `"):
        assert max(clock.sleeps) >= 7
    assert (root / DOCUMENT).read_bytes() == (ROOT / DOCUMENT).read_bytes()
    reliability.record(SERVICE, case, outcome(report) + "; delay kept between requests",
                       lost_records(root))  # fmt: skip


PERSISTENT = [
    ("HTTP 503 on every try (arXiv down)", Fault.status(503), {}),
    ("connection reset on every try", Fault.reset(), {}),
    ("HTTP 429 on every try", Fault.rate_exceeded(), {}),
    ("maintenance page on every try", Fault.maintenance_page(), {}),
    ("time budget of 20 s spent while arXiv fails", Fault.status(503), {"budget": 20.0}),
]


@pytest.mark.parametrize(
    ("case", "fault", "options"), PERSISTENT, ids=[c for c, _, _ in PERSISTENT]
)
def test_persistent_fault_ends_with_a_report_and_keeps_the_cache(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    case: str,
    fault: Fault,
    options: dict[str, float],
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(*[fault] * 10)
    clock = FakeClock()
    report = forced_refresh(root, arxiv_server, clock, **options)
    assert report.exit_code == 4
    assert sorted(report.stale) == sorted(COMMITTED.records)
    assert report.failure
    assert snapshot(root) == before  # cache and document exactly as they were
    assert polite(arxiv_server, clock)
    if "budget" in options:
        assert "the time budget of 20 s is spent" in report.failure
        assert sum(clock.sleeps) < 20
        assert len(arxiv_server.requests) < 5
    else:
        assert len(arxiv_server.requests) == 5  # bounded: 5 attempts, then stop
    reliability.record(SERVICE, case, outcome(report), lost_records(root))


def test_a_batch_with_one_bad_id_resolves_the_rest(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    arxiv_server.rejected_ids.add("1905.09727")
    report = forced_refresh(root, arxiv_server, FakeClock())
    assert report.exit_code == 3
    assert list(report.rejected) == ["1905.09727"]
    assert report.fetched == 11
    assert lost_records(root) == "nothing"
    # Halved until the bad id stands alone: 12 → 6 + 6 → 3 + 3 → 1 + 2.
    assert [len(r.ids) for r in arxiv_server.requests] == [12, 6, 3, 3, 1, 2, 6]
    reliability.record(SERVICE, "HTTP 400 for a batch holding one bad ID",
                       outcome(report) + "; the rest of the batch resolved", lost_records(root))  # fmt: skip


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("entity expansion (billion laughs)", Fault.billion_laughs()),
        ("an external entity (`file:///etc/passwd`)", Fault.external_entity()),
    ],
)
def test_entity_feeds_are_refused(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    reliability: ReliabilityLog,
    name: str,
    fault: Fault,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    before = snapshot(root)
    arxiv_server.script(fault)
    report = forced_refresh(root, arxiv_server, FakeClock())
    assert report.exit_code == 4
    assert "declares a DTD or entities; refused" in (report.failure or "")
    assert len(arxiv_server.requests) == 1  # not retried, nothing fetched from elsewhere
    assert snapshot(root) == before
    assert "root:" not in (root / DOCUMENT).read_text(encoding="utf-8")
    reliability.record(HOSTILE, f"feed with {name}", outcome(report), lost_records(root))


def test_paper_the_service_stops_returning_is_kept_and_marked(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    del arxiv_server.corpus["1909.11512"]
    report = forced_refresh(root, arxiv_server, FakeClock())
    assert report.exit_code == 3 and report.not_found == ["1909.11512"]
    record = Cache.load(root / "catalogue" / "cache.json").get("1909.11512")
    assert record is not None and record.missing
    assert record.title == COMMITTED.records["1909.11512"].title
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    assert "## [Synthetic Data for Deep Learning](https://arxiv.org/abs/1909.11512)" in document
    assert "**Note** arXiv no longer returns this paper" in document
    reliability.record(HOSTILE, "a cached paper the service stops returning",
                       outcome(report) + "; kept its last known data, marked `missing` in the "
                       "cache and the document", lost_records(root))  # fmt: skip


def test_withdrawn_paper_is_flagged(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    paper = arxiv_server.corpus["1703.00868"]
    paper.add_version("2026-11-01T00:00:00Z")
    paper.comment = "This paper has been withdrawn by the author due to an error in Section 3"
    report = forced_refresh(root, arxiv_server, FakeClock())
    assert report.exit_code == 0 and report.changed == ["1703.00868"]
    record = Cache.load(root / "catalogue" / "cache.json").get("1703.00868")
    assert record is not None and record.withdrawn and record.version == 2
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    section = document.split('<a name="ref6"></a>')[1].split("---")[0]
    assert "**Withdrawn** The authors withdrew this paper from arXiv." in section
    reliability.record(HOSTILE, "withdrawn paper (latest version's comment says so)",
                       outcome(report) + "; flagged `withdrawn` in the cache and the document",
                       lost_records(root))  # fmt: skip


HOSTILE_TITLE = "<script>alert(1)</script> [x](javascript:alert(1)) | `code` # *b* _i_"
HOSTILE_ABSTRACT = (
    "Real $O(n^2)$ math & <img src=x onerror=alert(1)> [click](javascript:evil) "
    "Ünïcødé — 中文 — emoji 🎉 " + "very long " * 2000
)


def test_hostile_text_is_rendered_inert(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    paper = arxiv_server.corpus["1812.07252"]
    paper.title = HOSTILE_TITLE
    paper.summary = HOSTILE_ABSTRACT
    paper.authors = ["Robert'); DROP TABLE papers;--", "<b>Bold</b> | Pipe", "Zoë Ünicode"]
    report = forced_refresh(root, arxiv_server, FakeClock())
    assert report.exit_code == 0
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    section = document.split("\n## ")[1].split("\n---\n")[0]
    assert section.startswith(
        "[\\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1)) \\| \\`code\\` "
        "# \\*b\\* \\_i\\_](https://arxiv.org/abs/1812.07252)"
    )
    assert (
        "**Authors** Robert'); DROP TABLE papers;--, \\<b\\>Bold\\</b\\> \\| Pipe, Zoë Ünicode"
        in section
    )
    assert (
        "Real $O(n^2)$ math \\& \\<img src=x onerror=alert(1)\\> \\[click\\](javascript:evil)"
        in section
    )
    assert "中文 — emoji 🎉" in section
    body = [line for line in section.splitlines() if line.startswith("**Abstract**")]
    assert len(body) == 1  # one line: no block syntax can start inside it
    # Only escaped forms remain: no unescaped tag opener or link-closing bracket.
    assert "<script>" not in document
    assert not re.search(r"(?<!\\)\]\(javascript", document)
    assert not re.search(r"(?<!\\)<(img|script|b)\b", document)
    reliability.record(HOSTILE, "Markdown, HTML, LaTeX, unicode and a 20,000-character abstract",
                       "escaped once, in `markdown.escape`: no HTML, link or emphasis survives; "
                       "`$O(n^2)$` kept readable; unicode kept", lost_records(root))  # fmt: skip


# --- crashes and concurrency -------------------------------------------------------------


def cli_env(server: ArxivServer) -> dict[str, str]:
    return {**os.environ, "LITSYNC_API_URL": server.url, "LITSYNC_DELAY": "0"}


def start_refresh(root: Path, server: ArxivServer) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "litsync.cli", "refresh", "--root", str(root)],
        env=cli_env(server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_at_random_moments_loses_no_completed_batch(
    tmp_path: Path, reliability: ReliabilityLog
) -> None:
    papers = generate_papers(1200, seed=7)
    root = generated_project(tmp_path, papers)
    chance = random.Random(20261125)
    kills = 0
    with ArxivServer(papers) as server:
        server.script(*[Fault.slow(0.3)] * 200)
        cached: set[str] = set()
        while kills < 6:
            server.clear_requests()
            process = start_refresh(root, server)
            # Timed from the first request, not from the start: on a fast machine a whole
            # run can end before a kill timed from the start, and each run fetches less.
            # Within one slow response, a kill lands in the first batch, in its saving or
            # in the second request.
            deadline = time.monotonic() + 10
            while not server.requests and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(chance.uniform(0.0, 0.3))
            if process.poll() is not None:
                break  # finished before we could kill it: nothing left to test
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            now = set(Cache.load(root / "catalogue" / "cache.json").records)  # always loads
            assert cached <= now  # nothing fetched earlier was lost
            # A batch is saved before the next request starts: every answered batch with a
            # successor must be in the cache.
            for done, _next in itertools.pairwise(server.requests):
                if done.status == 200:
                    assert set(done.ids) <= now
            cached = now
        code = subprocess.run(
            [sys.executable, "-m", "litsync.cli", "refresh", "--root", str(root)],
            env=cli_env(server), capture_output=True, check=False,
        ).returncode  # fmt: skip
    assert kills >= 3
    assert code == 0
    assert set(Cache.load(root / "catalogue" / "cache.json").records) == {p.base_id for p in papers}
    assert leftovers(root) == []
    reliability.record(CRASHES, f"`refresh` killed with SIGKILL at {kills} random moments",
                       "the cache loaded after every kill and held every batch answered before "
                       "it; the next refresh completed the job", "nothing")  # fmt: skip


def test_overlapping_refresh_exits_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reliability: ReliabilityLog
) -> None:
    papers = generate_papers(250, seed=8)
    root = generated_project(tmp_path, papers)
    with ArxivServer(papers) as server:
        server.script(*[Fault.slow(1.0)] * 10)
        first = start_refresh(root, server)
        deadline = time.monotonic() + 10
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.02)  # the first run holds the lock once it is fetching
        code = main(["refresh", "--root", str(root), "--api-url", server.url, "--delay", "0"])
        _, err = capsys.readouterr()
        assert first.wait(timeout=30) == 0
    assert code == 8
    assert err == (
        "Error: another litsync run is working on this list (it holds .litsync/lock); "
        "wait for it to finish and run again\n"
    )
    assert len(Cache.load(root / "catalogue" / "cache.json").records) == 250
    reliability.record(CRASHES, "two refreshes started at once (overlapping cron runs)",
                       "the second exits at once with code 8 and “another litsync run is "
                       "working on this list”; the first completes", "nothing")  # fmt: skip


# --- bad input ----------------------------------------------------------------------------

CATALOGUE = "catalogue/ids.yaml"
ENTRY = "papers:\n  - id: {id}\n    usecase: x\n    topics: [Robotics]\n"
BAD_CATALOGUES = [
    ("YAML syntax error", "papers:\n  - id: [1812.07252\n", 2,
     "catalogue/ids.yaml:3: YAML syntax error: "),
    ("wrong type", "papers:\n  - id: 1812.07252\n    usecase: [x]\n    topics: [A]\n", 2,
     "catalogue/ids.yaml:3: usecase must be text, not a list"),
    ("unknown key", "papers:\n  - id: 1812.07252\n    usecase: x\n    topcs: [A]\n", 2,
     "catalogue/ids.yaml:4: unknown key 'topcs' in a paper entry (did you mean 'topics'?)"),
    ("empty catalogue", "", 2, "catalogue/ids.yaml: the catalogue is empty; add a `papers:` list"),
    ("no papers", "papers: []\n", 2, "catalogue/ids.yaml:1: `papers:` is empty; add an arXiv id"),
    ("bad month", ENTRY.format(id="1813.07252"), 2,
     "catalogue/ids.yaml:2: '1813.07252': 13 is not a month (YYMM is 1813)"),
    ("too-long sequence", ENTRY.format(id="1412.123456"), 2,
     "catalogue/ids.yaml:2: '1412.123456' is not an arXiv identifier"),
    ("unknown archive", ENTRY.format(id="hep-xx/9901001"), 2,
     "catalogue/ids.yaml:2: 'hep-xx/9901001': 'hep-xx' is not an arXiv archive"),
    ("future date", ENTRY.format(id="4001.00001"), 2,
     "catalogue/ids.yaml:2: '4001.00001': 4001 is a month in the future"),
    ("junk", ENTRY.format(id="arxivlink"), 2,
     "catalogue/ids.yaml:2: 'arxivlink' is not an arXiv identifier"),
    ("the same paper twice in different forms",
     ENTRY.format(id="1812.07252") + "  - id: https://arxiv.org/pdf/1812.07252v2.pdf\n"
     "    usecase: y\n    topics: [Robotics]\n", 2,
     "catalogue/ids.yaml:5: 1812.07252 is already listed at line 2; remove one of the two entries"),
    ("override on an unknown field",
     ENTRY.format(id="1812.07252") + "    overrides:\n      journal: X\n", 2,
     "catalogue/ids.yaml:6: unknown key 'journal' in overrides; allowed: title, year, abstract, authors"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "code", "message"), BAD_CATALOGUES,
                         ids=[c[0] for c in BAD_CATALOGUES])  # fmt: skip
def test_bad_catalogue(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    text: str,
    code: int,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / CATALOGUE).write_text(text, encoding="utf-8")
    check_bad_input(root, arxiv_server, capsys, reliability, case, code, message)


def test_missing_catalogue(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / CATALOGUE).unlink()
    message = f"no list in {root}: it has no catalogue/ids.yaml; start one with `litsync init"
    line = refused_by_every_command(root, arxiv_server, capsys, 2, message)
    shown = line.replace(str(root), "LIST")  # the table is the same on every machine
    reliability.record(BAD_INPUT, "missing catalogue", f"exit 2: `` {shown} ``", "nothing written")


@pytest.mark.parametrize(
    ("case", "template", "message"),
    [
        ("template with an undefined variable", "# {{ document.titel }}\n",
         "templates/document.md.j2:1: 'litsync.output.document.DocumentView object' has no attribute 'titel'"),
        ("template with a syntax error", "# {{ document.title }}\n{% for p in %}\n",
         "templates/document.md.j2:2: template syntax error: "),
    ],
)  # fmt: skip
def test_bad_template(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    template: str,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / "templates" / "document.md.j2").write_text(template, encoding="utf-8")
    check_bad_input(root, arxiv_server, capsys, reliability, case, 6, message)


@pytest.mark.parametrize(
    ("case", "edit", "message"),
    [
        ("corrupt cache file (not JSON)", lambda t: t[: len(t) // 2],
         "catalogue/cache.json:"),
        ("hand-edited cache (a field renamed)", lambda t: t.replace('"title":', '"Title":', 1),
         "catalogue/cache.json:"),
    ],
)  # fmt: skip
def test_damaged_cache(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    edit: object,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    path = root / "catalogue" / "cache.json"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    check_bad_input(root, arxiv_server, capsys, reliability, case, 7, message)


def check_bad_input(
    root: Path,
    server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    code: int,
    message: str,
) -> None:
    """Every command reports one line and the same exit code, and writes nothing."""
    line = refused_by_every_command(root, server, capsys, code, message)
    reliability.record(BAD_INPUT, case, f"exit {code}: `` {line} ``", "nothing written")


def test_today_is_before_2040() -> None:
    # The "future date" case above uses 4001.00001; it stops being a future month in 2040.
    assert date.today().year < 2040
