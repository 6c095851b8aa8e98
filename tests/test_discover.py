"""`litsync discover` against the local arXiv server and a recorded daily listing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, Paper, generate_papers, load_feed
from clock import FakeClock
from project import bundled_project, snapshot

from litsync.catalogue.load import parse
from litsync.cli import main
from litsync.commands.discover import discover
from litsync.errors import CatalogueError
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.arxiv_rss import parse_listing

DATA = Path(__file__).parent / "data"
LISTING = (DATA / "rss-cs.CV.xml").read_bytes()
CANDIDATES = Path("generated") / "candidates.md"
TODAY = date(2026, 11, 25)

# Saved searches, a paper listed as a PDF link, one listed as a manual entry's URL, and
# a rejection: each of those must keep a paper out of the review file.
DISCOVER_SETTINGS = """\
  discover:
    searches:
      - query: abs:"synthetic data" AND cat:cs.CV
        since: 2024-01-01
        max_results: 20
    feeds: [cs.CV]
"""
MORE_PAPERS = """\

  - id: https://arxiv.org/pdf/2410.18842v1.pdf
    usecase: Object Detection
    topics: [Overview]

  - title: Procedural Indoor Scenes for Embodied Navigation
    url: https://arxiv.org/abs/2406.02255v1
    year: 2024
    usecase: Navigation
    topics: [Robotics]

rejected:
  - 2410.21901
  - id: arXiv:2411.00519v1
    reason: medical imaging, not our scope
