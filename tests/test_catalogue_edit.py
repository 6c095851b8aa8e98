import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from litsync.catalogue.edit import (
    Field,
    add_papers,
    add_topics,
    insert_entries,
    item_text,
    write_checked,
)
from litsync.catalogue.load import load, parse, read_yaml
from litsync.errors import CatalogueError
from litsync.sources.arxiv_ids import ArxivId

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


def test_add_puts_new_papers_before_the_comments_that_follow_the_last(tmp_path: Path) -> None:
    # The last entry ends in a folded block, and the list is followed by a commented-out
    # paper and by a heading for `rejected:`: both stay after the papers added.
    last = (
        "  - id: 1612.07828\n"
        "    usecase: Gaze\n"
        "    topics: [Vision]\n"
        "    overrides:\n"
        "      abstract: >-\n"
        "        Über Blicke 😀 und\n"
        "        mehr.\n"
    )
    after = (
        "\n"
        "  # - id: 2001.00001  (to read)\n"
        "\n"
        "# Papers not to propose again.\n"
        "rejected:\n"
        "  - id: 1703.06907\n"
        "    reason: off topic\n"
    )
    path = tmp_path / "ids.yaml"
    path.write_text(ORIGINAL.split("  # A comment")[0] + last + after, encoding="utf-8")
    add_papers(path, ["2104.11776"], "Tools", ["Vision"], TODAY)
    added = "\n  - id: 2104.11776\n    usecase: Tools\n    topics: [Vision]\n"
    assert path.read_text(encoding="utf-8") == (
        ORIGINAL.split("  # A comment")[0] + last + added + after
    )
    assert load(path, TODAY).arxiv_ids[-1] == ArxivId("2104.11776")


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
    # Text before the list that is not ASCII: where `papers:` ends is counted in characters.
    path.write_text("settings:\n  title: Neue Liste 😀\n" + papers, encoding="utf-8")
    add_papers(path, ["1812.07252"], "Grasping", ["Robotics"], TODAY)
    catalogue = load(path, TODAY)
    assert catalogue.arxiv_ids == [ArxivId("1812.07252")]
    assert catalogue.settings.title == "Neue Liste 😀"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("  topics: [Robotics, Vision]  # order of the index\n",
         "  topics: [Robotics, Vision, Sim2Real, \"Tools: 3D\"]  # order of the index\n"),
        ("  topics: Robotics\n", "  topics: [Robotics, Sim2Real, \"Tools: 3D\"]\n"),
        ("  topics:\n    - Robotics\n    # the rest\n    - Vision\n  year_from: updated\n",
         "  topics:\n    - Robotics\n    # the rest\n    - Vision\n    - Sim2Real\n"
         "    - \"Tools: 3D\"\n  year_from: updated\n"),
    ],
)  # fmt: skip
def test_add_topics_keeps_the_lists_style(settings: str, expected: str) -> None:
    paper = "  - id: 1812.07252\n    usecase: x\n    topics: [Robotics]\n"
    text = f"# Keep me.\nsettings:\n{settings}papers:\n{paper}"
    updated = add_topics(text, ["Sim2Real", "Tools: 3D"])
    assert updated == f"# Keep me.\nsettings:\n{expected}papers:\n{paper}"
    assert (
        "Tools: 3D" in parse(updated, Path("ids.yaml"), TODAY, require_papers=False).settings.topics
    )


def test_item_text_wraps_long_text_and_says_why() -> None:
    abstract = " ".join(["Synthetic data"] * 12) + " \u2013 with a colon: and # a hash."
    item = item_text(
        [
            Field("title", "Short: with a colon"),
            Field("url", "https://example.org/" + "x" * 90),
            Field("year", 2016, comment="the list's year"),
            Field("topics", ["A, B", "C"]),
            Field("abstract", abstract),
            Field("introduction", "First paragraph.\n\nSecond, *Markdown*."),
            Field("overrides", [Field("year", 2020, comment="arXiv says 2018")]),
        ],
        note="Two lines\nof note.",
    )
    assert item == (
        "# Two lines\n"
        "# of note.\n"
        '- title: "Short: with a colon"\n'
        f"  url: https://example.org/{'x' * 90}\n"
        "  year: 2016  # the list's year\n"
        '  topics: ["A, B", C]\n'
        "  abstract: >-\n"
        "    Synthetic data Synthetic data Synthetic data Synthetic data Synthetic data Synthetic\n"
        "    data Synthetic data Synthetic data Synthetic data Synthetic data Synthetic data\n"
        "    Synthetic data \u2013 with a colon: and # a hash.\n"
        "  introduction: |-\n"
        "    First paragraph.\n"
        "\n"
        "    Second, *Markdown*.\n"
        "  overrides:\n"
        "    year: 2020  # arXiv says 2018\n"
    )
    loaded = yaml.safe_load(item)[0]
    assert loaded["abstract"] == abstract
    assert loaded["introduction"] == "First paragraph.\n\nSecond, *Markdown*."


