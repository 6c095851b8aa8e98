"""The harvester against a real local HTTP server that behaves like arXiv's API."""

from __future__ import annotations

import math

import pytest
from arxiv_server import ArxivServer, Fault, Paper, generate_papers
from clock import FakeClock

from litsync.sources.arxiv_api import HarvestConfig, Harvester
from litsync.sources.arxiv_ids import ArxivId, parse

SEED = [
    "1812.07252", "1612.07828", "1703.06907", "1905.09727", "1810.10093", "1703.00868",
    "1701.01370", "1910.13676", "1910.03997", "1909.11512", "1810.10286", "2104.11776",
]  # fmt: skip


def harvester(server: ArxivServer, clock: FakeClock, **options: object) -> Harvester:
    config = HarvestConfig(api_url=server.url, **options)  # type: ignore[arg-type]
    return Harvester(config, clock)


def ids(*texts: str) -> list[ArxivId]:
    return [parse(t) for t in texts]


def test_seed_papers_resolve_in_one_request_matched_by_id(arxiv_server: ArxivServer) -> None:
    result = harvester(arxiv_server, FakeClock()).harvest(ids(*SEED))
    assert len(arxiv_server.requests) == 1
    assert result.requests == 1
    assert sorted(result.records) == sorted(SEED)
    assert result.not_found == [] and result.failure is None
    # The server answers in its own order; each record must carry its own paper's data.
    for key, record in result.records.items():
        paper = arxiv_server.corpus[key]
        assert record.title == " ".join(paper.title.split())
        assert record.version == paper.latest_version
        assert record.updated == paper.updated
        assert record.published == paper.published
        assert record.authors == paper.authors
    grasp = result.records["1812.07252"]
    assert grasp.versioned_id == "1812.07252v3"
    assert "Randomized-to-Canonical" in grasp.abstract
    assert "\n" not in result.records["1612.07828"].abstract  # the API's wrapping is undone
    assert result.records["1905.09727"].doi == "10.1109/TRO.2019.2942989"
    assert result.records["1701.01370"].journal_ref == "CVPR 2017"


def test_pinned_version_is_fetched_as_pinned(arxiv_server: ArxivServer) -> None:
    result = harvester(arxiv_server, FakeClock()).harvest(ids("1812.07252v1", "arXiv:1612.07828"))
    assert result.records["1812.07252"].version == 1
    assert result.records["1812.07252"].requested == "1812.07252v1"
    assert result.records["1812.07252"].updated == arxiv_server.corpus["1812.07252"].published
    assert result.records["1612.07828"].version == 2


@pytest.mark.parametrize("count", [350, 700])
def test_hundreds_of_papers_take_the_fewest_requests(count: int) -> None:
    papers = generate_papers(count, seed=count)
    wanted = [parse(p.base_id) for p in papers]
    with ArxivServer(papers) as server:
        worker = harvester(server, FakeClock())
        batches = worker.batches(wanted)
        result = worker.harvest(wanted)
        lengths = [r.url_length for r in server.requests]
    largest = max(len(b) for b in batches)
    assert len(server.requests) == len(batches) == math.ceil(count / largest)
    assert max(lengths) <= 4000  # well under the service's 414 limit
    assert sorted(result.records) == sorted(p.base_id for p in papers)
    assert server.max_concurrent == 1
    # No batch was cut short by the service's default of 10 results.
    assert all(int(r.params["max_results"]) >= len(r.ids) for r in server.requests)


def test_requests_are_spaced_by_the_delay_even_on_retries() -> None:
    papers = generate_papers(700, seed=1)
    clock = FakeClock()
    with ArxivServer(papers) as server:
        server.script(Fault.ok(), Fault.status(503), Fault.rate_exceeded())
        harvester(server, clock, delay=3.0).harvest([parse(p.base_id) for p in papers])
        starts = [clock.virtual(r.started) for r in server.requests]
        ends = [clock.virtual(r.finished) for r in server.requests if r.finished]
    assert len(starts) == 5  # 3 batches + 2 retries
    gaps = [start - end for end, start in zip(ends, starts[1:], strict=False)]
    assert min(gaps) >= 3.0 - 0.05


