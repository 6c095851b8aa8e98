"""Reading hand-kept Markdown lists: every supported style, and what cannot be placed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from litsync.commands.markdown_list import ListedPaper, Note, github_slug, parse, read
from litsync.errors import ListFileError
from litsync.sources.arxiv_ids import ArxivId

TODAY = date(2026, 11, 25)
SEED = Path(__file__).parent / "data" / "synthetic-data-literature.md"


def summary(papers: tuple[ListedPaper, ...]) -> list[tuple[object, ...]]:
    return [
        (p.line, str(p.arxiv_id) if p.arxiv_id else None, p.title, p.usecase, p.topics, p.year)
        for p in papers
    ]


def test_the_seed_list() -> None:
    document = read(SEED, TODAY)
    assert document.title == "Synthetic Data Literature"
    assert document.introduction == (
        "Many papers have been written about synthetic data over the years. If academic "
        "papers aren't your jam, we [publish articles](https://www.zumolabs.ai/blog) to "
        "explain synthetic data as simply as we can. Below are some key papers "
        "**organized by ...**"
    )
    assert document.index_note == (
        "**TIP** The abstracts are also included with the paper links, so a good way to use "
        "this document is to `ctrl-F` the key words relevant to your usecase."
    )
    assert document.topics == (
        "Robotics", "Autonomous Vehicles", "Humans", "Climate", "ML Theory", "Overview",
        "Frameworks",
    )  # fmt: skip
    rows = [(line, arxiv_id, usecase, topics, year) for line, arxiv_id, _, usecase, topics, year
            in summary(document.papers)]  # fmt: skip
    assert rows == [
        (29, "1812.07252", "Robotic Grasping", ["Robotics"], 2019),
        (39, "1612.07828", "Human Gaze Estimation", ["Humans"], 2017),
        (49, "1703.06907", "Robotic Grasping", ["Robotics"], 2017),
        (59, "1905.09727", "Drone Racing", ["Robotics"], 2019),
        (68, "1810.10093", "Autonomous Vehicles", ["Autonomous Vehicles"], 2020),
        (78, "1703.00868", "ML Theory", ["ML Theory"], 2017),
        (88, "1701.01370", "Human Pose Detection", ["Humans"], 2018),
        (98, "1910.13676", "Autonomous Vehicles", ["Autonomous Vehicles"], 2019),
        (108, "1910.03997", "Autonomous Vehicles", ["Autonomous Vehicles"], 2020),
        (118, "1909.11512", "Overview", ["Overview"], 2019),
        (128, "1810.10286v2", "Cloud Detection", ["Climate"], 2020),
        (138, "2104.11776v1", "Framework", ["Frameworks"], 2021),
        (148, None, "Autonomous Vehicles", ["Autonomous Vehicles"], 2016),
    ]
    synthia = document.papers[-1]
    assert synthia.title.startswith("The SYNTHIA Dataset: A Large Collection")
    assert synthia.link == "arxivlink"
    assert synthia.abstract.startswith("Vision-based semantic segmentation in urban scenarios")
    assert synthia.abstract.endswith("performance on the semantic segmentation task.")
    assert document.papers[0].title == (
        "Sim-to-Real via Sim-to-Sim: Data-efficient Robotic Grasping via "
        "Randomized-to-Canonical Adaptation Networks"
    )
    assert document.notes == tuple(
        Note(line, "empty template section; skipped") for line in (158, 168, 178, 188, 198, 208)
    )


def test_bullets_under_headings_become_topics() -> None:
    document = parse(
        "# Awesome Sim2Real [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n"
        "\n"
        "A curated list.\n"
        "\n"
        "## Contents\n"
        "- [Robotics](#robotics)\n"
        "\n"
        "## Robotics\n"
        "\n"
        "- [Sim-to-Real via Sim-to-Sim](https://arxiv.org/abs/1812.07252) - grasping.\n"
        "- **Deep Drone Racing** [[pdf]](http://arxiv.org/pdf/1905.09727.pdf) "
        "[[code]](https://github.com/uzh-rpg/sim2real_drone_racing)\n"
        "* Domain Randomization for Transferring Deep Neural Networks. arXiv:1703.06907\n"
        "\n"
        "### Humans\n"
        "1. [Learning from Synthetic Humans](https://arxiv.org/abs/1701.01370v3)\n"
        "2. [A dataset](https://github.com/foo/bar)\n",
        TODAY,
    )
    assert document.title == "Awesome Sim2Real"
    assert document.introduction == "A curated list."
    assert document.topics == ("Robotics", "Humans")
    assert summary(document.papers) == [
        (10, "1812.07252", "Sim-to-Real via Sim-to-Sim", "Robotics", ["Robotics"], None),
        (11, "1905.09727", "Deep Drone Racing", "Robotics", ["Robotics"], None),
        (12, "1703.06907", "Domain Randomization for Transferring Deep Neural Networks",
         "Robotics", ["Robotics"], None),
        (15, "1701.01370v3", "Learning from Synthetic Humans", "Humans", ["Humans"], None),
    ]  # fmt: skip
    assert document.notes == (Note(16, 'no arXiv link in "A dataset"; skipped'),)


def test_tables_with_arxiv_links_and_a_year_column() -> None:
    document = parse(
        "## Vision\n"
        "\n"
        "| Paper | Link | Year | Use case |\n"
        "| --- | --- | :-: | --- |\n"
        "| Learning from Synthetic Humans | [arXiv](https://arxiv.org/html/1701.01370v2) "
        "| 2018 | Pose |\n"
        "| Synthetic Data for Deep Learning | https://export.arxiv.org/abs/1909.11512 "
        "| 2019 | Survey |\n"
        "| A typo | arXiv:1913.00001 | 2019 | x |\n"
        "| No preprint | [CVPR](https://openaccess.thecvf.com/x.html) | 2016 | x |\n",
        TODAY,
    )
    assert summary(document.papers) == [
        (5, "1701.01370v2", "Learning from Synthetic Humans", "Pose", ["Vision"], 2018),
        (6, "1909.11512", "Synthetic Data for Deep Learning", "Survey", ["Vision"], 2019),
    ]
    assert document.notes == (
        Note(7, "'arXiv:1913.00001': 13 is not a month (YYMM is 1913); skipped"),
        Note(8, 'no arXiv link in "No preprint | CVPR | 2016 | x"; skipped'),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arXiv:1812.07252", "1812.07252"),
        ("arxiv: 1812.07252v3", "1812.07252v3"),
        ("`arXiv:2104.11776`", "2104.11776"),
        ("https://arxiv.org/abs/1812.07252", "1812.07252"),
        ("http://arxiv.org/abs/1812.07252v2.", "1812.07252v2"),
        ("<https://arxiv.org/pdf/1810.10286v2.pdf>", "1810.10286v2"),
        ("https://arxiv.org/pdf/1810.10286", "1810.10286"),
        ("https://www.arxiv.org/html/2104.11776v1", "2104.11776v1"),
        ("https://export.arxiv.org/abs/1909.11512?context=cs", "1909.11512"),
        ("arxiv.org/abs/1909.11512", "1909.11512"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136v1", "math/0309136v1"),
        ('<a href="https://arxiv.org/abs/1703.06907">DR</a>', "1703.06907"),
    ],
)
def test_bare_ids_and_urls_in_any_form(text: str, expected: str) -> None:
    document = parse(f"# List\n\n## Papers\n\nSee {text} for details.\n", TODAY)
    assert [str(p.arxiv_id) for p in document.papers] == [expected]
    assert document.papers[0].line == 5
    assert document.notes == ()


def test_html_blocks_and_line_numbers_inside_paragraphs() -> None:
    document = parse(
        "## Mixed\n"
        "\n"
        "First paper arXiv:1812.07252,\n"
        "second paper arXiv:1703.06907.\n"
        "\n"
        "<table>\n"
        '<tr><td><a href="https://arxiv.org/abs/1909.11512">Survey</a></td></tr>\n'
        "</table>\n",
        TODAY,
    )
    assert [(p.line, str(p.arxiv_id), p.topics) for p in document.papers] == [
        (3, "1812.07252", ["Mixed"]),
        (4, "1703.06907", ["Mixed"]),
        (7, "1909.11512", ["Mixed"]),
    ]


def test_a_paper_listed_twice_gets_both_topics() -> None:
    document = parse(
        "## Robotics\n"
        "- [RCAN](https://arxiv.org/abs/1812.07252)\n"
        "## Vision\n"
        "- [RCAN, again](https://arxiv.org/pdf/1812.07252v3.pdf)\n",
        TODAY,
    )
    assert summary(document.papers) == [
        (2, "1812.07252", "RCAN", "Robotics", ["Robotics", "Vision"], None)
    ]
    assert document.topics == ("Robotics", "Vision")


SECTIONS = """\
# My list

