"""The changelog: from two caches and a refresh's notes to Markdown, and the two commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from git_helpers import IDENTITY, ISOLATION, git, init_repository
from project import DOCUMENT, EXPORTS, ROOT, bundled_project

from litsync.cli import main
from litsync.commands.changes import changelog, compare, note_changes
from litsync.sources.record import Record
from litsync.store.cache import Cache
from litsync.store.run_notes import RunNotes

COMMITTED = Cache.load(ROOT / "catalogue" / "cache.json")
NEW = Record(
    id="2101.00042",
    version=1,
    requested="2101.00042",
    title="Sim-to-real with `code` and <b>tags</b>",
    authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
    abstract="An abstract.",
    published="2021-01-04T10:00:00Z",
    updated="2021-01-04T10:00:00Z",
    primary_category="cs.RO",
    categories=["cs.RO"],
)
# Its line in a changelog: fetched text escaped, at most three authors.
NEW_LINE = (
    "- 2101.00042v1: “Sim-to-real with \\`code\\` and \\<b\\>tags\\</b\\>” by Ada Lovelace, "
    "Alan Turing, Grace Hopper et al."
)


def changed(key: str, **fields: object) -> Record:
    record = COMMITTED.get(key)
    assert record is not None
    return record._replace(**fields)  # type: ignore[arg-type]


def every_kind_of_change() -> Cache:
    """The committed cache after a night on which everything that can happen did."""
    new = Cache(Path("cache.json"), COMMITTED.records)
    new.put(NEW)
    new.put(changed("1909.11512", version=2, updated="2026-11-20T10:00:00Z"))
    new.put(
        changed(
            "1703.00868",
            title="Synthetic data *is* model-based reasoning",
            authors=[*COMMITTED.records["1703.00868"].authors, "New Author"],
            abstract="A revised abstract.",
            doi="10.1000/x_1",
            journal_ref="NeurIPS 2017",
            categories=["cs.AI", "stat.ML"],
        )
    )
    new.put(changed("1812.07252", withdrawn=True, comment="This paper has been withdrawn"))
    new.put(changed("1810.10286", missing=True))
    del new.records["1701.01370"]
    return new


def test_every_kind_of_change_has_its_line() -> None:
    new = every_kind_of_change()
    found = compare(COMMITTED, new)
    notes = RunNotes.of(
        new.path,
        not_found=["2001.99999", "1810.10286"],
        rejected={"2001.00000": "incorrect id format for 2001.00000"},
        stale=["1905.09727", "2101.00001v2"],
        failure="arXiv could not be reached (connection failed)",
    )
    assert changelog(found + note_changes(notes, new, found)) == (
        "arXiv refresh: 1 new paper, 2 updated, 1 withdrawn, 1 removed, 3 not found, "
        "2 not refreshed\n"
        "\n"
        "### New papers\n"
        f"{NEW_LINE}\n"
        "\n"
        "### Updated\n"
        "- 1703.00868: title “Using Synthetic Data to Train Neural Networks is Model-Based "
        "Reasoning” → “Synthetic data \\*is\\* model-based reasoning”\n"
        "- 1703.00868: authors: added New Author\n"
        "- 1703.00868: abstract revised\n"
        "- 1703.00868: DOI added: 10.1000/x\\_1\n"
        "- 1703.00868: journal reference added: NeurIPS 2017\n"
        "- 1703.00868: also changed: categories\n"
        "- 1909.11512: new version v1 → v2\n"
        "\n"
        "### Withdrawn\n"
        "- 1812.07252: withdrawn in v3 (“This paper has been withdrawn”)\n"
        "\n"
        "### Removed\n"
        "- 1701.01370: removed from the list: “Learning from Synthetic Humans”\n"
        "\n"
        "### Not found\n"
        "- 1810.10286: arXiv no longer returns it; its last known data are kept\n"
        "- 2001.00000: rejected by arXiv (incorrect id format for 2001.00000)\n"
        "- 2001.99999: not found on arXiv; check the id in catalogue/ids.yaml\n"
        "\n"
        "### Not refreshed\n"
        "- 1905.09727: not refreshed, its cached data kept: arXiv could not be reached "
        "(connection failed)\n"
        "- 2101.00001v2: not fetched: arXiv could not be reached (connection failed)\n"
    )


def test_versions_going_back_authors_reordered_and_fields_removed() -> None:
    old = Cache(Path("old"), {"1703.00868": changed("1703.00868", doi="10.1/a", withdrawn=True)})
    record = changed("1703.00868", version=1, doi=None, missing=False)
    new = Cache(
        Path("new"),
        {"1703.00868": record._replace(authors=list(reversed(record.authors)), withdrawn=False)},
    )
    old.put(changed("1810.10286", version=2, missing=True))
    new.put(changed("1810.10286", version=1, requested="1810.10286v1"))
    assert [c.line for c in compare(old, new)] == [
        "- 1703.00868: authors reordered",
        "- 1703.00868: DOI removed (was 10.1/a)",
        "- 1703.00868: no longer marked withdrawn",
        "- 1810.10286: version v2 → v1",
        "- 1810.10286: also changed: catalogue id",
        "- 1810.10286: found on arXiv again",
    ]


def test_no_change_is_one_line() -> None:
    assert changelog(compare(COMMITTED, COMMITTED)) == "arXiv refresh: no changes\n"


def test_limit_keeps_the_summary_whole() -> None:
    new = every_kind_of_change()
    assert changelog(compare(COMMITTED, new), limit=2) == (
        "arXiv refresh: 1 new paper, 2 updated, 1 withdrawn, 1 removed, 1 not found\n"
        "\n"
        "### New papers\n"
        f"{NEW_LINE}\n"
        "\n"
        "### Updated\n"
        "- 1703.00868: title “Using Synthetic Data to Train Neural Networks is Model-Based "
        "Reasoning” → “Synthetic data \\*is\\* model-based reasoning”\n"
        "\n"
        "… and 9 more (see the diff of catalogue/cache.json)\n"
    )


def test_notes_of_another_cache_or_damaged_are_not_reported(tmp_path: Path) -> None:
    path, cache_file = tmp_path / "last-refresh.json", tmp_path / "cache.json"
    Cache(cache_file, COMMITTED.records).save()
    RunNotes.of(cache_file, not_found=["2001.99999"]).save(path)
    assert RunNotes.load(path, cache_file).not_found == ("2001.99999",)
    Cache(cache_file, every_kind_of_change().records).save()
    assert RunNotes.load(path, cache_file) == RunNotes()
    cache_file.unlink()
    assert RunNotes.load(path, cache_file) == RunNotes()
    RunNotes.of(cache_file, stale=["2001.99999"]).save(path)  # a refresh that saved none
    assert RunNotes.load(path, cache_file).stale == ("2001.99999",)
    path.write_text('{"not_found": ["not an id"]}', encoding="utf-8")
    assert RunNotes.load(path, cache_file) == RunNotes()


@pytest.fixture
def listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arxiv_server: ArxivServer
) -> tuple[Path, ArxivServer]:
    """The bundled list, committed in a git repository, and litsync pointed at the server."""
    for name, value in {**ISOLATION, **IDENTITY}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LITSYNC_API_URL", arxiv_server.url)
    monkeypatch.setenv("LITSYNC_DELAY", "0")
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / ".gitignore").write_text(".litsync/\n", encoding="utf-8")
    init_repository(root)
    return root, arxiv_server


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_changes_after_a_refresh_against_the_last_commit(
    listed: tuple[Path, ArxivServer], capsys: pytest.CaptureFixture[str]
) -> None:
    root, api = listed
    assert run(capsys, "changes", "--root", str(root)) == (0, "arXiv refresh: no changes\n", "")
    api.corpus["1909.11512"].add_version("2026-11-20T10:00:00Z")
    api.corpus["1703.00868"].title = "A new title"
    code, _, _ = run(capsys, "add", "2001.99999", "--usecase", "Ghost", "--topic", "Overview",
                     "--root", str(root))  # fmt: skip
    assert code == 0
    assert run(capsys, "refresh", "--force", "--root", str(root))[0] == 3
    code, out, err = run(capsys, "changes", "--root", str(root))
    assert (code, err) == (0, "")
    assert out == (
        "arXiv refresh: 2 updated, 1 not found\n"
        "\n"
        "### Updated\n"
        "- 1703.00868: title “Using Synthetic Data to Train Neural Networks is Model-Based "
        "Reasoning” → “A new title”\n"
        "- 1909.11512: new version v1 → v2\n"
        "\n"
        "### Not found\n"
        "- 2001.99999: not found on arXiv; check the id in catalogue/ids.yaml\n"
    )
    # Against the commit before the list existed, everything is new.
    git(root, "commit", "--quiet", "--allow-empty", "--message=Later")
    code, out, _ = run(capsys, "changes", "--base", "HEAD~1", "--limit", "1", "--root", str(root))
    assert out.splitlines()[0] == "arXiv refresh: 2 updated, 1 not found"


def test_commit_commits_the_generated_files_with_what_they_are_made_from(
    listed: tuple[Path, ArxivServer], capsys: pytest.CaptureFixture[str]
) -> None:
    root, api = listed
    assert run(capsys, "commit", "--root", str(root)) == (
        0,
        f"Nothing to commit: catalogue/ids.yaml, catalogue/cache.json, {DOCUMENT}, {EXPORTS[0]}, "
        f"{EXPORTS[1]} and templates/document.md.j2 are unchanged.\n",
        "",
    )
    api.corpus["1909.11512"].add_version("2026-11-20T10:00:00Z")
    assert run(capsys, "refresh", "--force", "--root", str(root))[0] == 0
    # The maintainer's other work stays theirs: staged or not, it is not committed; the
    # catalogue the files were made from is, so that a clone of the commit checks out.
    (root / "notes.txt").write_text("draft\n", encoding="utf-8")
    git(root, "add", "notes.txt")
    with (root / "catalogue" / "ids.yaml").open("a", encoding="utf-8") as ids:
        ids.write("# a comment\n")
    code, out, err = run(capsys, "commit", "--root", str(root))
    head = git(root, "rev-parse", "--short", "HEAD").strip()
    assert (code, out, err) == (0, f"Committed {head}: arXiv refresh: 1 updated\n", "")
    assert git(root, "log", "-1", "--format=%B") == (
        "arXiv refresh: 1 updated\n\n### Updated\n- 1909.11512: new version v1 → v2\n\n"
    )
    # The exports cite the new version's year, so they change with the document.
    assert git(root, "show", "--format=", "--name-only", "HEAD").split() == sorted(
        ["catalogue/ids.yaml", "catalogue/cache.json", str(DOCUMENT), *(str(e) for e in EXPORTS)]
    )
    assert git(root, "status", "--porcelain").splitlines() == ["A  notes.txt"]
    cache = json.loads(git(root, "show", "HEAD:catalogue/cache.json"))
    assert cache["papers"]["1909.11512"]["version"] == 2


def test_git_problems_are_one_line(
    tmp_path: Path, listed: tuple[Path, ArxivServer], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = listed
    assert run(capsys, "changes", "--base", "nope", "--root", str(root)) == (
        2,
        "",
        "Error: 'nope' is not a commit of this repository\n",
    )
    elsewhere = bundled_project(tmp_path / "no-git")
    code, _, err = run(capsys, "changes", "--root", str(elsewhere))
    assert (code, err) == (
        2,
        "Error: git rev-parse: not a git repository (or any of the parent directories): .git\n",
    )


def test_limit_must_be_a_positive_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["changes", "--limit", "0"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        "litsync changes: error: argument --limit: must be at least 1, not 0\n"
    )


def test_the_first_commit_of_a_new_list_holds_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**ISOLATION, **IDENTITY}.items():
        monkeypatch.setenv(name, value)
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    code, out, err = run(capsys, "commit", "--root", str(root))
    head = git(root, "rev-parse", "--short", "HEAD").strip()
    assert (code, out, err) == (0, f"Committed {head}: arXiv refresh: 12 new papers\n", "")
    assert git(root, "show", "--format=", "--name-only", "HEAD").split() == sorted(
        ["catalogue/ids.yaml", "catalogue/cache.json", str(DOCUMENT), *map(str, EXPORTS),
         "templates/document.md.j2"]
    )  # fmt: skip
    assert run(capsys, "check", "--root", str(root))[0] == 0
