"""Every catalogue entry reaches the document and the exports as a Paper, through the
source that claims it."""

from __future__ import annotations

import re
from pathlib import Path

from litsync.catalogue.model import Entry, Overrides, Settings
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.paper import Paper
from litsync.sources.record import Record
from litsync.sources.registry import paper_of
from litsync.store.cache import Cache

ROOT = Path(__file__).resolve().parent.parent
RECORD = Record(
    id="1812.07252",
    version=3,
    requested="1812.07252",
    title="Sim-to-Real via Sim-to-Sim",
    authors=["Stephen James", "Paul Wohlhart"],
    abstract="Real world data is expensive.",
    published="2018-12-18T18:59:59Z",
    updated="2019-03-28T17:59:59Z",
    primary_category="cs.RO",
    categories=["cs.RO", "cs.CV"],
    doi="10.1109/CVPR.2019.01291",
    journal_ref="CVPR 2019",
)
CACHE = Cache(Path("cache.json"), {RECORD.id: RECORD})


def test_an_arxiv_entry_is_its_cached_record_with_the_overrides_applied() -> None:
    entry = Entry(
        3, "Grasping", ("Robotics",), ArxivId("1812.07252", 1), None, Overrides(year=2018)
    )
    paper = paper_of(entry, Settings(year_from="updated"), CACHE)
    assert paper == Paper(
        title="Sim-to-Real via Sim-to-Sim",
        authors=("Stephen James", "Paul Wohlhart"),
        year=2018,
        abstract="Real world data is expensive.",
        url="https://arxiv.org/abs/1812.07252v1",
        arxiv_id="1812.07252v1",
        version=3,
        withdrawn=False,
        missing=False,
        published="2018-12-18T18:59:59Z",
        day="2019-03-28T17:59:59Z",
        doi="10.1109/CVPR.2019.01291",
        journal_ref="CVPR 2019",
        primary_category="cs.RO",
    )


def test_an_arxiv_entry_not_fetched_yet_has_no_paper() -> None:
    entry = Entry(3, "Grasping", ("Robotics",), ArxivId("2101.00001"))
    assert paper_of(entry, Settings(), CACHE) is None


def test_a_manual_entry_is_its_own_fields_with_a_url_safe_in_a_link() -> None:
    over = Overrides(title="The SYNTHIA Dataset", year=2016, authors=("G. Ros",))
    entry = Entry(9, "Driving", ("Vehicles",), None, "https://example.org/a paper (cvpr)", over)
    paper = paper_of(entry, Settings(), CACHE)
    assert paper is not None
    assert (paper.title, paper.year, paper.authors, paper.abstract) == (
        "The SYNTHIA Dataset",
        2016,
        ("G. Ros",),
        "",
    )
    assert paper.url == "https://example.org/a%20paper%20%28cvpr%29"
    assert (paper.arxiv_id, paper.published, paper.day, paper.doi) == (None, None, None, None)


def test_every_field_of_a_paper_is_documented_for_templates() -> None:
    documented = set(
        re.findall(r"^\| `(\w+)` \|", (ROOT / "docs" / "templates.md").read_text(), re.M)
    )
    assert set(Paper._fields) <= documented
