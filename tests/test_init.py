"""`litsync init`, and how every other command finds the list it works on."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from arxiv_server import ArxivServer
from conftest import ReliabilityLog
from git_helpers import git, init_repository
from project import DOCUMENT, ROOT, bundled_project, run
from test_workflows import PINNED, steps

from litsync import __version__
from litsync.catalogue.load import load
from litsync.commands.init import LIST_FILES

SECTION = "Finding the list"
WRITTEN = [
    "catalogue/ids.yaml",
    ".gitignore",
    "requirements.txt",
    ".github/workflows/nightly.yml",
    ".github/scripts/nightly.sh",
    ".github/workflows/check.yml",
]
DEFAULT_TEMPLATE = files("litsync") / "templates" / "document.md.j2"
ADD = ["add", "1812.07252", "1612.07828", "--usecase", "Sim-to-real", "--topic", "Robotics"]


def everything(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under `folder`, to prove a run wrote nothing;
    the project lock aside (a refresh takes it before it reads the catalogue)."""
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None
        for path in sorted(folder.rglob("*"))
        if str(path.relative_to(folder)) not in (".litsync", ".litsync/lock")
    }


def lost(before: dict[str, bytes | None], after: dict[str, bytes | None]) -> str:
    """What a refused run did to the files: nothing, or what it wrote or removed."""
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path, b"")
                     != after.get(path, b""))  # fmt: skip
    return "nothing written" if not changed else f"changed {', '.join(changed)}"


def new_list(tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> Path:
    root = tmp_path / "list"
    code, _, err = run(capsys, "init", str(root), *options)
    assert code == 0, err
    return root


def test_init_writes_a_commented_list_its_gitignore_and_workflows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "a" / "list"  # created, with the folder above it
    code, out, err = run(capsys, "init", str(root))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        *(f"Wrote {path}" for path in WRITTEN),
        f"Started a list in {root}. Next: set the title and topics in catalogue/ids.yaml, add "
        "papers (`litsync add ID --usecase TEXT --topic TOPIC`), run `litsync refresh` and "
        "commit; before pushing, point requirements.txt at where litsync is published.",
    ]
    assert sorted(everything(root)) == sorted(
        [*WRITTEN, "catalogue", ".github", ".github/workflows", ".github/scripts"]
    )
    catalogue = load(root / "catalogue" / "ids.yaml", require_papers=False)
    assert catalogue.settings.title == "Literature"
    assert catalogue.settings.topics == ("Robotics", "Humans")
    assert catalogue.entries == ()
    text = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    assert "\n  # - id: 1812.07252\n  #   usecase: Robotic Grasping\n" in text
    requirements = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    # Nothing is installed until the maintainer points the line at where litsync lives.
    assert requirements[-1] == f"# litsync @ git+https://github.com/OWNER/litsync@v{__version__}"
    assert all(line.startswith("# ") for line in requirements)
    assert "belongs to another project" in " ".join(requirements)
    assert (root / ".github" / "scripts" / "nightly.sh").stat().st_mode & stat.S_IXUSR


def test_a_fresh_list_says_it_has_no_papers_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reliability: ReliabilityLog
) -> None:
    root = new_list(tmp_path, capsys)
    before = everything(root)
    printed = set()
    for command in (["check"], ["refresh"], ["render"]):
        code, out, err = run(capsys, *command, "--root", str(root))
        assert (code, out) == (2, "")
        printed.add(err)
    assert printed == {
        "Error: catalogue/ids.yaml:16: no papers yet; add one with "
        "`litsync add ID --usecase TEXT --topic TOPIC`\n"
    }
    reliability.record(SECTION, "a list just started by `init`, no paper added yet: `check`, "
                       "`refresh`, `render`", f"exit 2: `` {printed.pop().strip()} ``",
                       lost(before, everything(root)))  # fmt: skip