def test_text_a_block_cannot_hold_falls_back_to_json() -> None:
    text = "  starts with spaces and goes on for long enough to need more than one line of yaml"
    item = item_text([Field("abstract", text + "\n  indented")])
    assert item == f"- abstract: {json.dumps(text + chr(10) + '  indented')}\n"
    assert yaml.safe_load(item) == [{"abstract": text + "\n  indented"}]


# Names that are YAML of their own: YAML 1.1's value key (`=`), an alias, a tag, a
# directive, reserved characters, a list, a boolean, a number, a tab.
ODD_NAMES = ["=", "*star", "!bang", "%pct", "@home", "`tick", "- dash", "yes", "1.0", "a\tb"]


def test_names_yaml_would_read_otherwise_are_quoted() -> None:
    item = item_text([Field("topics", ODD_NAMES), Field("block", ODD_NAMES, block=True)])
    # Read as a catalogue is read (libyaml), the names are the names written.
    assert read_yaml(item) == [{"topics": ODD_NAMES, "block": ODD_NAMES}]
    assert yaml.safe_load(item) == read_yaml(item)


def test_text_with_a_tab_is_written_as_libyaml_reads_it() -> None:
    # The pure-Python parser reads a block whose line starts with a tab; libyaml, which
    # reads the catalogue, does not.
    text = "A first line long enough to wrap, and then one more line\n\tindented by a tab"
    item = item_text([Field("abstract", text)])
    assert read_yaml(item) == [{"abstract": text}]


ITEM = "- id: {id}\n  usecase: x\n  topics: [Robotics]\n"
ENTRY = "".join("  " + line for line in ITEM.splitlines(keepends=True))
# Catalogues whose list ends in different ways.
LISTS = {
    "spaced, commented": (ORIGINAL),
    "last entry ends in a block, comments and `rejected:` after": (
        "papers:\n" + ENTRY.format(id="1812.07252") + "    overrides:\n      abstract: >-\n"
        "        Über Blicke 😀\n        und mehr.\n\n  # - id: 2001.00001\n\n"
        "# Not again.\nrejected:\n  - id: 1703.06907\n    reason: off topic\n"
    ),
    "at column 0, settings after": (
        "papers:\n- id: 1812.07252\n  usecase: x\n  topics: [Robotics]\n- id: 1612.07828\n"
        "  usecase: y\n  topics: [Robotics]\nsettings:\n  title: Last\n"
    ),
    "one entry": ("settings:\n  title: Ünïcödé\npapers:\n" + ENTRY.format(id="1812.07252")),
    "CRLF": (ORIGINAL.replace("\n", "\r\n")),
    "a dash on a line of its own": (
        "papers:\n" + ENTRY.format(id="1812.07252") + "  -\n    id: 1612.07828\n"
        "    usecase: y\n    topics: [Robotics]\n"
    ),
    "an alias to an anchor above": (
        "papers:\n  - id: 1812.07252\n    usecase: &u Grasping\n    topics: [Robotics]\n\n"
        "  - id: 1612.07828\n    usecase: *u\n    topics: [Robotics]\n"
    ),
    "a line separator": (ORIGINAL.replace("last paper.\n", "last paper.\u2028")),
    # Counted by LFs, the last entry would start three lines lower: at its list of one topic.
    "line separators above a list of one": (
        ORIGINAL.replace("# A comment", "# 1\u2028  # 2\u2028  # 3\u2028  # A comment").replace(
            "topics: [Vision]\n", "topics:\n      - Vision\n"
        )
    ),
}


@pytest.mark.parametrize("name", LISTS)
def test_entries_are_added_at_the_end_of_the_list_in_any_layout(name: str) -> None:
    text = LISTS[name]
    listed = parse(text, Path("ids.yaml"), TODAY)
    items = [ITEM.format(id="2104.11776"), ITEM.format(id="hep-th/9901001")]
    updated = insert_entries(text, items)
    ids = [str(i) for i in parse(updated, Path("ids.yaml"), TODAY).arxiv_ids]
    assert ids == [str(i) for i in listed.arxiv_ids] + ["2104.11776", "hep-th/9901001"]


FIRST_ENTRY = "  - id: 1812.07252\n    usecase: Robotic Grasping\n    topics: [Robotics]\n\n"
KEPT = "cannot remove from `papers:` without changing what is here as it is written"


@pytest.mark.parametrize(
    ("edited", "message"),
    [
        (ORIGINAL.replace(FIRST_ENTRY, "").replace("usecase: Gaze", "usecase: Gaze!"),
         f"{{path}}:11: {KEPT}"),
        (ORIGINAL, f"{{path}}:11: {KEPT}"),
        (ORIGINAL.replace(FIRST_ENTRY, "") + "rejected: [1703.06907]\n",
         f"{{path}}: {KEPT}"),
    ],
    ids=["a kept paper changed", "the removed paper kept", "a rejection added"],
)  # fmt: skip
def test_a_removal_that_changes_anything_else_is_refused(
    tmp_path: Path, edited: str, message: str
) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        write_checked(path, edited, TODAY, [], ["1812.07252"], action="remove")
    assert str(info.value).startswith(message.format(path=path))
    assert path.read_text(encoding="utf-8") == ORIGINAL
