"""Paths the settings name, the add/refresh race, template symlinks and damaged caches:
litsync writes only inside the list's repository, outside the folders it reads, and
never rewrites a cache it could not read whole (and docs/RELIABILITY.md says so)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from conftest import ReliabilityLog
from project import DOCUMENT, bundled_project, files_under, refused_by_every_command

from litsync.cli import main
from litsync.commands.refresh import refresh, render
from litsync.errors import EXIT_BAD_CACHE, EXIT_BAD_INPUT, EXIT_BAD_TEMPLATE, LockedError
from litsync.files import project_lock
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig

SECTION = "Paths, races and damaged caches"
OUTPUT_LINE = "  output: generated/synthetic-data-literature.md\n"
LONG_NAME = "a" * 5000


def record_refusal(reliability: ReliabilityLog, case: str, line: str, code: int) -> None:
    reliability.record(SECTION, case, f"exit {code}: `` {line} ``", "nothing written")


def with_settings(root: Path, lines: str) -> None:
    """Put `lines` in ids.yaml's `settings:` block in place of its `output:`."""
    catalogue = root / "catalogue" / "ids.yaml"
    text = catalogue.read_text(encoding="utf-8")
    assert OUTPUT_LINE in text
    catalogue.write_text(text.replace(OUTPUT_LINE, lines), encoding="utf-8")


SETTING_LINE = 28  # the `output:` line of the bundled ids.yaml