def test_a_new_list_with_papers_refreshes_checks_and_commits_only_its_own_files(
    tmp_path: Path,
    api: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = new_list(tmp_path, capsys)
    monkeypatch.chdir(root)
    assert run(capsys, *ADD)[0] == 0
    text = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    assert text.endswith(
        "papers:\n"
        "  - id: 1812.07252\n    usecase: Sim-to-real\n    topics: [Robotics]\n"
        "  - id: 1612.07828\n    usecase: Sim-to-real\n    topics: [Robotics]\n"
        "  # - id: 1812.07252\n  #   usecase: Robotic Grasping\n  #   topics: [Robotics]\n"
    )
    code, out, err = run(capsys, "refresh")
    assert code == 0, err
    assert out.splitlines()[-3:] == [
        "Wrote generated/literature.md",
        "Wrote generated/references.bib",
        "Wrote generated/papers.json",
    ]
    (root / "generated" / ".literature.md.x.litsync-tmp").write_text("left by a killed run")
    monkeypatch.chdir(root / "generated")
    assert run(capsys, "check") == (
        0,
        "OK: 2 papers; generated/literature.md, generated/references.bib and "
        "generated/papers.json are up to date.\n",
        "",
    )
    # What the maintainer commits: everything but run state and temporary files.
    init_repository(root)
    committed = git(root, "ls-files").split()
    generated = ["generated/literature.md", "generated/references.bib", "generated/papers.json"]
    assert sorted(committed) == sorted([*WRITTEN, "catalogue/cache.json", *generated])
    assert (root / ".litsync" / "state.json").is_file()


def test_init_template_writes_the_default_template_which_the_document_then_uses(
    tmp_path: Path,
    api: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "list"
    code, out, _ = run(capsys, "--root", str(root), "init", "--template")
    assert code == 0
    assert out.splitlines()[len(WRITTEN)] == "Wrote templates/document.md.j2"
    template = root / "templates" / "document.md.j2"
    assert template.read_bytes() == DEFAULT_TEMPLATE.read_bytes()
    monkeypatch.chdir(root)
    assert run(capsys, *ADD)[0] == 0
    assert run(capsys, "refresh")[0] == 0
    template.write_text(template.read_text(encoding="utf-8") + "Edited by hand.\n")
    assert run(capsys, "render")[0] == 0
    document = (root / "generated" / "literature.md").read_text(encoding="utf-8")
    assert document.endswith("\nEdited by hand.\n")


def test_init_overwrites_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reliability: ReliabilityLog
) -> None:
    root = tmp_path / "list"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".gitignore").write_text("*.pyc\n")
    (root / ".github" / "workflows" / "check.yml").write_text("name: mine\n")
    before = everything(root)
    code, out, err = run(capsys, "init", str(root), "--template")
    assert (code, out) == (2, "")
    assert err == (
        f"Error: {root} already has .gitignore, .github/workflows/check.yml; `litsync init` "
        "overwrites nothing: move them away, or start the list in another folder\n"
    )
    assert everything(root) == before
    reliability.record(SECTION, "`init` in a folder that already has some of its files",
                       f"exit 2: `` {err.strip().replace(str(tmp_path), '/tmp/…')} ``",
                       lost(before, everything(root)))  # fmt: skip


def test_init_takes_its_folder_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--root", str(tmp_path / "a"), "init", str(tmp_path / "b"))
    assert (code, err) == (2, "Error: give the new list's folder once: as DIR or as --root\n")
    assert everything(tmp_path) == {}


def parsed(path: Path) -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return workflow


def test_the_nightly_init_writes_is_the_repositorys_own_but_for_installing_litsync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_list(tmp_path, capsys)
    github = ROOT / ".github"
    script = root / ".github" / "scripts" / "nightly.sh"
    assert script.read_bytes() == (github / "scripts" / "nightly.sh").read_bytes()
    ours = parsed(github / "workflows" / "nightly.yml")
    for step in steps(ours):
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"]["cache-dependency-path"] == "pyproject.toml"
            step["with"]["cache-dependency-path"] = "requirements.txt"
        if step.get("name") == "Install litsync":
            assert step["run"] == "pip install ."
            step["run"] = "pip install -r requirements.txt"
    assert parsed(root / ".github" / "workflows" / "nightly.yml") == ours


def test_the_check_workflow_installs_litsync_as_the_nightly_does_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflows = new_list(tmp_path, capsys) / ".github" / "workflows"
    check, nightly = parsed(workflows / "check.yml"), parsed(workflows / "nightly.yml")
    # PyYAML reads the key `on` as True (YAML 1.1).
    assert set(check[True]) == {"push", "pull_request"}
    assert check["permissions"] == {"contents": "read"}
    runs = [step.get("run") for step in steps(check)]
    assert runs[-2:] == ["pip install -r requirements.txt", "litsync check --online"]
    install = [s for s in steps(nightly) if s.get("uses", "").startswith("actions/setup-python@")]
    assert [s for s in steps(check) if s.get("uses", "").startswith("actions/setup-python@")] == (
        install
    )
    for name in ("check.yml", "nightly.yml"):
        workflow = parsed(workflows / name)
        uses = [step["uses"] for step in steps(workflow) if "uses" in step]
        assert [u for u in uses if not PINNED.match(u)] == []
        assert all(job["timeout-minutes"] <= 30 for job in workflow["jobs"].values())


def test_the_workflows_init_writes_pass_actionlint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    here = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    actionlint = shutil.which("actionlint", path=here)
    if actionlint is None:
        pytest.skip("actionlint is not installed: pip install -e '.[actionlint]'")
    root = new_list(tmp_path, capsys)
    init_repository(root)
    done = subprocess.run(
        [actionlint, "-no-color"], cwd=root, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "")


