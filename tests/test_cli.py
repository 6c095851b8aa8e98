"""The command line, end to end, against the local arXiv-like server."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, generate_papers
from project import DOCUMENT, ROOT, bundled_project, generated_project, run, snapshot

from litsync.cli import main
from litsync.files import project_lock
from litsync.project import Project
from litsync.sources.arxiv_api import HarvestConfig, Harvester
from litsync.sources.arxiv_ids import parse
from litsync.store.schedule import STATE_FILE, CheckLog


def test_refresh_builds_the_seed_document(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path)
    code, out, err = run(capsys, "refresh", "--root", str(root))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Fetched 12 of 12 papers in 1 request: 12 new, 0 changed."
    # Each new paper is named by its title, in the order arXiv answered.
    committed = json.loads((ROOT / "catalogue" / "cache.json").read_text(encoding="utf-8"))
    titles = {key: paper["title"] for key, paper in committed["papers"].items()}
    assert sorted(lines[1:13]) == sorted(f"New: {key} “{title}”" for key, title in titles.items())
    assert lines[13:] == [
        "Wrote generated/synthetic-data-literature.md",
        "Wrote generated/references.bib",
        "Wrote generated/papers.json",
    ]
    assert "Traceback" not in err
    golden = Path(__file__).parent / "data" / "golden" / "synthetic-data-literature.md"
    assert (root / DOCUMENT).read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")
    # The committed cache of the bundled catalogue is exactly what a refresh writes.
    committed = (ROOT / "catalogue" / "cache.json").read_text(encoding="utf-8")
    assert (root / "catalogue" / "cache.json").read_text(encoding="utf-8") == committed


def test_golden_document_is_the_seed_list_corrected(tmp_path: Path) -> None:
    golden = (Path(__file__).parent / "data" / "golden" / "synthetic-data-literature.md").read_text(
        encoding="utf-8"
    )
    sections = golden.split("\n## ")[1:]
    assert len(sections) == 13
    years = [int(re.search(r"\*\*Year\*\* (\d{4})", s).group(1)) for s in sections]  # type: ignore[union-attr]
    usecases = [re.search(r"\*\*Usecase\*\* (.+)", s).group(1) for s in sections]  # type: ignore[union-attr]
    # The seed list's years and usecases, in its order.
    assert years == [2019, 2017, 2017, 2019, 2020, 2017, 2018, 2019, 2020, 2019, 2020, 2021, 2016]
    assert usecases[:4] == [
        "Robotic Grasping", "Human Gaze Estimation", "Robotic Grasping", "Drone Racing",
    ]  # fmt: skip
    assert "- Robotics: [1](#ref1), [3](#ref3), [4](#ref4)\n" in golden
    assert "- Autonomous Vehicles: [5](#ref5), [8](#ref8), [9](#ref9), [13](#ref13)\n" in golden
    assert "- 2019: [1](#ref1), [4](#ref4), [8](#ref8), [10](#ref10)\n" in golden
    # The hand-kept list's copy-paste defects are gone, arXiv's own text is kept.
    for defect in ("Randomizedto-Canonical", "realworld", "arxivlink", "[Title]", "SDRgenerated"):
        assert defect not in golden
    assert "Randomized-to-Canonical" in golden
    assert "6:59%" in golden  # in arXiv's abstract itself
    assert '<a name="ref"></a>' not in golden


def test_second_refresh_makes_no_request_and_changes_nothing(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path)
    assert run(capsys, "refresh", "--root", str(root))[0] == 0
    before, requests = snapshot(root), len(api.requests)
    code, out, _ = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    assert out == (
        "Nothing due: every paper was checked recently.\n"
        "Unchanged: generated/synthetic-data-literature.md\n"
        "Unchanged: generated/references.bib\n"
        "Unchanged: generated/papers.json\n"
    )
    assert len(api.requests) == requests
    assert snapshot(root) == before


def test_a_few_hundred_papers_in_the_fewest_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = generate_papers(400, seed=4)
    root = generated_project(tmp_path, papers)
    ids = [parse(p.base_id) for p in papers]
    batch = max(len(b) for b in Harvester(HarvestConfig()).batches(ids))
    with ArxivServer(papers) as server:
        monkeypatch.setenv("LITSYNC_API_URL", server.url)
        monkeypatch.setenv("LITSYNC_DELAY", "0")
        code, out, _ = run(capsys, "refresh", "--root", str(root))
        assert code == 0
        assert out.startswith(f"Fetched 400 of 400 papers in {math.ceil(400 / batch)} requests")
        assert len(server.requests) == math.ceil(400 / batch)
        cache = json.loads((root / "catalogue" / "cache.json").read_text(encoding="utf-8"))
        assert len(cache["papers"]) == 400
        before, requests = snapshot(root), len(server.requests)
        assert run(capsys, "refresh", "--root", str(root))[0] == 0
        assert len(server.requests) == requests
        assert snapshot(root) == before


def test_force_refetches_and_reports_changes(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    api.corpus["1909.11512"].add_version("2026-11-20T10:00:00Z")
    api.corpus["1703.00868"].title = "A new title"
    code, out, _ = run(capsys, "refresh", "--force", "--root", str(root))
    assert code == 0
    assert out.splitlines()[0] == "Fetched 12 of 12 papers in 1 request: 0 new, 2 changed."
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    assert "## [A new title](https://arxiv.org/abs/1703.00868)" in document


def test_render_works_offline_from_the_committed_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LITSYNC_API_URL", "http://127.0.0.1:9/nowhere")
    root = bundled_project(tmp_path, with_cache=True)
    code, out, err = run(capsys, "render", "--root", str(root))
    assert (code, err) == (0, "")
    assert out == (
        "Wrote generated/synthetic-data-literature.md\n"
        "Wrote generated/references.bib\n"
        "Wrote generated/papers.json\n"
    )
    for name in (DOCUMENT, "generated/references.bib", "generated/papers.json"):
        assert (root / name).read_bytes() == (ROOT / name).read_bytes()
    code, out, _ = run(capsys, "render", "--root", str(root))
    assert out == (
        "Unchanged: generated/synthetic-data-literature.md\n"
        "Unchanged: generated/references.bib\n"
        "Unchanged: generated/papers.json\n"
    )


def test_render_draft_prints_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    code, out, _ = run(capsys, "render", "--draft", "--root", str(root))
    assert code == 0
    assert out == (ROOT / DOCUMENT).read_text(encoding="utf-8")
    assert not (root / DOCUMENT).exists()


@pytest.mark.parametrize(
    "command",
    [
        ["refresh"],
        ["render"],
        ["add", "2104.11776", "--usecase", "Framework", "--topic", "Overview"],
        ["discover", "--query", "ti:synthetic"],
    ],
    ids=lambda command: command[0],
)
def test_what_writes_the_list_runs_alone(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """With another run holding the lock, a command that writes exits at once with code
    8 and writes nothing; what only reads goes on."""
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, "render", "--root", str(root))[0] == 0
    with project_lock(Project(root).lock):
        before = snapshot(root), sorted(os.listdir(root / ".litsync"))
        code, out, err = run(capsys, *command, "--root", str(root))
        assert (code, out) == (8, "")
        assert err == (
            "Error: another litsync run is working on this list (it holds .litsync/lock); "
            "wait for it to finish and run again\n"
        )
        assert (snapshot(root), sorted(os.listdir(root / ".litsync"))) == before
        assert run(capsys, "check", "--root", str(root))[0] == 0
        assert run(capsys, "render", "--draft", "--root", str(root))[0] == 0
    assert api.requests == []


def test_render_removes_what_a_killed_run_left_half_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    left = [
        root / "catalogue" / ".cache.json.k1d2.litsync-tmp",
        root / "generated" / ".references.bib.x9a3.litsync-tmp",
        root / ".litsync" / ".exports.pickle.q7w1.litsync-tmp",
    ]
    kept = [root / "generated" / ".gitkeep", root / "catalogue" / "notes.litsync-tmp.md"]
    for path in left + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half of a file")
    assert run(capsys, "render", "--root", str(root))[0] == 0
    assert [path.exists() for path in left + kept] == [False, False, False, True, True]


def test_check_passes_on_the_repository_and_fails_on_a_stale_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", "--root", str(ROOT))
    assert (code, out) == (
        0,
        "OK: 13 papers; generated/synthetic-data-literature.md, generated/references.bib "
        "and generated/papers.json are up to date.\n",
    )
    root = bundled_project(tmp_path, with_cache=True)
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 5
    assert err == (
        "Error: generated/synthetic-data-literature.md, generated/references.bib and "
        "generated/papers.json are not what `litsync render` writes; "
        "run `litsync render` and commit the result\n"
    )


def test_check_compares_the_bytes_render_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, "render", "--root", str(root))[0] == 0
    # A checkout that turned LFs into CRLFs: render would write the file again.
    document = root / "generated" / "synthetic-data-literature.md"
    document.write_bytes(document.read_bytes().replace(b"\n", b"\r\n"))
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 5 and err.startswith("Error: generated/synthetic-data-literature.md is not")
    assert (
        "Wrote generated/synthetic-data-literature.md"
        in run(capsys, "render", "--root", str(root))[1]
    )
    assert run(capsys, "check", "--root", str(root))[0] == 0


def test_unreachable_arxiv_renders_from_cache_and_lists_stale(
    tmp_path: Path, unreachable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    cache_before = (root / "catalogue" / "cache.json").read_bytes()
    code, out, err = run(capsys, "refresh", "--force", "--root", str(root))
    assert code == 4
    assert out.splitlines() == [
        "Fetched 0 of 12 papers in 5 requests: 0 new, 0 changed.",
        "Wrote generated/synthetic-data-literature.md",
        "Wrote generated/references.bib",
        "Wrote generated/papers.json",
    ]
    assert err.splitlines()[-1].startswith(
        "Error: arXiv could not be reached (connection failed); the document was rendered "
        "from the cache; 12 papers not refreshed: 1812.07252, 1612.07828, "
    )
    assert (root / "catalogue" / "cache.json").read_bytes() == cache_before
    assert (root / DOCUMENT).read_bytes() == (ROOT / DOCUMENT).read_bytes()


def test_not_found_ids_exit_3(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    code, _, _ = run(capsys, "add", "2001.99999", "--usecase", "Ghost", "--topic", "Overview",
                     "--root", str(root))  # fmt: skip
    assert code == 0
    code, out, err = run(capsys, "refresh", "--root", str(root))
    assert code == 3
    assert "Not found on arXiv: 2001.99999 (check it in catalogue/ids.yaml)\n" in out
    assert "not in the document yet, no metadata cached: 2001.99999" in err
    assert [r.ids for r in api.requests] == [["2001.99999"], ["2001.99999"]]


def test_add_then_refresh_fetches_only_the_new_paper(
    tmp_path: Path, api: ArxivServer, seed_papers: list, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    extra = generate_papers(1, seed=9)[0]
    api.add(extra)
    code, out, _ = run(capsys, "add", f"https://arxiv.org/abs/{extra.base_id}", "--usecase",
                       "New", "--topic", "Overview", "--root", str(root))  # fmt: skip
    assert (code, out) == (
        0,
        f"Added {extra.base_id} to catalogue/ids.yaml\n"
        "Run `litsync refresh` to fetch its metadata.\n",
    )
    code, out, _ = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    assert [r.ids for r in api.requests] == [[extra.base_id]]
    code, _, err = run(capsys, "add", extra.base_id, "--usecase", "x", "--topic", "Overview",
                       "--root", str(root))  # fmt: skip
    assert code == 2
    assert err.startswith("Error: ") and f"{extra.base_id} is already listed here" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("catalogue", "message"),
    [
        ("papers:\n  - id: 1812.07252\n    usecase: x\n    topic: [A]\n",
         "catalogue/ids.yaml:4: unknown key 'topic' in a paper entry (did you mean 'topics'?)"),
        ("papers: [", "catalogue/ids.yaml:1: YAML syntax error"),
    ],
)  # fmt: skip
def test_bad_catalogue_is_one_line_and_writes_nothing(
    tmp_path: Path,
    api: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    catalogue: str,
    message: str,
) -> None:
    root = bundled_project(tmp_path)
    (root / "catalogue" / "ids.yaml").write_text(catalogue, encoding="utf-8")
    before = snapshot(root)
    for command in ("refresh", "render", "check"):
        code, out, err = run(capsys, command, "--root", str(root))
        assert code == 2
        assert out == ""
        assert err.startswith(f"Error: {root / 'catalogue' / 'ids.yaml'}"[:7])
        assert message in err and err.count("\n") == 1
    assert snapshot(root) == before
    assert api.requests == []


def test_bad_environment_value_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LITSYNC_DELAY", "soon")
    root = bundled_project(tmp_path, with_cache=True)
    code, _, err = run(capsys, "refresh", "--root", str(root))
    assert (code, err) == (2, "Error: LITSYNC_DELAY must be a number of seconds, not 'soon'\n")


def test_transient_faults_during_cli_refresh(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.script(Fault.rate_exceeded(), Fault.status(503))
    root = bundled_project(tmp_path)
    code, _, err = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    assert "arXiv: HTTP 429 (Rate exceeded.); retrying in" in err
    assert len(api.requests) == 3


def test_papers_past_their_age_are_rechecked(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    checks = CheckLog.load(root / STATE_FILE)
    old = date.today() - timedelta(days=8)
    checks.mark([k for k in checks.checked if k != "1812.07252"], old)
    checks.save()
    code, out, _ = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    assert out.splitlines()[0] == "Fetched 11 of 11 papers in 1 request: 0 new, 0 changed."
    assert "1812.07252" not in api.requests[0].ids
    assert CheckLog.load(root / STATE_FILE).get("1909.11512") == date.today()


def test_root_works_before_and_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, "--root", str(root), "render")[1].splitlines()[0] == (
        "Wrote generated/synthetic-data-literature.md"
    )
    assert run(capsys, "render", "--root", str(root))[1].splitlines()[0] == (
        "Unchanged: generated/synthetic-data-literature.md"
    )
    assert run(capsys, "render", "-q", "--root", str(root))[1:] == ("", "")


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--budget", "-5"], {}, "Error: --budget must not be negative\n"),
        ([], {"LITSYNC_BUDGET": "1h"},
         "Error: LITSYNC_BUDGET must be a number of seconds, not '1h'\n"),
        ([], {"LITSYNC_TIMEOUT": "-1"}, "Error: LITSYNC_TIMEOUT must not be negative\n"),
    ],
)  # fmt: skip
def test_bad_option_values(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, "refresh", "--root", str(root), *args)[::2] == (2, message)


def test_papers_taken_out_of_the_catalogue_leave_the_cache(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    ids = root / "catalogue" / "ids.yaml"
    text = ids.read_text(encoding="utf-8")
    entry = "  - id: 1909.11512\n    usecase: Overview\n    topics: [Overview]\n\n"
    assert entry in text
    ids.write_text(text.replace(entry, ""), encoding="utf-8")
    code, out, _ = run(capsys, "refresh", "--root", str(root))
    assert code == 0
    assert out.splitlines() == [
        "Nothing due: every paper was checked recently.",
        "Removed from the cache (no longer listed): 1909.11512",
        "Wrote generated/synthetic-data-literature.md",
        "Wrote generated/references.bib",
        "Wrote generated/papers.json",
    ]
    cache = json.loads((root / "catalogue" / "cache.json").read_text(encoding="utf-8"))
    assert "1909.11512" not in cache["papers"] and len(cache["papers"]) == 11
    assert api.requests == []


def console_script(
    *args: str, stdout: int = subprocess.PIPE, closing: str = ""
) -> subprocess.CompletedProcess[str]:
    """`litsync` as installed, its output held in buffers as in a pipe or a CI log; with
    `closing` (`>&-`, `2>&-`), started with that stream closed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    command = [str(Path(sys.executable).with_name("litsync")), *args]
    if closing:
        command = ["bash", "-c", f'exec "$0" "$@" {closing}', *command]
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=60
    )


