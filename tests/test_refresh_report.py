"""`litsync refresh` names each new or changed paper by its title, after the summary line."""

from __future__ import annotations

from pathlib import Path

import pytest
from arxiv_server import ArxivServer, generate_papers
from project import bundled_project, generated_project, run

from litsync.commands.refresh import NAMED_PAPERS


def test_a_mistyped_id_shows_the_paper_it_resolves_to(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The maintainer meant another paper, and typed the id of this one.
    typed = generate_papers(1, seed=21)[0]
    api.add(typed)
    root = bundled_project(tmp_path, with_cache=True)
    added = ["add", typed.base_id, "--usecase", "Meant", "--topic", "Robotics"]
    assert run(capsys, *added, "--root", str(root))[0] == 0
    code, out, _ = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    assert out.splitlines()[:2] == [
        "Fetched 1 of 1 paper in 1 request: 1 new, 0 changed.",
        f"New: {typed.base_id} “{typed.title}”",
    ]


def test_a_changed_paper_says_what_changed_and_its_title(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    api.corpus["1909.11512"].add_version("2026-11-20T10:00:00Z")
    api.corpus["1703.00868"].title = "A new title"
    code, out, _ = run(capsys, "refresh", "--force", "--root", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Fetched 12 of 12 papers in 1 request: 0 new, 2 changed."
    assert sorted(lines[1:3]) == [
        "Changed: 1703.00868 (title “Using Synthetic Data to Train Neural Networks is "
        "Model-Based Reasoning” → “A new title”) “A new title”",
        "Changed: 1909.11512 (new version v1 → v2) “Synthetic Data for Deep Learning”",
    ]
    assert lines[3].startswith("Wrote ")


def test_a_long_list_of_new_papers_is_cut_short(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = generate_papers(NAMED_PAPERS + 5, seed=5)
    api.add(*papers)
    root = generated_project(tmp_path, papers)
    code, out, _ = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    lines = out.splitlines()
    titles = {f"New: {p.base_id} “{p.title}”" for p in papers}
    named = lines[1 : NAMED_PAPERS + 1]
    assert len(named) == NAMED_PAPERS and set(named) <= titles
    assert lines[NAMED_PAPERS + 1] == "… and 5 more (see `litsync changes`)"
    assert lines[NAMED_PAPERS + 2].startswith("Wrote ")


def test_nothing_new_names_no_paper(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    code, out, _ = run(capsys, "refresh", "--force", "--root", str(root))
    assert code == 0
    assert out.splitlines()[:2] == [
        "Fetched 12 of 12 papers in 1 request: 0 new, 0 changed.",
        "Wrote generated/synthetic-data-literature.md",
    ]