def test_every_command_finds_the_list_from_a_folder_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    monkeypatch.chdir(root / DOCUMENT.parent)
    code, out, _ = run(capsys, "check")
    assert (code, out.split(";")[0]) == (0, "OK: 13 papers")
    code, out, _ = run(capsys, "render")
    assert (code, out.splitlines()[0]) == (0, f"Unchanged: {DOCUMENT}")
    code, out, _ = run(capsys, "add", "2104.11777", "--usecase", "x", "--topic", "Robotics")
    assert (code, out.splitlines()[0]) == (0, "Added 2104.11777 to catalogue/ids.yaml")
    assert "2104.11777" in (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    assert not (root / DOCUMENT.parent / "catalogue").exists()


def every_command(server: ArxivServer) -> list[list[str]]:
    """Each command that works on a list, with what it needs to run."""
    network = ["--api-url", server.url, "--delay", "0"]
    return [["refresh", *network], ["render"], ["render", "--draft"], ["check"],
            ["add", "1812.07252", "--usecase", "x", "--topic", "Robotics"], ["changes"],
            ["commit"], ["discover", "--query", "ti:x", *network]]  # fmt: skip


def refused_by_every_command(
    capsys: pytest.CaptureFixture[str], server: ArxivServer, *root: str
) -> str:
    """The one line every command prints, refusing where no list is; it exits 2."""
    printed = set()
    for command in every_command(server):
        code, out, err = run(capsys, *command, *root)
        assert (code, out, err.count("\n")) == (2, "", 1), (command, err)
        printed.add(err.strip())
    assert server.requests == []
    assert len(printed) == 1
    return printed.pop()


def test_without_root_no_list_from_here_up_is_refused_naming_the_folders_searched(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    here = tmp_path / "a" / "b"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    before = everything(tmp_path)
    line = refused_by_every_command(capsys, arxiv_server)
    searched = ", ".join(map(str, [here, here.parent, *here.parent.parents]))
    assert line == (
        f"Error: no list here: none of {searched} has catalogue/ids.yaml; start one with "
        "`litsync init`, or give --root the list's folder"
    )
    above = ", ".join(map(str, tmp_path.parents))
    shown = line.replace(above, "…").replace(str(tmp_path), "/tmp/…")
    reliability.record(SECTION, "every command but `init` and `import`, in a folder no list "
                       "holds, without --root", f"exit 2: `` {shown} ``",
                       lost(before, everything(tmp_path)))  # fmt: skip


@pytest.mark.parametrize("exists", [False, True], ids=["missing", "empty"])
def test_a_root_that_holds_no_list_is_refused_pointing_at_init(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    exists: bool,
) -> None:
    root = tmp_path / "list"
    if exists:
        root.mkdir()
    before = everything(tmp_path)
    line = refused_by_every_command(capsys, arxiv_server, "--root", str(root))
    assert line == (
        f"Error: no list in {root}: it has no catalogue/ids.yaml; start one with "
        f"`litsync init {root}`, or give --root the list's folder"
    )
    assert root.exists() == exists
    case = "an empty folder" if exists else "a folder that does not exist"
    reliability.record(SECTION, f"every command but `init` and `import`, given as --root {case}",
                       f"exit 2: `` {line.replace(str(tmp_path), '/tmp/…')} ``",
                       lost(before, everything(tmp_path)))  # fmt: skip


def test_import_starts_a_list_only_in_a_folder_that_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reliability: ReliabilityLog
) -> None:
    listing = tmp_path / "list.md"
    listing.write_text("## Papers\n\n- [A](https://arxiv.org/abs/1812.07252)\n")
    before = everything(tmp_path)
    root = tmp_path / "missing"
    code, out, err = run(capsys, "import", "--offline", str(listing), "--root", str(root))
    assert (code, out) == (2, "")
    assert err == f"Error: no folder {root}: create it, or give --root the list's folder\n"
    assert everything(tmp_path) == before
    reliability.record(SECTION, "`import` given as --root a folder that does not exist",
                       f"exit 2: `` {err.strip().replace(str(tmp_path), '/tmp/…')} ``",
                       lost(before, everything(tmp_path)))  # fmt: skip


def test_the_package_ships_every_file_init_writes() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 on
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = shipped["tool"]["setuptools"]["package-data"]["litsync"]
    package = ROOT / "src" / "litsync"
    templates = sorted((package / "templates" / "init").iterdir())
    assert [t.name for t in templates] == sorted(LIST_FILES.values())
    unshipped = [t for t in templates
                 if not any(fnmatch(str(t.relative_to(package)), p) for p in patterns)]  # fmt: skip
    assert unshipped == []