- Robotics: [1](#ref1), [2](#deep-drone-racing)
- Vision: [1](#ref1), [9](#ref9)

- 2019: [1](#ref1), [2](#deep-drone-racing)

## [Sim-to-Real](https://arxiv.org/abs/1812.07252) <a name="ref1"></a>

**Usecase:** Grasping

**Year** 2020

---

## [Deep Drone Racing](https://arxiv.org/abs/1905.09727)

**Use case** Drones

**Year** soon

---

## [Foggy scenes](https://arxiv.org/abs/1910.03997) <a id="ref3"></a>

**Year** 2020

## [A book](https://example.org/book) <a name="ref4"></a>

**Usecase** Theory

## [Notes](arxivlink) <a name="ref5"></a>
"""


def test_sections_take_topics_and_years_from_the_indexes() -> None:
    document = parse(SECTIONS, TODAY)
    assert document.introduction == ""
    assert document.topics == ("Robotics", "Vision")
    assert summary(document.papers) == [
        (8, "1812.07252", "Sim-to-Real", "Grasping", ["Robotics", "Vision"], 2020),
        (16, "1905.09727", "Deep Drone Racing", "Drones", ["Robotics"], 2019),
        (24, "1910.03997", "Foggy scenes", "", [], 2020),
    ]
    assert document.notes == (
        Note(4, "the topic index links to #ref9, which no paper section has; ignored"),
        Note(12, "1812.07252: the year index says 2019, its section 2020; kept 2020"),
        Note(20, '"soon" is not a year; ignored'),
        Note(24, "1910.03997 is in no topic of the index; imported without topic"),
        Note(
            28,
            '"A book" has no arXiv link and no year; skipped '
            "(a paper not on arXiv needs a title, a link and a year)",
        ),
        Note(
            32,
            '"Notes" has no arXiv link and no year, usecase or abstract; skipped',
        ),
    )


def test_sections_without_an_index_take_the_heading_above() -> None:
    document = parse(
        "# List\n\n## Robotics\n\n### [RCAN](https://arxiv.org/abs/1812.07252)\n\n"
        "**Year** 2019\n\n### [SYNTHIA](https://example.org/synthia)\n\n**Year** 2016\n\n"
        "**Authors** G. Ros, L. Sellart and J. Materzynska\n",
        TODAY,
    )
    assert summary(document.papers) == [
        (5, "1812.07252", "RCAN", "", ["Robotics"], 2019),
        (9, None, "SYNTHIA", "", ["Robotics"], 2016),
    ]
    assert document.papers[1].link == "https://example.org/synthia"
    assert document.papers[1].authors == ("G. Ros", "L. Sellart", "J. Materzynska")


def test_front_matter_and_windows_line_ends_keep_line_numbers() -> None:
    document = parse("---\r\ntitle: Papers\r\n---\r\n# Papers\r\n\r\n- arXiv:1812.07252\r\n", TODAY)
    assert document.title == "Papers"
    assert [(p.line, str(p.arxiv_id), p.topics) for p in document.papers] == [(6, "1812.07252", [])]
    assert document.notes == (Note(6, "1812.07252 is under no heading; imported without topic"),)


def test_github_slugs() -> None:
    assert github_slug("Deep Drone Racing: From Simulation to Reality!") == (
        "deep-drone-racing-from-simulation-to-reality"
    )


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ListFileError) as info:
        read(tmp_path / "missing.md")
    assert str(info.value) == f"{tmp_path / 'missing.md'}: no such file"
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ListFileError, match="cannot read the list"):
        read(tmp_path / "binary.md")


def test_listed_paper_key_ignores_versions_and_title_defects() -> None:
    assert ListedPaper(1, ArxivId("1812.07252", 2)).key == "1812.07252"
    assert ListedPaper(1, None, title="The SYNTHIA Dataset: A").key == (
        ListedPaper(9, None, title="the synthia dataset - a").key
    )


def test_a_heading_that_links_to_a_website_is_a_topic_not_a_paper() -> None:
    document = parse(
        "## [Isaac Sim](https://developer.nvidia.com/isaac-sim)\n"
        "\n"
        "- [Structured Domain Randomization](https://arxiv.org/abs/1810.10093)\n"
        "\n"
        "## [SYNTHIA](https://synthia-dataset.net)\n"
        "\n"
        "**Year** 2016\n"
        "\n"
        "A classic, cited by arXiv:1909.11512: text of the paper's section, not a paper.\n",
        TODAY,
    )
    assert summary(document.papers) == [
        (3, "1810.10093", "Structured Domain Randomization", "Isaac Sim", ["Isaac Sim"], None),
        (5, None, "SYNTHIA", "", [], 2016),
    ]
    assert document.papers[1].link == "https://synthia-dataset.net"
    assert document.notes == (Note(5, '"SYNTHIA" is under no heading; imported without topic'),)
