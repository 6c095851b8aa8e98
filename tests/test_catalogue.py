from datetime import date
from pathlib import Path

import pytest

from litsync.catalogue.load import load, parse
from litsync.catalogue.model import CATALOGUE_FILE
from litsync.errors import CatalogueError
from litsync.sources.arxiv_ids import ArxivId

TODAY = date(2026, 11, 25)
ROOT = Path(__file__).resolve().parent.parent
PATH = Path("catalogue/ids.yaml")

VALID = """\
settings:
  title: Reading list
  topics: [Robotics, Vision]
  year_from: updated
papers:
  - id: 1701.01370
    usecase: Human Pose Detection
    topics: [Vision]
  - id: arXiv:1810.10093v1
    usecase: Cars
    topics: Robotics
    overrides:
      year: 2020
      title: Better title
  - title: Not on arXiv
    url: https://example.org/paper
    year: 2016
    abstract: Text.
    usecase: Cars
    topics: [Robotics, Vision]
"""


def error_of(text: str) -> str:
    with pytest.raises(CatalogueError) as info:
        parse(text, PATH, TODAY)
    return str(info.value)


def test_valid_catalogue_loads_in_order() -> None:
    catalogue = parse(VALID, PATH, TODAY)
    assert catalogue.settings.title == "Reading list"
    assert catalogue.settings.year_from == "updated"
    assert catalogue.arxiv_ids == [ArxivId("1701.01370"), ArxivId("1810.10093", 1)]
    first, second, manual = catalogue.entries
    # YAML would read 1701.01370 as the float 1701.0137: the source text wins.
    assert first.arxiv_id == ArxivId("1701.01370")
    assert (first.line, second.line, manual.line) == (6, 9, 15)
    assert second.topics == ("Robotics",)
    assert second.overrides.year == 2020 and second.overrides.title == "Better title"
    assert manual.arxiv_id is None and manual.url == "https://example.org/paper"
    assert manual.overrides.title == "Not on arXiv" and manual.overrides.year == 2016


def test_bundled_catalogue_matches_the_seed_list() -> None:
    catalogue = load(ROOT / CATALOGUE_FILE, TODAY)
    assert len(catalogue.entries) == 13
    assert len(catalogue.arxiv_ids) == 12
    assert catalogue.settings.year_from == "updated"
    override = [e for e in catalogue.entries if e.overrides.year and e.arxiv_id]
    assert [(str(e.arxiv_id), e.overrides.year) for e in override] == [("1810.10093", 2020)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topic: [A]\n",
            "catalogue/ids.yaml:4: unknown key 'topic' in a paper entry (did you mean "
            "'topics'?); allowed: id, usecase, topics, overrides, title, url, year, abstract, "
            "authors",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: [A]\n"
            "    overrides:\n      yeer: 2020\n",
            "catalogue/ids.yaml:6: unknown key 'yeer' in overrides (did you mean 'year'?); "
            "allowed: title, year, abstract, authors",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: [A]\n"
            "    overrides:\n      doi: 10.1/x\n",
            "catalogue/ids.yaml:6: unknown key 'doi' in overrides; allowed: title, year, "
            "abstract, authors",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: [A]\n"
            "  - id: https://arxiv.org/abs/1812.07252v2\n    usecase: y\n    topics: [A]\n",
            "catalogue/ids.yaml:5: 1812.07252 is already listed at line 2; remove one of "
            "the two entries",
        ),
        (
            "papers:\n  - id: 1813.07252\n    usecase: x\n    topics: [A]\n",
            "catalogue/ids.yaml:2: '1813.07252': 13 is not a month (YYMM is 1813)",
        ),
        (
            "papers:\n  - id: 2701.00001\n    usecase: x\n    topics: [A]\n",
            "catalogue/ids.yaml:2: '2701.00001': 2701 is a month in the future",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: [x]\n    topics: [A]\n",
            "catalogue/ids.yaml:3: usecase must be text, not a list",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: [A]\n"
            "    overrides:\n      year: twenty\n",
            "catalogue/ids.yaml:6: overrides.year must be a year like 2020, not 'twenty'",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n",
            "catalogue/ids.yaml:2: the entry has no `topics:`; add one",
        ),
        (
            "papers:\n  - usecase: x\n    topics: [A]\n    title: T\n",
            "catalogue/ids.yaml:2: an entry needs an arXiv `id:`, or for a paper not on arXiv "
            "`title:`, `url:` and `year:` (missing: url, year)",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: [A]\n    year: 2019\n",
            "catalogue/ids.yaml:5: `year:` on an arXiv entry; put it under `overrides:` to "
            "replace what arXiv says",
        ),
        (
            "settings:\n  topics: [Robotics]\npapers:\n  - id: 1812.07252\n    usecase: x\n"
            "    topics: [Robotic]\n",
            "catalogue/ids.yaml:6: topic 'Robotic' is not in settings.topics (did you mean "
            "'Robotics'?); add it there or fix it",
        ),
        (
            "settings:\n  year_from: latest\npapers: []\n",
            "catalogue/ids.yaml:2: year_from must be `published` (first version) or `updated` "
            "(latest version), not 'latest'",
        ),
        (
            "settings:\n  titel: x\npapers: []\n",
            "catalogue/ids.yaml:2: unknown key 'titel' in settings (did you mean 'title'?); "
            "allowed: title, introduction, index_note, topics, year_from, max_age_days, "
            "template, output",
        ),
        ("papers: []\n", "catalogue/ids.yaml:1: `papers:` is empty; add an arXiv id"),
        ("settings: {}\n", "catalogue/ids.yaml:1: no `papers:` list; add one (see README)"),
        ("", "catalogue/ids.yaml: the catalogue is empty; add a `papers:` list"),
        ("papers:\n  - id: [1812.07252\n", "catalogue/ids.yaml:3: YAML syntax error: "),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    usecase: y\n    topics: [A]\n",
            "catalogue/ids.yaml:4: 'usecase' appears twice in a paper entry; keep one",
        ),
        ("- 1812.07252\n", "catalogue/ids.yaml:1: the catalogue must be a mapping"),
    ],
)
def test_errors_name_file_line_and_fix(text: str, expected: str) -> None:
    assert error_of(text).startswith(expected)


