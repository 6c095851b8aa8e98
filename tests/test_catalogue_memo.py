"""The memo of the validated catalogue: used while it holds, and never trusted beyond that."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from planted import Planted
from project import bundled_project

from litsync import catalogue
from litsync.catalogue import CATALOGUE_FILE, Catalogue, Layout
from litsync.catalogue_edit import add_papers
from litsync.catalogue_memo import MEMO_FILE
from litsync.catalogue_memo import load as load_remembered
from litsync.cli import main
from litsync.errors import CatalogueError
from litsync.export_memo import MEMO_FILE as EXPORT_MEMO
from litsync.files import write_atomic

TODAY = date(2026, 11, 25)
TITLE = "Synthetic Data Literature"


def load(path: Path, memo: Path, today: date) -> Catalogue:
    """The catalogue, remembered as `render` remembers it."""
    loaded = load_remembered(path, memo, today)
    loaded.remember()
    assert loaded.key == load_remembered(path, memo, today).key  # the same text, the same key
    return loaded.catalogue


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    root = bundled_project(tmp_path)
    return root / CATALOGUE_FILE, root / MEMO_FILE


@pytest.fixture
def planted(paths: tuple[Path, Path]) -> tuple[Path, Path]:
    """`paths`, the memo written, with the title "From the memo" planted in it."""
    path, memo = paths
    load(path, memo, TODAY)
    retitle(memo, "From the memo")
    return path, memo


def retitle(memo: Path, title: str) -> None:
    """Change the remembered catalogue, to tell a catalogue taken from the memo from a
    parsed one."""
    made_from, loaded, laid_out = remembered(memo)
    settings = dataclasses.replace(loaded.settings, title=title)
    replaced = dataclasses.replace(loaded, settings=settings)
    memo.write_bytes(pickle.dumps(made_from) + pickle.dumps(replaced) + pickle.dumps(laid_out))


def planted_in(parsed: Catalogue) -> Catalogue:
    """`parsed` with the title `retitle` plants: what a catalogue taken in part from the
    memo holds."""
    return dataclasses.replace(
        parsed, settings=dataclasses.replace(parsed.settings, title="From the memo")
    )


def remembered(memo: Path) -> tuple[tuple[str, str, date], Catalogue, tuple[str, Layout | None]]:
    """What the memo was made from (code and path, text, day), the catalogue it holds,
    and the text with its layout."""
    with memo.open("rb") as stream:
        return pickle.load(stream), pickle.load(stream), pickle.load(stream)


def test_an_unchanged_catalogue_comes_from_the_memo(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    assert not memo.exists()
    assert load(path, memo, TODAY) == catalogue.load(path, TODAY)
    retitle(memo, "From the memo")
    assert load(path, memo, TODAY).settings.title == "From the memo"
    # Whatever was valid stays valid as time passes.
    assert load(path, memo, TODAY + timedelta(days=400)).settings.title == "From the memo"


EVERY_KIND = """\
settings:
  title: Every kind of setting
  topics: [Robotics]
  exports: [bibtex]
  discover:
    searches:
      - query: ti:robots
        since: 2024-02-01
    feeds: [cs.CV]
papers:
  - id: 1812.07252v2
    usecase: Grasping
    topics: [Robotics]
    overrides:
      year: 2019
      authors: [A B]
  - title: Not on arXiv
    url: https://example.org/x
    year: 2016
    usecase: Other
    topics: [Robotics]
rejected:
  - id: 2101.00001
    reason: off topic
