"""`render` writes the document in a forked process beside the exports, and `check`
compares it there: the same files, the same messages and exit codes as when each does
them one after the other."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import sys
from pathlib import Path

import pytest
from forking import gone, record_forks
from project import DOCUMENT, EXPORTS, bundled_project

from litsync import catalogue
from litsync.catalogue import CATALOGUE_FILE
from litsync.catalogue_memo import MEMO_FILE as CATALOGUE_MEMO
from litsync.cli import main
from litsync.lock import LOCK_FILE
from litsync.render_memo import RENDER_MEMO

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")

Outcome = tuple[int, str, str, dict[str, bytes]]


def render(root: Path, capsys: pytest.CaptureFixture[str]) -> Outcome:
    """The exit code, what was printed, and every file of the list with its bytes, run
    state included (the memos must agree too), but for what tells one copy of a list
    from another: the catalogue memo and the render memo's key, made from it."""
    code = main(["render", "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err, files_of(root)


def files_of(root: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    files.pop(".litsync/catalogue.pickle", None)
    if str(RENDER_MEMO) in files:
        memo = json.loads(files[str(RENDER_MEMO)])
        files[str(RENDER_MEMO)] = json.dumps({**memo, "key": None}).encode()
    return files


def sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the bundled list, with the cache and without generated files."""
    one = bundled_project(tmp_path / "one", with_cache=True)
    return one, bundled_project(tmp_path / "two", with_cache=True)


def edit(root: Path) -> None:
    catalogue = root / "catalogue" / "ids.yaml"
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace("usecase: Robotic Grasping", "usecase: Grasping", 1))


def test_the_same_files_with_or_without_a_fork(
    twins: tuple[Path, Path],
    forks: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, two = twins
    # First from nothing (every entry made), then after an edit (entries from the memo).
    parallel = [render(one, capsys)]
    edit(one)
    parallel.append(render(one, capsys))
    assert len(forks) == 2 and all(gone(pid) for pid in forks)
    sequential(monkeypatch)
    alone = [render(two, capsys)]
    edit(two)
    alone.append(render(two, capsys))
    assert parallel == alone
    code, out, _, files = parallel[1]
    assert code == 0 and out.startswith(f"Wrote {DOCUMENT}\n")
    assert all(str(name) in files for name in (DOCUMENT, *EXPORTS))


def test_the_render_memo_holds_the_digest_of_the_childs_document(
    tmp_path: Path, forks: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    assert render(root, capsys)[0] == 0
    memo = json.loads((root / RENDER_MEMO).read_text(encoding="utf-8"))
    assert list(memo["files"]) == [str(DOCUMENT), *map(str, EXPORTS)]
    for name, digest in memo["files"].items():
        assert digest == hashlib.sha256((root / name).read_bytes()).hexdigest()
    # And it holds: the next render finds nothing to do, and forks nothing.
    code, out, _, _ = render(root, capsys)
    assert (code, out.splitlines()) == (0, [f"Unchanged: {n}" for n in (DOCUMENT, *EXPORTS)])
    assert len(forks) == 1


@pytest.mark.parametrize("fork", [True, False])
def test_the_catalogue_is_remembered_with_or_without_a_fork(
    tmp_path: Path,
    forks: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fork: bool,
) -> None:
    if not fork:
        sequential(monkeypatch)
    root = bundled_project(tmp_path, with_cache=True)
    memo = root / CATALOGUE_MEMO
    assert render(root, capsys)[0] == 0
    assert len(forks) == fork

    def remembered() -> catalogue.Catalogue:
        with memo.open("rb") as stream:
            pickle.load(stream)  # what it was made from
            loaded: catalogue.Catalogue = pickle.load(stream)
            return loaded

    assert remembered() == catalogue.load(root / CATALOGUE_FILE)
    # A render with nothing to do remembers it too, when the memo is gone.
    memo.unlink()
    code, out, _, _ = render(root, capsys)
    assert (code, out.splitlines()) == (0, [f"Unchanged: {n}" for n in (DOCUMENT, *EXPORTS)])
    assert remembered() == catalogue.load(root / CATALOGUE_FILE)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("# {{ document.titel }}\n",
         "Error: templates/document.md.j2:1: 'litsync.render.DocumentView object' has no "
         "attribute 'titel'; the template may use only `document` (see README)\n"),
        ("# {{ document.title }}\n{% for p in %}\n",
         "Error: templates/document.md.j2:2: template syntax error: Expected an expression, "
         "got 'end of statement block'\n"),
    ],
)  # fmt: skip
def test_a_broken_template_fails_in_the_child_as_it_does_alone(
    twins: tuple[Path, Path],
    forks: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    message: str,
) -> None:
    for root in twins:
        (root / "templates" / "document.md.j2").write_text(template, encoding="utf-8")
    before = files_of(twins[0])
    code, out, err, files = render(twins[0], capsys)
    assert (code, out, err) == (6, "", message)
    assert len(forks) == 1 and gone(forks[0])
    # The exports, written meanwhile by the parent, did not replace their files either;
    # only the lock the render held is new.
    assert files == {**before, str(LOCK_FILE): b""}
    assert not any(name in files for name in (str(DOCUMENT), *map(str, EXPORTS)))
    sequential(monkeypatch)
    assert render(twins[1], capsys) == (code, out, err, files)


def test_an_export_that_cannot_be_written_fails_as_it_does_alone(
    twins: tuple[Path, Path],
    forks: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for root in twins:
        (root / EXPORTS[0]).mkdir(parents=True)  # a folder where the file should go
    code, out, err, files = render(twins[0], capsys)
    assert (code, out) == (1, "")
    assert err == f"Error: [Errno 21] Is a directory: '{twins[0] / EXPORTS[0]}'\n"
    assert gone(forks[0])
    sequential(monkeypatch)
    alone = render(twins[1], capsys)
    assert alone[:2] == (code, out) and alone[2] == err.replace(str(twins[0]), str(twins[1]))
    # The document, written before the failing export in sequence, is written either way.
    assert files[str(DOCUMENT)] == alone[3][str(DOCUMENT)]


@pytest.mark.parametrize(
    ("death", "how"),
    [
        (lambda: os.kill(os.getpid(), signal.SIGKILL), "killed by SIGKILL"),
        (lambda: os._exit(3), "exit code 3"),
    ],
)
def test_a_child_that_dies_is_a_clear_error(
    tmp_path: Path,
    forks: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    death: object,
    how: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    parent = os.getpid()
    replace = os.replace

    def dying(source: str, target: str) -> None:
        if os.getpid() != parent:
            death()  # type: ignore[operator]
        replace(source, target)

    monkeypatch.setattr(os, "replace", dying)  # the child dies as it replaces the document
    code, out, err, files = render(root, capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"Error: rendering {DOCUMENT}: its process ended without a result ({how}); run again\n"
    )
    assert len(forks) == 1 and gone(forks[0])
    assert str(DOCUMENT) not in files and str(RENDER_MEMO) not in files
    # Only the document was lost: the next render writes it, and removes the temporary
    # file the child left as it died.
    left = list((root / DOCUMENT).parent.glob(".*.litsync-tmp"))
    assert [p.name.split(".")[1] for p in left] == [DOCUMENT.stem]
    monkeypatch.setattr(os, "replace", replace)
    shutil.rmtree(root / ".litsync")
    assert render(root, capsys)[0] == 0
    assert not any(p.exists() for p in left)


def spoil(root: Path, name: str) -> None:
    """Put the list in the state `name` of CHECKED."""
    if name != "never rendered":
        assert main(["render", "--root", str(root)]) == 0
    if name == "document edited":
        with (root / DOCUMENT).open("a", encoding="utf-8") as stream:
            stream.write("An edit by hand.\n")
    elif name == "an export edited":
        (root / EXPORTS[1]).write_bytes((root / EXPORTS[1]).read_bytes().replace(b"2", b"3", 1))
    elif name == "template broken":
        (root / "templates" / "document.md.j2").write_text("{{ document.titel }}", "utf-8")


CHECKED = ["up to date", "document edited", "an export edited", "never rendered", "template broken"]


@pytest.fixture(params=CHECKED)
def spoiled(request: pytest.FixtureRequest, twins: tuple[Path, Path]) -> tuple[str, Path, Path]:
    """The state's name, and the two copies of the list in that state."""
    for root in twins:
        spoil(root, request.param)
    return request.param, *twins


def test_check_compares_the_document_in_the_child_as_it_does_alone(
    spoiled: tuple[str, Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name, one, two = spoiled
    capsys.readouterr()
    forks = record_forks(monkeypatch)
    before = files_of(one)
    parallel = main(["check", "--root", str(one)]), *capsys.readouterr()
    assert len(forks) == 1 and gone(forks[0])
    assert files_of(one) == before  # check writes nothing
    sequential(monkeypatch)
    assert (main(["check", "--root", str(two)]), *capsys.readouterr()) == parallel
    assert parallel[0] == {"up to date": 0, "template broken": 6}.get(name, 5)
