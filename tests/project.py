"""Test projects: copies of the bundled catalogue and templates in a temporary folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Paper

from litsync.cli import main
from litsync.store.schedule import STATE_FILE, CheckLog

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = Path("generated") / "synthetic-data-literature.md"
EXPORTS = (Path("generated") / "references.bib", Path("generated") / "papers.json")


def bundled_project(tmp_path: Path, with_cache: bool = False, with_document: bool = False) -> Path:
    """The repository's catalogue and templates (and, if asked, its committed cache and
    generated files: the document and its exports).

    With the cache comes a check log saying every paper was checked today, so that no
    paper's re-check night makes a test's requests depend on the calendar.
    """
    root = tmp_path / "list"
    (root / "catalogue").mkdir(parents=True)
    shutil.copy(ROOT / "catalogue" / "ids.yaml", root / "catalogue" / "ids.yaml")
    if with_cache:
        shutil.copy(ROOT / "catalogue" / "cache.json", root / "catalogue" / "cache.json")
        checks = CheckLog(root / STATE_FILE)
        checks.mark(
            json.loads((ROOT / "catalogue" / "cache.json").read_text())["papers"], date.today()
        )
        checks.save()
    shutil.copytree(ROOT / "templates", root / "templates")
    if with_document:
        (root / DOCUMENT).parent.mkdir()
        for name in (DOCUMENT, *EXPORTS):
            shutil.copy(ROOT / name, root / name)
    return root


def empty_project(tmp_path: Path) -> Path:
    """A list repository before litsync: the templates, and no catalogue yet."""
    root = tmp_path / "new"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def generated_project(
    tmp_path: Path, papers: Sequence[Paper], ids: Sequence[str] | None = None
) -> Path:
    """A catalogue listing `papers`, in the bundled catalogue's style; `ids` are their
    identifiers as written (default: the bare ones)."""
    root = tmp_path / "big"
    (root / "catalogue").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", root / "templates")
    lines = ["settings:", "  title: Generated list", "papers:"]
    for number, text in enumerate(ids or [p.base_id for p in papers]):
        lines += [
            f"  - id: {text}",
            f"    usecase: Use {number % 7}",
            f"    topics: [Topic {number % 5}]",
        ]
    (root / "catalogue" / "ids.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to prove a run changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".litsync" not in p.parts
    }


def files_under(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (run state too, the lock file aside) with its bytes and
    mode, to prove a run wrote nothing, inside the repository or beside it."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != "lock"
    }


def refused_by_every_command(
    root: Path,
    server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    code: int,
    message: str,
    watched: Path | None = None,
) -> str:
    """refresh, render and check each exit `code` with the same one `Error: …` line,
    starting with `message`, having asked arXiv nothing and written nothing under
    `watched` (the list, unless told); return that line."""
    watched = watched or root
    before = files_under(watched)
    printed = set()
    for command in (["refresh", "--force", "--api-url", server.url, "--delay", "0"],
                    ["render"], ["check"]):  # fmt: skip
        got, out, err = run(capsys, *command, "--root", str(root))
        assert got == code, (command, err)
        assert err.startswith(f"Error: {message}"), err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "Wrote" not in out
        printed.add(err.strip())
    assert server.requests == []
    assert files_under(watched) == before
    assert len(printed) == 1  # every command says the same
    return printed.pop()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`litsync ARGS` in this process: exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
