import re
from datetime import date
from pathlib import Path

import pytest

from litsync.catalogue import load
from litsync.catalogue_edit import add_papers
from litsync.errors import CatalogueError
from litsync.identifiers import ArxivId

TODAY = date(2026, 11, 25)
ORIGINAL = """\
# My list. Keep this comment.
settings:
  topics: [Robotics, Vision]  # order of the index

papers:
  - id: 1812.07252
    usecase: Robotic Grasping
    topics: [Robotics]

  # A comment about the last paper.
  - id: 1612.07828
    usecase: Gaze
    topics: [Vision]
"""


def test_add_appends_in_the_files_style_and_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    added = add_papers(
        path,
        ["https://arxiv.org/abs/2104.11776v1", "hep-th/9901001"],
        "Tools: 3D",
        ["Vision"],
        TODAY,
    )
    assert added == [ArxivId("2104.11776", 1), ArxivId("hep-th/9901001")]
    assert path.read_text(encoding="utf-8") == ORIGINAL + (
        "\n"
        "  - id: 2104.11776v1\n"
        '    usecase: "Tools: 3D"\n'
        "    topics: [Vision]\n"
        "\n"
        "  - id: hep-th/9901001\n"
        '    usecase: "Tools: 3D"\n'
        "    topics: [Vision]\n"
    )
    assert [str(i) for i in load(path, TODAY).arxiv_ids][-2:] == ["2104.11776v1", "hep-th/9901001"]


def test_add_refuses_a_paper_already_listed_in_another_form(tmp_path: Path) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        add_papers(path, ["arXiv:1612.07828v2"], "x", ["Vision"], TODAY)
    assert str(info.value) == f"{path}:11: 1612.07828 is already listed here"
    assert path.read_text(encoding="utf-8") == ORIGINAL


def test_add_refuses_an_unknown_topic_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape("topic 'Visoin' is not in settings.topics")):
        add_papers(path, ["2104.11776"], "x", ["Visoin"], TODAY)
    assert path.read_text(encoding="utf-8") == ORIGINAL


def test_add_refuses_an_invalid_id(tmp_path: Path) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=re.escape("cannot add: '1813.00001': 13 is not a month")
    ):
        add_papers(path, ["1813.00001"], "x", ["Vision"], TODAY)


@pytest.mark.parametrize("papers", ["papers: []\n", "papers:\n", ""])
def test_add_to_an_empty_list(tmp_path: Path, papers: str) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text("settings:\n  title: New list\n" + papers, encoding="utf-8")
    add_papers(path, ["1812.07252"], "Grasping", ["Robotics"], TODAY)
    catalogue = load(path, TODAY)
    assert catalogue.arxiv_ids == [ArxivId("1812.07252")]
    assert catalogue.settings.title == "New list"