"""


@pytest.fixture
def discover_papers() -> list[Paper]:
    return load_feed(DATA / "discover-papers.atom.xml")


@pytest.fixture
def server(
    monkeypatch: pytest.MonkeyPatch, seed_papers: list[Paper], discover_papers: list[Paper]
) -> Iterator[ArxivServer]:
    """The seed papers and the discover corpus on the API; the cs.CV listing as RSS."""
    with ArxivServer(copy.deepcopy(seed_papers) + discover_papers) as running:
        running.serve("/rss/cs.CV", LISTING)
        monkeypatch.setenv("LITSYNC_API_URL", running.url)
        monkeypatch.setenv("LITSYNC_RSS_URL", running.base_url + "/rss/")
        monkeypatch.setenv("LITSYNC_DELAY", "0")
        monkeypatch.setenv("LITSYNC_TIMEOUT", "2")
        yield running


def curated_project(tmp_path: Path) -> Path:
    root = bundled_project(tmp_path, with_cache=True)
    path = root / "catalogue" / "ids.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  output: generated/synthetic-data-literature.md\n"
    text = text.replace(anchor, anchor + DISCOVER_SETTINGS) + MORE_PAPERS
    path.write_text(text, encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def candidate_ids(root: Path) -> list[str]:
    text = (root / CANDIDATES).read_text(encoding="utf-8")
    return [line.split("id: ")[1] for line in text.splitlines() if line.startswith("  - id: ")]


def test_saved_searches_and_listing_give_the_golden_review_file(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    before = snapshot(root)
    code, out, err = run(capsys, "discover", "--root", str(root))
    assert code == 0, err
    assert out == (
        "Read 2 of 2 sources: 9 papers, 2 already listed, 1 rejected, 6 candidates.\n"
        "Wrote generated/candidates.md\n"
    )
    assert err == (
        'litsync: reading arXiv search abs:"synthetic data" AND cat:cs.CV '
        "(the newest 20, submitted since 2024-01-01)\n"
        "litsync: reading arXiv's daily listing of cs.CV (new papers and cross-lists)\n"
    )
    golden = (DATA / "golden" / "candidates.md").read_text(encoding="utf-8")
    assert (root / CANDIDATES).read_text(encoding="utf-8") == golden
    # Nothing but the review file is written: the catalogue is never touched.
    after = snapshot(root)
    assert after.pop(str(CANDIDATES)) and after == before
    search, listing = server.requests
    assert search.path == "/api/query"
    assert search.params == {
        "search_query": 'abs:"synthetic data" AND cat:cs.CV',
        "id_list": "",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
        "start": "0",
        "max_results": "20",
    }
    assert (listing.path, listing.query) == ("/rss/cs.CV", "")


def test_a_second_run_writes_the_same_bytes(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    assert run(capsys, "discover", "--root", str(root))[0] == 0
    first = (root / CANDIDATES).read_bytes()
    code, out, _ = run(capsys, "discover", "--root", str(root))
    assert (code, out.splitlines()[-1]) == (0, "Unchanged: generated/candidates.md")
    assert (root / CANDIDATES).read_bytes() == first


def test_command_line_sources_replace_the_saved_ones(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    query = 'ti:"synthetic data" ANDNOT cat:eess.IV'
    code, out, _ = run(capsys, "discover", "--root", str(root), "--query", query,
                       "--since", "2024-09-01")  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == (
        "Read 1 of 1 source: 2 papers, 1 already listed, 0 rejected, 1 candidate."
    )
    assert candidate_ids(root) == ["2409.07731"]
    assert [r.path for r in server.requests] == ["/api/query"]


def test_without_since_listed_papers_are_counted_not_proposed(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    code, out, _ = run(capsys, "discover", "--root", str(root), "--query",
                       'abs:"synthetic data" AND cat:cs.CV')  # fmt: skip
    assert code == 0
    # The 13 matches include 7 papers of the seed list (in the catalogue since 2016-2021).
    assert out.splitlines()[0] == (
        "Read 1 of 1 source: 13 papers, 9 already listed, 1 rejected, 3 candidates."
    )
    assert candidate_ids(root) == ["2411.00115", "2409.07731", "2312.11409"]


def test_since_stops_paging_at_the_first_older_paper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = [p for p in generate_papers(600, seed=3) if "cs.LG" in p.categories]
    newest = sorted(papers, key=lambda p: p.published, reverse=True)
    since = newest[40].published[:10]
    expected = [p for p in newest if p.published[:10] >= since]
    assert 40 < len(expected) < 100 < len(papers)
    root = curated_project(tmp_path)
    with ArxivServer(papers) as server:
        monkeypatch.setenv("LITSYNC_API_URL", server.url)
        monkeypatch.setenv("LITSYNC_DELAY", "0")
        code, out, _ = run(capsys, "discover", "--root", str(root), "--query", "cat:cs.LG",
                           "--since", since, "--max-results", "500")  # fmt: skip
        assert code == 0
        # One page of 100, newest first: its last paper is already older than `since`.
        assert [r.params["max_results"] for r in server.requests] == ["100"]
    assert out.splitlines()[0] == (
        f"Read 1 of 1 source: {len(expected)} papers, 0 already listed, 0 rejected, "
        f"{len(expected)} candidates."
    )
    assert sorted(candidate_ids(root)) == sorted(p.base_id for p in expected)


def test_an_empty_later_page_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = generate_papers(400, seed=5)
    root = curated_project(tmp_path)
    with ArxivServer(papers) as server:
        monkeypatch.setenv("LITSYNC_API_URL", server.url)
        monkeypatch.setenv("LITSYNC_DELAY", "0")
        server.script(Fault.ok(), Fault.empty_page())
        code, _, err = run(capsys, "discover", "--root", str(root), "--query", "all:a",
                             "--max-results", "150")  # fmt: skip
        assert code == 0, err
        assert "arXiv: an empty page although the feed counts 400 results; retrying in" in err
        assert [r.params["start"] for r in server.requests] == ["0", "100", "0", "100"]
    assert len(candidate_ids(root)) == 150


def test_requests_keep_the_politeness_delay(tmp_path: Path, server: ArxivServer) -> None:
    root = curated_project(tmp_path)
    clock = FakeClock()
    config = HarvestConfig(api_url=server.url, delay=3.0, timeout=2.0)
    report = discover(Project(root), config, server.base_url + "/rss/", clock=clock)
    assert report.exit_code == 0 and len(server.requests) == 2
    # One wait, between the search and the listing, of the delay less the time it took.
    assert len(clock.sleeps) == 1 and 2.5 < clock.sleeps[0] <= 3.0
    first, second = server.requests
    assert first.finished is not None
    assert clock.virtual(second.started) - clock.virtual(first.finished) >= 3.0


def test_transient_faults_on_the_listing_are_retried(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    server.script(Fault.ok(), Fault.status(503), Fault.truncated(), Fault.maintenance_page())
    code, out, err = run(capsys, "discover", "--root", str(root))
    assert code == 0, err
    assert out.splitlines()[0].endswith("6 candidates.")
    assert [line.split(";")[0] for line in err.splitlines() if "retrying" in line] == [
        "litsync: arXiv: HTTP 503",
        "litsync: arXiv: the feed was cut short",
        "litsync: arXiv: HTTP 200 but not an RSS feed "
        "('<!DOCTYPE html> <html><head><title>arXiv is down for mainten')",
    ]
    assert [r.path for r in server.requests] == ["/api/query"] + ["/rss/cs.CV"] * 4


def test_unreachable_arxiv_exits_4_and_says_what_was_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ArxivServer([]) as server:
        closed = server.base_url
    monkeypatch.setenv("LITSYNC_API_URL", closed + "/api/query")
    monkeypatch.setenv("LITSYNC_RSS_URL", closed + "/rss/")
    monkeypatch.setenv("LITSYNC_DELAY", "0")
    root = curated_project(tmp_path)
    (root / CANDIDATES).parent.mkdir(exist_ok=True)
    (root / CANDIDATES).write_text("yesterday's candidates\n", encoding="utf-8")
    code, out, err = run(capsys, "discover", "--root", str(root))
    assert code == 4
    assert out == "Read 0 of 2 sources: 0 papers, 0 already listed, 0 rejected, 0 candidates.\n"
    assert err.splitlines()[-1] == (
        "Error: not read: search 1: arXiv could not be reached (connection failed); "
        "cs.CV listing: skipped: arXiv could not be reached; the review file was left as it was"
    )
    # With nothing read, the last review file is kept rather than emptied.
    assert (root / CANDIDATES).read_text(encoding="utf-8") == "yesterday's candidates\n"


def test_a_category_arxiv_does_not_know_exits_3_and_the_rest_is_read(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    code, out, err = run(capsys, "discover", "--root", str(root), "--feed", "cs.XY",
                         "--feed", "cs.CV")  # fmt: skip
    assert code == 3
    assert out.splitlines()[0] == (
        "Read 1 of 2 sources: 6 papers, 0 already listed, 1 rejected, 5 candidates."
    )
    assert err.splitlines()[-1] == "Error: not read: cs.XY listing: HTTP 404"
    assert [r.path for r in server.requests] == ["/rss/cs.XY", "/rss/cs.CV"]
    text = (root / CANDIDATES).read_text(encoding="utf-8")
    assert "\nNot read:\n\n- cs.XY listing: HTTP 404\n\n5 candidates, newest first" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--query", "abstract:gans"],
         "Error: --query 'abstract:gans': unknown field 'abstract:' in the query; arXiv's "
         "fields are ti, au, abs, co, jr, cat, rn, id, all, submittedDate, lastUpdatedDate\n"),
        (["--feed", "CS.CV"],
         "Error: --feed: 'CS.CV' is not an arXiv category like cs.CV, hep-th or astro-ph.CO\n"),
        (["--query", "ti:x", "--max-results", "0"],
         "Error: --max-results must be from 1 to 2000\n"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_ask_nothing(
    tmp_path: Path,
    server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    root = curated_project(tmp_path)
    assert run(capsys, "discover", "--root", str(root), *args)[::2] == (2, message)
    assert server.requests == []


def test_nothing_to_search(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, "discover", "--root", str(root))[::2] == (
        2,
        "Error: catalogue/ids.yaml: nothing to search: give --query or --feed, or save "
        "searches and feeds under settings.discover (see README)\n",
    )
    assert server.requests == []


def test_a_list_may_lay_out_its_own_review_file(
    tmp_path: Path, server: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = curated_project(tmp_path)
    (root / "templates" / "candidates.md.j2").write_text(
        "{% for paper in document.candidates %}{{ paper.title }}\n{% endfor %}", "utf-8"
    )
    assert run(capsys, "discover", "--root", str(root), "--feed", "cs.CV")[0] == 0
    # One day's listing: newest first is a tie, broken by id.
    assert (root / CANDIDATES).read_text(encoding="utf-8").splitlines()[:3] == [
        "SynthDrive: Procedurally Generated Driving Scenes for Robust Semantic Segmentation",
        "Closing the Sim-to-Real Gap in Pose Estimation with Diffusion-Based Texture Randomization",
        "When Is Synthetic Data Enough? Bounds for $\\epsilon$-Coverage \\<and\\> R\\&D Practice",
    ]


def test_recorded_listing_is_read_as_plain_text() -> None:
    items = parse_listing(LISTING)
    assert [(str(i.arxiv_id), i.announce_type) for i in items] == [
        ("2411.00115v1", "new"), ("2411.00231v1", "new"), ("2411.00387v1", "new"),
        ("2411.00402v1", "cross"), ("2411.00519v1", "cross"), ("2411.00698v1", "new"),
        ("2410.21901v2", "replace"), ("2407.13344v3", "replace-cross"),
    ]  # fmt: skip
    bounds = items[2]
    assert bounds.title == (
        "When Is Synthetic Data Enough? Bounds for $\\epsilon$-Coverage <and> R&D Practice"
    )
    # Read as HTML, "error<5% needs N>10^4" would lose "<5% needs N>" as a tag.
    assert bounds.abstract == (
        "We bound the error of a detector trained on synthetic data by the $\\epsilon$-coverage "
        "of the real distribution, and show that error<5% needs N>10^4 rendered scenes & a "
        "*matched* camera model. Code: https://example.org/cov_bounds [sic]."
    )
    assert bounds.authors == ("Grace Okafor", "Jan Kowalski")
    assert (bounds.day, bounds.categories) == ("2024-11-04", ("cs.CV", "stat.ML"))
    assert items[0].authors == ("Léa Moreau", "Jonas Øvergaard", "Priya Raman")
    assert len(items[5].authors) == 12


def test_listing_items_without_an_id_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    body = LISTING.replace(b"arXiv:2411.00231v1 Announce", b"Announce", 1)
    assert [str(i.arxiv_id) for i in parse_listing(body)][:2] == ["2411.00115v1", "2411.00387v1"]
    assert "ignoring a listing item without an arXiv id: 'Closing the Sim-to-Real Gap" in (
        caplog.text
    )


CATALOGUE = """\
settings:
  topics: [Vision]
{settings}papers:
  - id: 1701.01370
    usecase: Pose
    topics: [Vision]
{rejected}"""


def catalogue_error(settings: str = "", rejected: str = "") -> str:
    text = CATALOGUE.format(settings=settings, rejected=rejected)
    with pytest.raises(CatalogueError) as info:
        parse(text, Path("catalogue/ids.yaml"), TODAY)
    return str(info.value)


def test_saved_searches_and_rejections_load() -> None:
    text = CATALOGUE.format(
        settings="  discover:\n    searches:\n      - ti:robots\n      - query: abs:x\n"
        "        since: 2024-02-01\n        max_results: 7\n    feeds: [cs.CV+cs.RO, hep-th]\n"
        "    output: review/new.md\n",
        rejected="rejected:\n  - 2101.00001v2\n  - id: https://arxiv.org/abs/2101.00002\n"
        "    reason: off topic\n",
    )
    loaded = parse(text, Path("catalogue/ids.yaml"), TODAY)
    discover_settings = loaded.settings.discover
    assert [(s.query, s.since, s.max_results) for s in discover_settings.searches] == [
        ("ti:robots", None, 50), ("abs:x", date(2024, 2, 1), 7),
    ]  # fmt: skip
    assert discover_settings.feeds == ("cs.CV+cs.RO", "hep-th")
    assert discover_settings.output == "review/new.md"
    assert [(r.line, r.arxiv_id, r.reason) for r in loaded.rejected] == [
        (16, ArxivId("2101.00001", 2), ""), (17, ArxivId("2101.00002"), "off topic"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("settings", "rejected", "message"),
    [
        ("  discover:\n    search: []\n", "",
         "catalogue/ids.yaml:4: unknown key 'search' in settings.discover (did you mean "
         "'searches'?); allowed: searches, feeds, output"),
        ("  discover:\n    searches:\n      - query: abstract:x\n", "",
         "catalogue/ids.yaml:5: unknown field 'abstract:' in the query; arXiv's fields are ti, "
         "au, abs, co, jr, cat, rn, id, all, submittedDate, lastUpdatedDate"),
        ("  discover:\n    searches:\n      - since: 2024-01-01\n", "",
         "catalogue/ids.yaml:5: the search has no `query:`; add one"),
        ("  discover:\n    searches:\n      - query: ti:x\n        since: last week\n", "",
         "catalogue/ids.yaml:6: since must be a day like 2024-01-01, not 'last week'"),
        ("  discover:\n    searches:\n      - query: ti:x\n        max_results: 5000\n", "",
         "catalogue/ids.yaml:6: max_results must be a whole number from 1 to 2000"),
        ("  discover:\n    feeds: [cs.CV, computer vision]\n", "",
         "catalogue/ids.yaml:4: settings.discover.feeds: 'computer vision' is not an arXiv "
         "category like cs.CV, hep-th or astro-ph.CO"),
        ("", "rejected:\n  - 2101.00001\n  - arXiv:2101.00001v3\n",
         "catalogue/ids.yaml:9: 2101.00001 is already rejected at line 8"),
        ("", "rejected:\n  - https://arxiv.org/abs/1701.01370v2\n",
         "catalogue/ids.yaml:8: 1701.01370 is listed under `papers:` at line 4; remove it "
         "from one of the two lists"),
        ("", "rejected:\n  - 2113.00001\n",
         "catalogue/ids.yaml:8: '2113.00001': 13 is not a month (YYMM is 2113)"),
        ("", "rejected:\n  - id: 2101.00001\n    why: dull\n",
         "catalogue/ids.yaml:9: unknown key 'why' in a rejected paper; allowed: id, reason"),
        ("", "rejected: 2101.00001\n",
         "catalogue/ids.yaml:7: `rejected:` must be a list of arXiv ids, each starting with `- `"),
    ],
)  # fmt: skip
def test_curation_mistakes_point_at_their_line(settings: str, rejected: str, message: str) -> None:
    assert catalogue_error(settings, rejected) == message


def test_a_search_result_that_is_not_whole_is_skipped_not_fatal(
    tmp_path: Path,
    server: ArxivServer,
    discover_papers: list[Paper],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = curated_project(tmp_path)
    assert run(capsys, "discover", "--root", str(root))[0] == 0
    broken = next(i for i in candidate_ids(root) if i in server.corpus)
    server.corpus[broken].versions[-1] = "not-a-date"
    code, out, err = run(capsys, "discover", "--root", str(root))
    assert code == 0, err
    assert f"ignoring an incomplete result: {broken}" in err
    assert out.startswith("Read 2 of 2 sources: ")
