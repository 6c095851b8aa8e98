"""`litsync remove`, `litsync reject` and new topics: the catalogue edited as a maintainer
would, its comments and layout kept, every paper not removed kept as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from conftest import ReliabilityLog
from project import bundled_project, snapshot

from litsync.catalogue.load import load
from litsync.cli import main
from litsync.files import project_lock
from litsync.project import Project

EDITS = "Catalogue edits (`add`, `remove`, `reject`)"
CATALOGUE = Path("catalogue") / "ids.yaml"
SETTINGS = """\
# My list. Keep this comment.
settings:
  topics:  # order of the index
    - Robotics
    - Vision

papers:
"""
FIRST = """\
  # Grasping, the first paper read.
  - id: 1812.07252
    usecase: Robotic Grasping
    topics: [Robotics]
"""
SECOND = """\
  # A comment about the second paper.
  - id: 1612.07828
    usecase: Gaze
    topics: [Vision]
    # overrides: {year: 2017}
"""
THIRD = """\
  - id: 1703.06907v2
    usecase: Domain Randomization
    topics: [Robotics]
"""
AFTER = """\

  # - id: 2001.00001  (to read)

# Papers not to propose again.
rejected:
  - 1910.03997
"""
ORIGINAL = SETTINGS + FIRST + "\n" + SECOND + "\n" + THIRD + AFTER


def project(tmp_path: Path, text: str = ORIGINAL) -> Path:
    root = tmp_path / "list"
    (root / "catalogue").mkdir(parents=True)
    (root / CATALOGUE).write_text(text, encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def catalogue(root: Path) -> str:
    return (root / CATALOGUE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("removed", "listed", "expected"),
    [
        ("1812.07252", "1812.07252", SETTINGS + SECOND + "\n" + THIRD + AFTER),
        ("arXiv:1612.07828v1", "1612.07828", SETTINGS + FIRST + "\n" + THIRD + AFTER),
        ("https://arxiv.org/abs/1703.06907", "1703.06907v2",
         SETTINGS + FIRST + "\n" + SECOND + AFTER),
    ],
    ids=["first", "middle", "last"],
)  # fmt: skip
def test_remove_drops_the_entry_and_its_own_comments_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], removed: str, listed: str, expected: str
) -> None:
    root = project(tmp_path)
    code, out, err = run(capsys, root, "remove", removed)
    assert (code, err) == (0, "")
    assert out == (
        f"Removed {listed} from catalogue/ids.yaml\n"
        "Run `litsync refresh` to drop its cached record and render the document.\n"
    )
    assert catalogue(root) == expected
    assert len(load(root / CATALOGUE).entries) == 2


def test_remove_several_and_the_rest_is_kept_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    assert run(capsys, root, "remove", "1612.07828", "1703.06907")[0] == 0
    assert catalogue(root) == SETTINGS + FIRST + AFTER


def test_remove_from_a_flow_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "papers: [{id: 1812.07252, usecase: A, topics: [X]},  # first\n"
        "  {id: 1612.07828, usecase: B, topics: [Y]}]\n"
    )
    root = project(tmp_path, text)
    assert run(capsys, root, "remove", "1612.07828")[0] == 0
    assert catalogue(root) == "papers:\n  - {id: 1812.07252, usecase: A, topics: [X]}  # first\n"


def test_reject_moves_a_listed_paper_and_adds_an_unlisted_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    code, out, err = run(
        capsys, root, "reject", "1612.07828", "2411.00231", "--reason", "off topic: medicine"
    )
    assert (code, err) == (0, "")
    assert out == (
        "Rejected 1612.07828 in catalogue/ids.yaml (moved from `papers:` to `rejected:`)\n"
        "Rejected 2411.00231 in catalogue/ids.yaml (added to `rejected:`)\n"
        "Run `litsync refresh` to drop its cached record and render the document.\n"
    )
    assert catalogue(root) == SETTINGS + FIRST + "\n" + THIRD + AFTER + (
        '  - id: 1612.07828\n    reason: "off topic: medicine"\n'
        '  - id: 2411.00231\n    reason: "off topic: medicine"\n'
    )
    rejected = load(root / CATALOGUE).rejected
    assert [(r.arxiv_id.base, r.reason) for r in rejected] == [
        ("1910.03997", ""),
        ("1612.07828", "off topic: medicine"),
        ("2411.00231", "off topic: medicine"),
    ]


def test_reject_creates_the_rejected_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SETTINGS + FIRST + "\n" + THIRD
    root = project(tmp_path, text)
    assert run(capsys, root, "reject", "1703.06907")[0] == 0
    assert catalogue(root) == SETTINGS + FIRST + "\nrejected:\n  - 1703.06907\n"


def test_reject_into_a_flow_list_writes_it_as_a_block_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, SETTINGS + FIRST + "rejected: [1910.03997, 1703.06907]\n")
    assert run(capsys, root, "reject", "hep-th/9901001")[0] == 0
    assert catalogue(root) == (
        SETTINGS + FIRST + "rejected:\n  - 1910.03997\n  - 1703.06907\n  - hep-th/9901001\n"
    )


def test_new_topic_is_added_to_settings_topics_in_its_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    code, _, err = run(
        capsys, root, "add", "2104.11776", "--usecase", "Tools", "--topic", "Vision",
        "--topic", "Tools: 3D", "--new-topic", "Tools: 3D", "--new-topic", "Vision",
    )  # fmt: skip
    assert (code, err) == (0, "")
    topics = "    - Robotics\n    - Vision\n"
    assert catalogue(root) == (
        SETTINGS.replace(topics, topics + '    - "Tools: 3D"\n')
        + FIRST + "\n" + SECOND + "\n" + THIRD
        + '\n  - id: 2104.11776\n    usecase: Tools\n    topics: [Vision, "Tools: 3D"]\n'
        + AFTER
    )  # fmt: skip
    loaded = load(root / CATALOGUE)
    assert loaded.settings.topics == ("Robotics", "Vision", "Tools: 3D")
    assert loaded.entries[-1].topics == ("Vision", "Tools: 3D")


def test_a_list_without_settings_topics_takes_any_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "papers:\n" + FIRST
    root = project(tmp_path, text)
    assert run(capsys, root, "add", "2104.11776", "--usecase", "x", "--topic", "Anything")[0] == 0
    assert run(capsys, root, "add", "1612.07828", "--usecase", "y", "--new-topic", "Else")[0] == 0
    loaded = load(root / CATALOGUE)
    assert loaded.settings.topics == ()  # none written: it would bar the other topics
    assert [e.topics for e in loaded.entries] == [("Robotics",), ("Anything",), ("Else",)]


def test_add_needs_a_topic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["add", "2104.11776", "--usecase", "x", "--root", str(root)])
    assert info.value.code == 2
    assert "give each paper a topic: --topic TOPIC or --new-topic TOPIC" in capsys.readouterr().err
    assert catalogue(root) == ORIGINAL


@pytest.mark.parametrize("command", ["remove", "reject"])
def test_remove_and_reject_wait_for_no_other_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    root = project(tmp_path)
    with project_lock(Project(root).lock):
        code, _, err = run(capsys, root, command, "1812.07252")
    assert code == 8
    assert err.startswith("Error: another litsync run is working on this list")
    assert catalogue(root) == ORIGINAL


def test_a_removed_paper_leaves_the_cache_at_the_next_refresh(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, root, "remove", "1812.07252")[0] == 0
    code, out, err = run(capsys, root, "refresh", "--delay", "0")
    assert code == 0, err
    assert "Removed from the cache (no longer listed): 1812.07252\n" in out
    cached = json.loads((root / "catalogue" / "cache.json").read_text(encoding="utf-8"))
    assert "1812.07252" not in cached["papers"]


# Each: the catalogue, the command, and the one line it must print (exit 2, nothing written).
REFUSED = [
    ("adding a rejected id", ORIGINAL,
     ["add", "1910.03997v1", "--usecase", "x", "--topic", "Robotics"],
     "catalogue/ids.yaml:27: cannot add: 1910.03997 is rejected here; delete it from "
     "`rejected:` and add it again"),
    ("adding with a topic missing from settings.topics", ORIGINAL,
     ["add", "2104.11776", "--usecase", "x", "--topic", "Visoin"],
     "catalogue/ids.yaml:3: cannot add: topic 'Visoin' is not in settings.topics (did you "
     "mean 'Vision'?); fix it, or give --new-topic 'Visoin' to add it there"),
    ("removing an id not listed", ORIGINAL, ["remove", "2104.11776"],
     "catalogue/ids.yaml: cannot remove: 2104.11776 is not listed under `papers:`; check the id"),
    ("removing a rejected id", ORIGINAL, ["remove", "1910.03997"],
     "catalogue/ids.yaml:27: cannot remove: 1910.03997 is not listed under `papers:` but "
     "rejected here; delete it from `rejected:` to have it proposed again"),
    ("removing an invalid id", ORIGINAL, ["remove", "1813.07252"],
     "catalogue/ids.yaml: cannot remove: '1813.07252': 13 is not a month (YYMM is 1813)"),
    ("removing every paper", "papers:\n" + FIRST, ["remove", "1812.07252"],
     "catalogue/ids.yaml:1: cannot remove every paper: a catalogue lists at least one; add "
     "another first"),
    ("removing an entry whose anchor another entry uses",
     "papers:\n  - id: 1812.07252\n    usecase: A\n    topics: &robots [Robotics]\n"
     "  - id: 1612.07828\n    usecase: B\n    topics: *robots\n", ["remove", "1812.07252"],
     "catalogue/ids.yaml:5: cannot remove: this entry uses an anchor of a removed one "
     "(`*name`); write the value out here and remove again"),
    ("rejecting an id already rejected", ORIGINAL, ["reject", "arXiv:1910.03997"],
     "catalogue/ids.yaml:27: 1910.03997 is already rejected here"),
    ("rejecting an id given twice", ORIGINAL, ["reject", "2411.00231", "2411.00231v2"],
     "catalogue/ids.yaml: 2411.00231v2 is given twice"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "args", "message"), REFUSED,
                         ids=[c[0] for c in REFUSED])  # fmt: skip
def test_a_refused_edit_names_its_line_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    text: str,
    args: list[str],
    message: str,
) -> None:
    root = project(tmp_path, text)
    before = snapshot(root)
    code, out, err = run(capsys, root, *args)
    lost = "nothing written" if snapshot(root) == before else "the catalogue was changed"
    reliability.record(EDITS, case, f"exit {code}: `` {err.strip()} ``", lost)
    assert (code, out, err) == (2, "", f"Error: {message}\n")
    assert lost == "nothing written"