"""


def test_every_kind_of_setting_and_entry_is_remembered(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    path.write_text(EVERY_KIND, encoding="utf-8")
    parsed = load(path, memo, TODAY)
    assert parsed.settings.discover.searches[0].since == date(2024, 2, 1)
    assert parsed.rejected and parsed.entries[0].overrides.authors == ("A B",)
    retitle(memo, "From the memo")
    assert load(path, memo, TODAY) == planted_in(parsed)


def test_a_memo_made_after_today_is_not_used(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    load(path, memo, TODAY)
    retitle(memo, "From the memo")
    # Validation depends on the date ("not in the future"): a memo from after today is
    # no proof, so the catalogue is checked again.
    assert load(path, memo, TODAY - timedelta(days=1)).settings.title == TITLE


def test_a_change_to_the_settings_is_parsed_whole(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    load(path, memo, TODAY)
    retitle(memo, "From the memo")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("settings:\n", "settings:\n  # a comment\n"), encoding="utf-8")
    assert load(path, memo, TODAY).settings.title == TITLE
    assert load(path, memo, TODAY) == catalogue.load(path, TODAY)


def test_a_change_to_the_papers_reads_only_the_papers_it_touched(
    planted: tuple[Path, Path],
) -> None:
    path, memo = planted
    text = path.read_text(encoding="utf-8")
    first = text.index("  - id: ")
    second = text.index("  - id: ", first + 1)
    edited = text[:second] + "    overrides:\n      title: Edited\n" + text[second:]
    path.write_text(edited, encoding="utf-8")
    spliced = load(path, memo, TODAY)
    assert spliced.settings.title == "From the memo"  # the rest came from the memo
    assert spliced.entries[0].overrides.title == "Edited"
    assert spliced == planted_in(catalogue.load(path, TODAY))
    # The memo now holds the edited text: an edit after it is spliced onto it.
    assert remembered(memo)[2][0] == edited
    path.write_text(edited.replace("title: Edited", "title: Edited again"), encoding="utf-8")
    assert load(path, memo, TODAY).entries[0].overrides.title == "Edited again"
    assert load(path, memo, TODAY).settings.title == "From the memo"


def test_add_reads_only_the_papers_it_adds_and_remembers_the_result(
    planted: tuple[Path, Path],
) -> None:
    path, memo = planted
    add_papers(path, memo, ["2301.00001", "hep-th/9901001"], "Tools", ["Frameworks"], TODAY)
    made_from, held, (text, _) = remembered(memo)
    assert text == path.read_text(encoding="utf-8") and made_from[2] == TODAY
    # The new entries were checked alone, the rest taken from the memo: the title too.
    assert held == planted_in(catalogue.load(path, TODAY))
    assert [str(i) for i in held.arxiv_ids[-2:]] == ["2301.00001", "hep-th/9901001"]


def test_add_without_a_memo_leaves_one_for_the_next_run(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    add_papers(path, memo, ["2301.00001"], "Tools", ["Frameworks"], TODAY)
    assert remembered(memo)[1] == catalogue.load(path, TODAY)
    assert remembered(memo)[2][0] == path.read_text(encoding="utf-8")


def test_a_change_that_breaks_the_catalogue_is_reported_as_a_parse_reports_it(
    paths: tuple[Path, Path],
) -> None:
    path, memo = paths
    load(path, memo, TODAY)
    text = path.read_text(encoding="utf-8")
    first = text.index("  - id: ")
    second = text.index("  - id: ", first + 1)
    path.write_text(text[:second] + text[first:second] + text[second:], encoding="utf-8")
    with pytest.raises(CatalogueError) as spliced:
        load(path, memo, TODAY)
    with pytest.raises(CatalogueError) as parsed:
        catalogue.load(path, TODAY)
    assert str(spliced.value) == str(parsed.value)
    assert "is already listed at line" in str(spliced.value)


def test_a_memo_of_another_copy_is_not_used(paths: tuple[Path, Path], tmp_path: Path) -> None:
    path, memo = paths
    load(path, memo, TODAY)
    retitle(memo, "From the memo")
    copy = tmp_path / "copy"
    shutil.copytree(path.parent.parent, copy)
    assert load(copy / CATALOGUE_FILE, copy / MEMO_FILE, TODAY).path == copy / CATALOGUE_FILE
    assert load(copy / CATALOGUE_FILE, copy / MEMO_FILE, TODAY).settings.title == TITLE


def test_errors_are_raised_every_time_and_never_remembered(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    path.write_text("papers: []\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CatalogueError, match="`papers:` is empty; add an arXiv id"):
            load(path, memo, TODAY)
    assert not memo.exists()


def test_a_damaged_memo_is_replaced(paths: tuple[Path, Path]) -> None:
    path, memo = paths
    write_atomic(memo, b"\x80\x05 not a pickle")
    assert load(path, memo, TODAY) == catalogue.load(path, TODAY)
    assert remembered(memo)[1] == catalogue.load(path, TODAY)
    assert remembered(memo)[2][0] == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("action", [os.mkdir, write_atomic])
@pytest.mark.parametrize("behind_a_true_key", [False, True])
def test_a_planted_memo_cannot_run_code(
    paths: tuple[Path, Path], tmp_path: Path, action: Any, behind_a_true_key: bool
) -> None:
    path, memo = paths
    marker = tmp_path / "ran"
    args = (marker,) if action is os.mkdir else (marker, "ran")
    planted = pickle.dumps(Planted(action, *args))
    if behind_a_true_key:
        load(path, memo, TODAY)
        planted = pickle.dumps(remembered(memo)[0]) + planted
    write_atomic(memo, planted)
    assert load(path, memo, TODAY) == catalogue.load(path, TODAY)
    assert not marker.exists()


def test_only_commands_that_write_files_write_the_memos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    assert main(["check", "--root", str(root)]) == 5  # no document yet
    assert main(["render", "--draft", "--root", str(root)]) == 0
    assert not (root / MEMO_FILE).exists() and not (root / EXPORT_MEMO).exists()
    assert main(["render", "--root", str(root)]) == 0
    assert (root / MEMO_FILE).exists() and (root / EXPORT_MEMO).exists()
    capsys.readouterr()
