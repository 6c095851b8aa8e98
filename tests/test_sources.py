"""Every catalogue entry reaches the document and the exports as a Paper, through the
source that claims it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
ENTRY = Entry(3, "Grasping", ("Robotics",), ArxivId("1812.07252"))


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
        version_day="2019-03-28",
        withdrawn=False,
        missing=False,
        published="2018-12-18T18:59:59Z",
        day="2019-03-28T17:59:59Z",
        doi="10.1109/CVPR.2019.01291",
        journal_ref="CVPR 2019",
        primary_category="cs.RO",
        categories=("cs.RO", "cs.CV"),
        comment=None,
        venue="CVPR 2019",
        links=(("DOI", "https://doi.org/10.1109/CVPR.2019.01291"),),
    )


@pytest.mark.parametrize(
    ("comment", "venue"),
    [
        ("Accepted at CVPR 2024 (oral)", "CVPR 2024 (oral)"),
        ("12 pages. To appear in the Proceedings of ICML 2021.", "Proceedings of ICML 2021"),
        ("independently peer reviewed and presented at the IEEE ITSC 2019", "IEEE ITSC 2019"),
        ("8 pages, 7 figures. Submitted to IROS 2017", None),
        ("156 pages, 24 figures", None),
    ],
)
def test_a_venue_is_what_the_comment_says_the_paper_was_published_at(
    comment: str, venue: str | None
) -> None:
    paper = paper_of(ENTRY, Settings(), Cache(Path("c"), {RECORD.id: RECORD._replace(
        journal_ref=None, comment=comment)}))  # fmt: skip
    assert paper is not None and paper.venue == venue


def test_the_pages_an_abstract_names_are_its_links() -> None:
    abstract = (
        "We release code at https://github.com/o/sim2real. See also https://example.org/a, "
        "and our models (https://huggingface.co/o/m). Project page: https://o.github.io/x."
    )
    record = RECORD._replace(abstract=abstract, doi="10.48550/arXiv.1812.07252")
    paper = paper_of(ENTRY, Settings(), Cache(Path("c"), {RECORD.id: record}))
    assert paper is not None and paper.doi is None  # arXiv's own DOI names the preprint
    assert paper.links == (
        ("Code", "https://github.com/o/sim2real"),
        ("Hugging Face", "https://huggingface.co/o/m"),
        ("Project page", "https://o.github.io/x"),
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