@pytest.mark.parametrize(
    ("case", "lines", "message"),
    [
        ("`output: catalogue/ids.yaml`", "  output: catalogue/ids.yaml\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output 'catalogue/ids.yaml' is in "
         "catalogue/, which holds the catalogue and its cache; choose a file outside"),
        ("`output: catalogue/cache.json`", "  output: catalogue/cache.json\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output 'catalogue/cache.json' is in "
         "catalogue/"),
        ("`output: .git/hooks/pre-commit`", "  output: .git/hooks/pre-commit\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output '.git/hooks/pre-commit' is in "
         ".git/, which holds git's own files"),
        ("`output: generated/references.bib` (the BibTeX export's file)",
         "  output: generated/references.bib\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output 'generated/references.bib' is "
         "an export's file (settings.exports); choose another file for the document"),
        ("`output: ../victim.sh`", "  output: ../victim.sh\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output '../victim.sh' leads out of the "
         "repository (`..`)"),
        ("`output:` an absolute path", "  output: {outside}/victim.sh\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output '/"),
        ("`output: ''`", "  output: ''\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output '' names no file"),
        ("`output:` a 5,000-character name", f"  output: generated/{LONG_NAME}.md\n",
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.output 'generated/aaaa"),
        ("`discover.output: generated/papers.json` (the CSL-JSON export's file)",
         OUTPUT_LINE + "  discover:\n    output: generated/papers.json\n",
         f"catalogue/ids.yaml:{SETTING_LINE + 2}: settings.discover.output "
         "'generated/papers.json' is an export's file (settings.exports)"),
        ("`discover.output` the document's file",
         OUTPUT_LINE + "  discover:\n    output: generated/synthetic-data-literature.md\n",
         f"catalogue/ids.yaml:{SETTING_LINE + 2}: settings.output and settings.discover.output "
         "both name 'generated/synthetic-data-literature.md'"),
        ("`discover.output: ../candidates.md`",
         OUTPUT_LINE + "  discover:\n    output: ../candidates.md\n",
         f"catalogue/ids.yaml:{SETTING_LINE + 2}: settings.discover.output '../candidates.md' "
         "leads out of the repository"),
        ("`template: ../.git/config`", "  template: ../.git/config\n" + OUTPUT_LINE,
         f"catalogue/ids.yaml:{SETTING_LINE}: settings.template '../.git/config' leads out of "
         "templates/ (`..`)"),
    ],
)  # fmt: skip
def test_a_path_setting_outside_the_repository_or_into_its_own_files_is_refused(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    lines: str,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    victim = tmp_path / "victim.sh"
    victim.write_text("#!/bin/sh\necho kept\n", encoding="utf-8")
    victim.chmod(0o755)
    with_settings(root, lines.format(outside=tmp_path))
    line = refused_by_every_command(
        root, arxiv_server, capsys, EXIT_BAD_INPUT, message, watched=tmp_path
    )
    assert len(line) < 400  # a long name is quoted shortened
    if "{outside}" in lines:  # an absolute path outside the repository, the test's own
        assert "is an absolute path; give one relative to the repository" in line
        line = re.sub(r"'/[^']*'", "'/tmp/…/victim.sh'", line)
    record_refusal(reliability, case, line, EXIT_BAD_INPUT)


def test_an_output_that_is_a_folder_is_refused_before_anything_is_written(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    with_settings(root, "  output: generated\n")
    message = "catalogue/ids.yaml: settings.output 'generated' is a folder; name a file"
    line = refused_by_every_command(
        root, arxiv_server, capsys, EXIT_BAD_INPUT, message, watched=tmp_path
    )
    record_refusal(reliability, "`output: generated` (a folder)", line, EXIT_BAD_INPUT)


@pytest.mark.parametrize(
    ("case", "link", "target", "message"),
    [
        ("`generated/` a symbolic link out of the repository", "generated", "../outside",
         "catalogue/ids.yaml: settings.output 'generated/synthetic-data-literature.md' leads, "
         "through a symbolic link, to "),
        ("`generated/` a symbolic link to `catalogue/`", "generated", "catalogue",
         "catalogue/ids.yaml: settings.output 'generated/synthetic-data-literature.md' leads, "
         "through a symbolic link, into catalogue/, which holds the catalogue and its cache"),
        ("`generated/` a symbolic link to itself", "generated", "generated",
         "catalogue/ids.yaml: settings.output 'generated/synthetic-data-literature.md' cannot "
         "be written (Too many levels of symbolic links); choose another file"),
        ("`generated/` a file", "generated", None,
         "catalogue/ids.yaml: settings.output 'generated/synthetic-data-literature.md' cannot "
         "be written (Not a directory); choose another file"),
        ("`generated/references.bib` a symbolic link out of the repository",
         "generated/references.bib", "../../outside/references.bib",
         "catalogue/ids.yaml: the export 'generated/references.bib' leads, "
         "through a symbolic link, to "),
    ],
)  # fmt: skip
def test_a_symbolic_link_out_of_the_repository_is_not_written_through(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    link: str,
    target: str | None,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    (tmp_path / "outside").mkdir()
    (root / link).parent.mkdir(exist_ok=True)
    if target is None:
        (root / link).write_text("a file\n", encoding="utf-8")
    else:
        (root / link).symlink_to(target)
    line = refused_by_every_command(
        root, arxiv_server, capsys, EXIT_BAD_INPUT, message, watched=tmp_path
    )
    assert list((tmp_path / "outside").iterdir()) == []
    assert sorted(p.name for p in (root / "catalogue").iterdir()) == ["cache.json", "ids.yaml"]
    record_refusal(reliability, case, line.replace(str(tmp_path), "/tmp/…"), EXIT_BAD_INPUT)


def test_discover_writes_no_review_file_through_a_link_out_of_the_repository(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    (tmp_path / "outside").mkdir()
    (root / "review").symlink_to("../outside")
    with_settings(root, OUTPUT_LINE + "  discover:\n    output: review/candidates.md\n")
    before = files_under(tmp_path)
    code = main(["discover", "--root", str(root), "--query", "ti:synthetic",
                 "--api-url", arxiv_server.url, "--delay", "0"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT
    assert err.startswith(
        "Error: catalogue/ids.yaml: settings.discover.output 'review/candidates.md' leads, "
        "through a symbolic link, to "
    )
    assert err.count("\n") == 1 and out == ""
    assert arxiv_server.requests == []  # refused before anything is fetched
    assert files_under(tmp_path) == before
    record_refusal(reliability, "`discover.output` through a symbolic link out of the repository",
                   err.strip().replace(str(tmp_path), "/tmp/…"), code)  # fmt: skip


def test_a_template_linked_to_the_checkouts_git_config_is_not_rendered(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / ".git").mkdir()
    secret = "AUTHORIZATION: basic c2VjcmV0LXRva2Vu"
    (root / ".git" / "config").write_text(
        f'[http "https://github.com/"]\n\textraheader = {secret}\n', encoding="utf-8"
    )
    template = root / "templates" / "document.md.j2"
    template.unlink()
    template.symlink_to("../.git/config")
    message = "templates/document.md.j2: the template leads, through a symbolic link, to "
    line = refused_by_every_command(
        root, arxiv_server, capsys, EXIT_BAD_TEMPLATE, message, watched=tmp_path
    )
    assert secret not in (root / DOCUMENT).read_text(encoding="utf-8")
    assert secret not in line
    line = line.replace(str(root.resolve()), "/tmp/…/list")
    record_refusal(reliability, "`templates/document.md.j2 -> ../.git/config`", line,
                   EXIT_BAD_TEMPLATE)  # fmt: skip


NESTED = b"[" * 5000
KEPT = (
    "litsync cannot read the cache whole, so it leaves it as it is: restore it with "
    "`git checkout -- catalogue/cache.json` or delete it to refetch everything"
)


@pytest.mark.parametrize(
    ("case", "damage", "message"),
    [
        ("a folder in place of `cache.json`", None,
         "catalogue/cache.json: a folder stands where the cache's file should be; " + KEPT),
        ("an extra top-level key in `cache.json`",
         lambda data: data.replace(b'  "format": 1,', b'  "format": 1,\n  "notes": "mine",'),
         "catalogue/cache.json:3: unknown key 'notes' at the cache's top level; " + KEPT),
        ("a paper's key twice in `cache.json`",
         lambda data: data.replace(b'"papers": {', b'"papers": {\n    "1812.07252": {},', 1),
         "catalogue/cache.json: the key '1812.07252' appears twice in one object; " + KEPT),
        ("5,000 nested `[` in `cache.json`", lambda data: NESTED,
         "catalogue/cache.json: the cache nests too deeply to be read; " + KEPT),
    ],
)  # fmt: skip
def test_a_cache_litsync_cannot_read_whole_is_refused_and_kept(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    damage: object,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    cache = root / "catalogue" / "cache.json"
    if damage is None:
        cache.unlink()
        cache.mkdir()
        (cache / "kept").write_text("x", encoding="utf-8")
    else:
        cache.write_bytes(damage(cache.read_bytes()))  # type: ignore[operator]
    line = refused_by_every_command(
        root, arxiv_server, capsys, EXIT_BAD_CACHE, message, watched=tmp_path
    )
    record_refusal(reliability, case, line, EXIT_BAD_CACHE)


def test_refresh_and_render_read_the_catalogue_only_under_the_lock(
    tmp_path: Path, arxiv_server: ArxivServer, reliability: ReliabilityLog
) -> None:
    # While `litsync add` holds the lock, the catalogue it replaces must not be read: a
    # catalogue half-way to its next state (here, one that does not parse) shows when it is.
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    catalogue = root / "catalogue" / "ids.yaml"
    project = Project(root)
    config = HarvestConfig(api_url=arxiv_server.url, delay=0)
    before = files_under(tmp_path)
    outcomes = []
    with project_lock(project.lock):
        catalogue.write_text("papers: [", encoding="utf-8")
        for run in (lambda: refresh(project, config, force=True), lambda: render(project)):
            with pytest.raises(LockedError) as info:
                run()
            outcomes.append(str(info.value))
        catalogue.write_bytes(before["list/catalogue/ids.yaml"][0])
    assert files_under(tmp_path) == before
    assert arxiv_server.requests == []
    assert len(set(outcomes)) == 1
    reliability.record(SECTION, "`refresh` or `render` while `add` holds the lock and writes "
                       "`ids.yaml`", f"exit 8 before reading `ids.yaml`: `` {outcomes[0]} ``",
                       "nothing")  # fmt: skip


def test_a_valid_output_elsewhere_in_the_repository_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    with_settings(root, "  output: ./docs//list.md\n")
    assert main(["render", "--root", str(root)]) == 0
    assert "Wrote docs/list.md" in capsys.readouterr().out
    assert os.path.isfile(root / "docs" / "list.md")


def test_a_template_linked_to_another_in_templates_is_rendered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / "templates" / "alias.md.j2").symlink_to("document.md.j2")
    with_settings(root, "  template: alias.md.j2\n" + OUTPUT_LINE)
    assert main(["check", "--root", str(root)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
