"""The fake arXiv server behaves like the real query API (checked with plain urllib)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.message import Message
from http.client import IncompleteRead
from urllib.parse import urlencode

import arxiv
import pytest
from arxiv_server import ID_RE, ArxivServer, Fault, Paper, generate_papers, render_feed

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
SEED_IDS = [
    "1812.07252", "1612.07828", "1703.06907", "1905.09727", "1810.10093", "1703.00868",
    "1701.01370", "1910.13676", "1910.03997", "1909.11512", "1810.10286", "2104.11776",
]  # fmt: skip


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def get(server: ArxivServer, timeout: float = 5.0, **params: str | int) -> Reply:
    return fetch(server.url + "?" + urlencode({k: str(v) for k, v in params.items()}), timeout)


def fetch(url: str, timeout: float = 5.0) -> Reply:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, err.headers, err.read())


def feed(reply: Reply) -> ET.Element:
    return ET.fromstring(reply.body)


def entry_ids(root: ET.Element) -> list[str]:
    return [
        e.findtext("atom:id", "", NS).rsplit("/", 1)[-1] for e in root.findall("atom:entry", NS)
    ]


def total(root: ET.Element) -> int:
    return int(root.findtext("opensearch:totalResults", "", NS))


def test_unversioned_id_is_latest_and_pinned_version_is_that_version(
    arxiv_server: ArxivServer,
) -> None:
    response = get(arxiv_server, id_list="1812.07252")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=UTF-8"
    body = response.body
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=")
    (entry,) = ET.fromstring(body).findall("atom:entry", NS)
    assert entry.findtext("atom:id", None, NS) == "http://arxiv.org/abs/1812.07252v3"
    assert entry.findtext("atom:updated", None, NS) == "2019-07-21T11:18:03Z"
    assert entry.findtext("atom:published", None, NS) == "2018-12-18T09:11:02Z"

    root = feed(get(arxiv_server, id_list="1812.07252v1,1812.07252v2,1812.07252v9"))
    by_id = {e.findtext("atom:id", "", NS): e for e in root.findall("atom:entry", NS)}
    assert set(by_id) == {"http://arxiv.org/abs/1812.07252v1", "http://arxiv.org/abs/1812.07252v2"}
    v1 = by_id["http://arxiv.org/abs/1812.07252v1"]
    assert v1.findtext("atom:updated", None, NS) == "2018-12-18T09:11:02Z"
    v2_updated = by_id["http://arxiv.org/abs/1812.07252v2"].findtext("atom:updated", "", NS)
    assert "2018-12-18T09:11:02Z" < v2_updated < "2019-07-21T11:18:03Z"
    assert total(root) == 2


def test_unknown_ids_are_absent_and_duplicates_collapse(arxiv_server: ArxivServer) -> None:
    root = feed(get(arxiv_server, id_list="9912.99999,1703.06907,1703.06907,hep-th/9901001"))
    assert entry_ids(root) == ["1703.06907v1"]
    assert total(root) == 1


def test_malformed_id_fails_the_whole_request(arxiv_server: ArxivServer) -> None:
    response = get(arxiv_server, id_list="1812.07252,not-an-id")
    assert response.status == 400
    root = feed(response)
    assert total(root) == 1
    (entry,) = root.findall("atom:entry", NS)
    assert entry.findtext("atom:title", None, NS) == "Error"
    assert entry.findtext("atom:summary", None, NS) == "incorrect id format for not-an-id"
    assert entry.findtext("atom:id", None, NS) == (
        "http://arxiv.org/api/errors#incorrect_id_format_for_not-an-id"
    )


def test_id_grammar() -> None:
    good = ["0704.0001", "2104.11776v12", "hep-th/9901001", "math.GT/0309136v2", "cond-mat/0112345"]
    bad = ["181.07252", "1812.072521", "HEP-TH/9901001", "hep-th/990100", "1812.07252v", "x"]
    assert all(ID_RE.fullmatch(i) for i in good)
    assert not any(ID_RE.fullmatch(i) for i in bad)


def test_default_page_is_ten_and_pages_partition_the_results(arxiv_server: ArxivServer) -> None:
    first = feed(get(arxiv_server, id_list=",".join(SEED_IDS)))
    assert len(entry_ids(first)) == 10
    assert total(first) == 12
    assert first.findtext("opensearch:itemsPerPage", None, NS) == "10"
    rest = feed(get(arxiv_server, id_list=",".join(SEED_IDS), start=10))
    assert rest.findtext("opensearch:startIndex", None, NS) == "10"
    ids = entry_ids(first) + entry_ids(rest)
    assert sorted(i.split("v")[0] for i in ids) == sorted(SEED_IDS)


def test_results_are_not_in_request_order_but_stable(arxiv_server: ArxivServer) -> None:
    def ids() -> list[str]:
        root = feed(get(arxiv_server, id_list=",".join(SEED_IDS), max_results=50))
        return [i.split("v")[0] for i in entry_ids(root)]

    first = ids()
    assert sorted(first) == sorted(SEED_IDS)
    assert first != SEED_IDS
    assert ids() == first


def test_long_url_is_refused_with_414(arxiv_server: ArxivServer) -> None:
    ids = ",".join(f"2101.{n:05d}" for n in range(600))
    response = get(arxiv_server, id_list=ids)
    assert response.status == 414
    assert b"414" in response.body
    assert arxiv_server.requests[-1].url_length > 6000
    assert get(arxiv_server, id_list=ids[: 11 * 400 - 1]).status == 200


def test_other_paths_are_404(arxiv_server: ArxivServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(arxiv_server.base_url + "/api/other", timeout=5)
    with err.value:
        assert err.value.code == 404


def test_served_files_answer_their_path_and_take_faults(arxiv_server: ArxivServer) -> None:
    arxiv_server.serve("/rss/cs.CV", b"<rss>listing</rss>")
    arxiv_server.script(Fault.status(503), Fault.truncated())
    listing = arxiv_server.base_url + "/rss/cs.CV"
    assert fetch(listing).status == 503
    assert fetch(listing).body == b"<rss>list"
    reply = fetch(listing)
    assert (reply.status, reply.body) == (200, b"<rss>listing</rss>")
    assert reply.headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
    assert fetch(arxiv_server.base_url + "/rss/cs.RO").status == 404
    # The API itself is unchanged.
    assert total(feed(get(arxiv_server, id_list="1812.07252"))) == 1


def test_search_query(arxiv_server: ArxivServer) -> None:
    root = feed(get(arxiv_server, search_query='ti:"sim-to-real" AND cat:cs.RO'))
    assert [i.split("v")[0] for i in entry_ids(root)] == ["1812.07252"]

    root = feed(get(arxiv_server, search_query="au:levine OR au:varol", max_results=50))
    assert "1701.01370v3" in entry_ids(root)
    assert "1812.07252v3" in entry_ids(root)

    root = feed(
        get(
            arxiv_server,
            search_query="cat:cs.CV AND submittedDate:[201901010000 TO 201912312359]",
            sortBy="submittedDate",
            sortOrder="ascending",
        )
    )
    published = [e.findtext("atom:published", "", NS) for e in root.findall("atom:entry", NS)]
    assert published == sorted(published)
    assert published and all(p.startswith("2019") for p in published)

    # With an id_list, the query filters it.
    root = feed(get(arxiv_server, id_list="1812.07252,2104.11776", search_query="ti:grasping"))
    assert [i.split("v")[0] for i in entry_ids(root)] == ["1812.07252"]


def test_status_faults_then_normal_answers(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(Fault.status(503, retry_after=2), Fault.rate_exceeded())
    first = get(arxiv_server, id_list="1703.06907")
    assert (first.status, first.headers["Retry-After"]) == (503, "2")
    second = get(arxiv_server, id_list="1703.06907")
    assert (second.status, second.headers["Retry-After"], second.body) == (
        429,
        None,
        b"Rate exceeded.",
    )
    assert get(arxiv_server, id_list="1703.06907").status == 200
    assert [r.status for r in arxiv_server.requests] == [503, 429, 200]


def test_reset_and_hang(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(Fault.reset(), Fault.hang(30))
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        get(arxiv_server, id_list="1703.06907")
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        get(arxiv_server, timeout=0.2, id_list="1703.06907")
    assert time.monotonic() - started < 1
    assert get(arxiv_server, id_list="1703.06907").status == 200
    assert [r.status for r in arxiv_server.requests] == [None, None, 200]
    # The timed-out request still stalls server-side, but the client had hung up.
    assert arxiv_server.max_concurrent == 1


def test_hang_does_not_delay_shutdown(seed_papers: list[Paper]) -> None:
    errors: list[Exception] = []

    def client() -> None:
        try:
            get(server, id_list="1703.06907")
        except Exception as exc:
            errors.append(exc)

    with ArxivServer(seed_papers) as server:
        server.script(Fault.hang(30, headers_only=True))
        thread = threading.Thread(target=client)
        thread.start()
        while not server.requests:
            time.sleep(0.01)
        started = time.monotonic()
    assert time.monotonic() - started < 1
    thread.join(5)
    # Headers promised a body that never came.
    assert [type(e) for e in errors] == [IncompleteRead]


def test_truncated_empty_and_dropped(arxiv_server: ArxivServer) -> None:
    ids = "1812.07252,1612.07828,1703.06907"
    arxiv_server.script(Fault.truncated(), Fault.empty_page(), Fault.drop_ids("1612.07828v2"))

    response = get(arxiv_server, id_list=ids)
    body = response.body
    assert response.status == 200
    assert int(response.headers["Content-Length"]) == len(body)
    assert body.count(b"<entry>") == 3
    assert body.count(b"</entry>") == 2
    with pytest.raises(ET.ParseError):
        ET.fromstring(body)

    empty = feed(get(arxiv_server, id_list=ids))
    assert (entry_ids(empty), total(empty)) == ([], 3)

    dropped = feed(get(arxiv_server, id_list=ids))
    assert sorted(entry_ids(dropped)) == ["1703.06907v1", "1812.07252v3"]
    assert len(entry_ids(feed(get(arxiv_server, id_list=ids)))) == 3


def test_non_feed_and_entity_bodies(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(
        Fault.maintenance_page(),
        Fault.plain_text(),
        Fault.billion_laughs(),
        Fault.external_entity(),
    )
    page = get(arxiv_server, id_list="1703.06907")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert b"maintenance" in page.body
    assert get(arxiv_server, id_list="1703.06907").body == b"Rate exceeded."
    laughs = get(arxiv_server, id_list="1703.06907").body
    assert b'<!ENTITY lol9 "&lol8;&lol8;' in laughs
    assert b"<title>&lol9;</title>" in laughs
    xxe = get(arxiv_server, id_list="1703.06907").body
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in xxe
    assert b"<title>&xxe;</title>" in xxe


def test_corpus_is_mutable_between_requests(arxiv_server: ArxivServer) -> None:
    paper = arxiv_server.corpus["1703.06907"]
    paper.add_version("2017-05-01T00:00:00Z")
    paper.title = "Renamed & <better>"
    del arxiv_server.corpus["1812.07252"]
    root = feed(get(arxiv_server, id_list="1703.06907,1812.07252"))
    (entry,) = root.findall("atom:entry", NS)
    assert entry.findtext("atom:id", None, NS) == "http://arxiv.org/abs/1703.06907v2"
    assert entry.findtext("atom:title", None, NS) == "Renamed & <better>"


def test_recording_and_concurrency(arxiv_server: ArxivServer) -> None:
    arxiv_server.script(Fault.slow(0.3))
    threads = [
        threading.Thread(target=lambda: get(arxiv_server, id_list="1703.06907").body)
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert arxiv_server.max_concurrent == 2
    assert {r.status for r in arxiv_server.requests} == {200}
    record = arxiv_server.requests[0]
    assert record.ids == ["1703.06907"]
    assert record.params["id_list"] == "1703.06907"
    assert record.finished is not None
    assert record.finished >= record.started


def test_arxiv_library_parses_the_responses(arxiv_server: ArxivServer) -> None:
    client = arxiv.Client(delay_seconds=0, num_retries=0)
    client.query_url_format = arxiv_server.url + "?{}"
    results = list(
        client.results(arxiv.Search(id_list=[*SEED_IDS, "1812.07252v1"], max_results=20))
    )
    by_id = {r.get_short_id(): r for r in results}
    assert set(by_id) == {
        f"{p.base_id}v{p.latest_version}" for p in arxiv_server.corpus.values()
    } | {"1812.07252v1"}
    r = by_id["1701.01370v3"]
    assert r.title == "Learning from Synthetic Humans"
    assert (r.doi, r.journal_ref, r.primary_category) == (
        "10.1109/CVPR.2017.492",
        "CVPR 2017",
        "cs.CV",
    )
    assert r.authors[0].name == "Gül Varol"
    assert by_id["1812.07252v1"].updated == by_id["1812.07252v1"].published

    # Pagination across shuffled pages still yields every paper exactly once.
    client.page_size = 5
    paged = list(client.results(arxiv.Search(id_list=SEED_IDS, max_results=20)))
    assert sorted(r.get_short_id().split("v")[0] for r in paged) == sorted(SEED_IDS)
    assert [r.params["start"] for r in arxiv_server.requests[-3:]] == ["0", "5", "10"]


def test_synthetic_corpus_is_deterministic_unique_and_renders() -> None:
    started = time.monotonic()
    papers = generate_papers(10_000, seed=1)
    assert time.monotonic() - started < 2
    assert len({p.base_id for p in papers}) == 10_000
    assert all(ID_RE.fullmatch(p.base_id) for p in papers)
    assert any("/" in p.base_id for p in papers)
    assert any(len(p.base_id) == 9 for p in papers)
    assert all(1 <= p.latest_version <= 4 and p.versions[0] == p.published for p in papers)
    assert [p.base_id for p in generate_papers(50, seed=1)] == [p.base_id for p in papers[:50]]
    root = ET.fromstring(render_feed(papers[:100]))
    assert len(root.findall("atom:entry", NS)) == 100