def test_missing_on_first_try_is_asked_again_alone(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(Fault.drop_ids("1812.07252", "1703.06907"))
    result = harvester(arxiv_server, FakeClock()).harvest(ids(*SEED))
    assert sorted(result.records) == sorted(SEED)
    assert result.not_found == []
    assert len(arxiv_server.requests) == 2
    assert sorted(arxiv_server.requests[1].ids) == ["1703.06907", "1812.07252"]


def test_unknown_id_is_reported_after_asking_twice(arxiv_server: ArxivServer) -> None:
    result = harvester(arxiv_server, FakeClock()).harvest(ids("1812.07252", "2001.99999"))
    assert result.not_found == [ArxivId("2001.99999")]
    assert list(result.records) == ["1812.07252"]
    assert [r.ids for r in arxiv_server.requests][1] == ["2001.99999"]


def test_http_400_isolates_the_offending_id(arxiv_server: ArxivServer) -> None:
    four = ids("1812.07252", "1612.07828", "1703.06907", "1905.09727")
    # The service rejects whatever holds 1905.09727: the batch, its half, then it alone.
    arxiv_server.script(Fault.status(400), Fault.ok(), Fault.status(400), Fault.ok(),
                        Fault.status(400))  # fmt: skip
    result = harvester(arxiv_server, FakeClock()).harvest(four)
    assert [r.ids for r in arxiv_server.requests] == [
        [str(i) for i in four], [str(i) for i in four[:2]], [str(i) for i in four[2:]],
        ["1703.06907"], ["1905.09727"],
    ]  # fmt: skip
    assert sorted(result.records) == ["1612.07828", "1703.06907", "1812.07252"]
    assert list(result.rejected) == [ArxivId("1905.09727")]
    assert result.failure is None


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(503),
        Fault.status(500),
        Fault.rate_exceeded(),
        Fault.reset(),
        Fault.maintenance_page(),
        Fault.plain_text("Rate exceeded."),
        Fault.truncated(),
        Fault.hang(5.0),
        Fault.hang(5.0, headers_only=True),
    ],
    ids=lambda f: f.kind if hasattr(f, "kind") else str(f),
)
def test_transient_faults_are_retried(arxiv_server: ArxivServer, fault: Fault) -> None:
    arxiv_server.script(fault, fault)
    clock = FakeClock()
    result = harvester(arxiv_server, clock, timeout=0.5, delay=3.0).harvest(ids(*SEED))
    assert sorted(result.records) == sorted(SEED)
    assert len(arxiv_server.requests) == 3
    assert len([s for s in clock.sleeps if s >= 3.0 - 0.5]) >= 2  # backoff waited each time


def test_retry_after_is_honoured(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(Fault.status(503, retry_after=42))
    clock = FakeClock()
    harvester(arxiv_server, clock, delay=1.0).harvest(ids(*SEED))
    assert max(clock.sleeps) >= 42


def test_backoff_grows_exponentially(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(*[Fault.status(503)] * 4)
    clock = FakeClock()
    result = harvester(arxiv_server, clock, delay=3.0).harvest(ids(*SEED))
    assert len(result.records) == 12
    assert len(clock.sleeps) == 4
    # delay * 2^n, plus up to `delay` of jitter
    for n, slept in enumerate(clock.sleeps):
        assert 3.0 * 2**n <= slept <= 3.0 * 2**n + 3.0


def test_service_down_ends_with_a_failure_and_every_id_unreached(
    arxiv_server: ArxivServer,
) -> None:
    arxiv_server.script(*[Fault.status(503)] * 5)
    result = harvester(arxiv_server, FakeClock(), attempts=5).harvest(ids(*SEED))
    assert result.records == {}
    assert result.failure == "arXiv API: HTTP 503"
    assert sorted(str(i) for i in result.unreached) == sorted(SEED)
    assert len(arxiv_server.requests) == 5


def test_unreachable_endpoint() -> None:
    with ArxivServer([]) as server:
        url = server.url
    result = Harvester(HarvestConfig(api_url=url, delay=0), FakeClock()).harvest(ids("1812.07252"))
    assert result.failure == "arXiv could not be reached (connection failed)"
    assert result.unreached == ids("1812.07252")


@pytest.mark.parametrize("fault", [Fault.billion_laughs(), Fault.external_entity()])
def test_entity_declarations_are_refused(arxiv_server: ArxivServer, fault: Fault) -> None:
    arxiv_server.script(fault)
    result = harvester(arxiv_server, FakeClock()).harvest(ids(*SEED))
    assert result.records == {}
    assert result.failure is not None and "DTD or entities" in result.failure
    assert len(arxiv_server.requests) == 1


def test_papers_returned_but_not_asked_for_are_ignored(seed_papers: list[Paper]) -> None:
    with ArxivServer(seed_papers) as server:
        result = harvester(server, FakeClock()).harvest(ids("1812.07252"))
    assert list(result.records) == ["1812.07252"]
