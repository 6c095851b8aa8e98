"""`litsync check --online`: a typo'd id fails the pull request that adds it, and plain
`check` stays offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from arxiv_server import ArxivServer, generate_papers
from conftest import ReliabilityLog
from project import DOCUMENT, bundled_project, run, snapshot
from test_reliability import BAD_INPUT, SERVICE

FILES = (
    "generated/synthetic-data-literature.md, generated/references.bib and "
    "generated/papers.json are up to date."
)


def listed(root: Path, *ids: str) -> list[int]:
    """Append papers with these ids to the catalogue; return the line of each entry."""
    path = root / "catalogue" / "ids.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = []
    for arxiv_id in ids:
        lines += ["", f"  - id: {arxiv_id}", "    usecase: Added in a pull request"]
        lines += ["    topics: [Robotics]"]
        starts.append(len(lines) - 2)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return starts


def written(root: Path, before: dict[str, bytes]) -> str:
    """What the check wrote, in RELIABILITY.md's words."""
    return "nothing written" if snapshot(root) == before else "files changed"


def test_check_online_fails_naming_each_id_arxiv_does_not_know(
    tmp_path: Path,
    api: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    first, second = listed(root, "2101.99999", "1812.07253")
    before = snapshot(root)
    code, out, err = run(capsys, "check", "--online", "--root", str(root))
    assert code == 3
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert errors == [
        f"Error: catalogue/ids.yaml:{first}: arXiv does not know 2101.99999; fix the id or "
        "remove the entry",
        f"Error: catalogue/ids.yaml:{second}: arXiv does not know 1812.07253; fix the id or "
        "remove the entry",
    ]
    # One request for both, and one more to be sure arXiv did not just drop them.
    assert [r.ids for r in api.requests] == [["2101.99999", "1812.07253"]] * 2
    assert snapshot(root) == before
    assert not (root / ".litsync" / "last-refresh.json").exists()
    reliability.record(BAD_INPUT, "`check --online` with two ids arXiv does not know",
                       f"exit {code}: `` {errors[0]} `` and one such line for the other",
                       written(root, before))  # fmt: skip


def test_check_online_names_an_id_arxiv_rejects(
    tmp_path: Path,
    api: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (line,) = listed(root, "2101.99999")
    api.rejected_ids.add("2101.99999")
    before = snapshot(root)
    code, _, err = run(capsys, "check", "--online", "--root", str(root))
    assert code == 3
    error = err.splitlines()[-1]
    assert error == (
        f"Error: catalogue/ids.yaml:{line}: arXiv rejected 2101.99999 (HTTP 400 (incorrect id "
        "format for 2101.99999)); fix the id"
    )
    assert snapshot(root) == before
    reliability.record(BAD_INPUT, "`check --online` with an id arXiv rejects (HTTP 400)",
                       f"exit {code}: `` {error} ``",
                       written(root, before))  # fmt: skip


def test_check_online_passes_when_arxiv_knows_the_papers_not_fetched_yet(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (paper,) = generate_papers(1, seed=21)
    api.add(paper)
    listed(root, paper.base_id)
    before = snapshot(root)
    code, out, _ = run(capsys, "check", "--online", "--root", str(root))
    assert code == 0
    assert out == f"OK: 14 papers (1 not fetched yet, found on arXiv); {FILES}\n"
    assert [r.ids for r in api.requests] == [[paper.base_id]]
    assert snapshot(root) == before


def test_check_online_asks_nothing_when_every_paper_is_cached(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    code, out, _ = run(capsys, "check", "--online", "--root", str(root))
    assert (code, out) == (0, f"OK: 13 papers; {FILES}\n")
    assert api.requests == []


def test_plain_check_stays_offline_and_counts_the_papers_not_fetched_yet(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    listed(root, "2101.99999")
    code, out, _ = run(capsys, "check", "--root", str(root))
    assert (code, out) == (0, f"OK: 14 papers (1 not fetched yet); {FILES}\n")
    assert api.requests == []


def test_check_online_reports_a_stale_document_without_asking_arxiv(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    listed(root, "2101.99999")
    (root / DOCUMENT).write_text("edited by hand\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--online", "--root", str(root))
    assert code == 5
    assert err.splitlines()[-1] == (
        f"Error: {DOCUMENT} is not what `litsync render` writes; run `litsync render` and "
        "commit the result"
    )
    assert api.requests == []


def test_check_online_when_arxiv_cannot_be_reached_says_so_in_one_line(
    tmp_path: Path,
    unreachable: str,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    listed(root, "2101.99999", "2101.99998")
    before = snapshot(root)
    code, out, err = run(capsys, "check", "--online", "--root", str(root))
    assert code == 4
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: arXiv could not be reached (connection failed); 2 papers not checked: "
        "2101.99999, 2101.99998"
    ]
    assert snapshot(root) == before
    reliability.record(SERVICE, "`check --online` while arXiv cannot be reached",
                       f"exit {code}: `` {errors[0]} ``",
                       written(root, before))  # fmt: skip