def test_the_console_script_leaves_nothing_unsaid(tmp_path: Path) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    done = console_script("check", "--root", str(root))
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "OK: 13 papers; generated/synthetic-data-literature.md, generated/references.bib "
        "and generated/papers.json are up to date.\n",
        "",
    )
    (root / "catalogue" / "ids.yaml").write_text("papers: [\n", encoding="utf-8")
    failed = console_script("check", "--root", str(root))
    assert (failed.returncode, failed.stdout) == (2, "")
    assert failed.stderr.startswith("Error: catalogue/ids.yaml:2: YAML syntax error"), failed.stderr


@pytest.mark.parametrize(
    ("closed", "out"), [(">&-", ""), ("2>&-", "Fetched 12 of 12 papers in 1 request")]
)
def test_the_console_script_runs_with_a_stream_closed(
    tmp_path: Path, api: ArxivServer, closed: str, out: str
) -> None:
    root = bundled_project(tmp_path)
    # Started with the stream closed, as cron or a service manager may start it: a
    # refresh that reports progress and renders.
    done = console_script("refresh", "--root", str(root), closing=closed)
    assert (done.returncode, done.stdout[: len(out)]) == (0, out), done.stderr
    assert (root / DOCUMENT).exists()


def test_output_to_a_reader_that_stopped_reading_ends_quietly(tmp_path: Path) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    reader, writer = os.pipe()
    os.close(reader)  # as `litsync check | true` does, sooner or later
    try:
        done = console_script("check", "--root", str(root), stdout=writer)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_mistyped_command_is_answered_with_the_command_meant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["-q", "refersh"])
    err = capsys.readouterr().err
    assert exit.value.code == 2
    assert err.endswith("litsync: error: unknown command 'refersh' (did you mean 'refresh'?)\n")


def test_a_mistyped_option_shows_the_usage_of_its_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["refresh", "--forse"])
    err = capsys.readouterr().err
    assert exit.value.code == 2
    assert err.startswith("usage: litsync refresh ")
    assert err.endswith("litsync refresh: error: unrecognized arguments: --forse\n")


def test_changes_in_a_repository_with_no_commit_yet_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert run(capsys, "changes", "--root", str(root)) == (
        2,
        "",
        "Error: the repository has no commit yet; commit the list first, then run this again\n",
    )