def test_missing_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="catalogue not found; create it"):
        load(tmp_path / "ids.yaml")


@pytest.mark.parametrize("topics", ["[Robotics, [Vision]]", "[Robotics, '']", "[1]", "{a: b}",
                                    "~", "[]"])  # fmt: skip
def test_topics_must_be_names(topics: str) -> None:
    text = f"papers:\n  - id: 1812.07252\n    usecase: x\n    topics: {topics}\n"
    if topics == "[]":
        assert error_of(text) == (
            "catalogue/ids.yaml:4: topics is empty; give one or more, like [Robotics]"
        )
    else:
        assert error_of(text) == (
            "catalogue/ids.yaml:4: topics must be a list of names, like [Robotics]"
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "papers: [",
            "catalogue/ids.yaml:1: YAML syntax error: expected the node content, "
            "but found '<stream end>'",
        ),
        (
            "papers:\n  - id: [1812.07252\n",
            "catalogue/ids.yaml:3: YAML syntax error: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "settings:\n\ttitle: x\n",
            "catalogue/ids.yaml:2: YAML syntax error: found character '\\t' that cannot start "
            "any token",
        ),
        (
            "papers: a: b\n",
            "catalogue/ids.yaml:1: YAML syntax error: mapping values are not allowed here",
        ),
    ],
)
def test_yaml_errors_keep_their_wording_and_line(text: str, expected: str) -> None:
    # libyaml parses valid files; the messages users see stay those of PyYAML's own parser.
    assert error_of(text) == expected


YAML_FORMS = """\
settings:
  title: "Quoted: title"
  introduction: >-
    Folded
    text
  index_note: |
    Literal
    text
  topics: &topics [Robotics, Vision]
papers:
  - id: '1812.07252'
    usecase: !!str 2020
    topics: *topics
  - {id: 1701.01370, usecase: Flow style, topics: Robotics}  # 1701.01370 is a float to YAML
  - id: hep-th/9901001v2
    usecase: ~Tilde and 'quotes'
    topics: [Vision]
    overrides:
      year: 2019
      authors: [A, "B, C"]
"""


@pytest.mark.parametrize(
    "numeral", ["1812.07252", "!!float 1812.07252", "0001.0001", "!!int 42", "42", "0"]
)
def test_a_numeral_is_read_as_its_text(numeral: str) -> None:
    # YAML makes numbers of these; the maintainer wrote text.
    text = f"papers:\n  - id: 1812.07252\n    usecase: {numeral}\n    topics: [A]\n"
    assert parse(text, PATH, TODAY).entries[0].usecase == numeral.removeprefix(
        "!!float "
    ).removeprefix("!!int ")


def test_every_yaml_form_reads_as_written() -> None:
    catalogue = parse(YAML_FORMS, PATH, TODAY)
    settings = catalogue.settings
    assert (settings.title, settings.introduction, settings.index_note) == (
        "Quoted: title", "Folded text", "Literal\ntext\n",
    )  # fmt: skip
    assert settings.topics == ("Robotics", "Vision")
    assert [(e.line, str(e.arxiv_id), e.usecase, e.topics) for e in catalogue.entries] == [
        (11, "1812.07252", "2020", ("Robotics", "Vision")),
        (14, "1701.01370", "Flow style", ("Robotics",)),
        (15, "hep-th/9901001v2", "~Tilde and 'quotes'", ("Vision",)),
    ]
    assert catalogue.entries[2].overrides.year == 2019
    assert catalogue.entries[2].overrides.authors == ("A", "B, C")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: &t [*t]\n",
            "catalogue/ids.yaml:4: YAML error: found unconstructable recursive node",
        ),
        (
            "papers:\n  - id: 1812.07252\n    usecase: x\n    topics: [A]\n"
            "    overrides:\n      year: !!int abc\n",
            "catalogue/ids.yaml:6: YAML error: invalid literal for int() with base 10: 'abc'",
        ),
        (
            "papers:\n  - id: !!float 1812.07252x\n    usecase: x\n    topics: [A]\n",
            "catalogue/ids.yaml:2: YAML error: could not convert string to float: '1812.07252x'",
        ),
    ],
)
def test_values_yaml_cannot_build_are_located(text: str, expected: str) -> None:
    assert error_of(text) == expected
