"""The nightly workflow's own step, run as GitHub Actions runs it, against the local server.

Each run is what a scheduled run does: a fresh clone of the list's repository (a bare
repository on disk stands in for GitHub), `.litsync/` carried over from the previous run
(as actions/cache does), then the `run:` of the workflow's `nightly` step under
`bash --noprofile --norc -eo pipefail`, with the step's environment. GitHub's REST API is
a local stand-in that records what the step asks of it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from arxiv_server import ArxivServer, Fault, Paper, generate_papers
from conftest import ReliabilityLog
from git_helpers import git, git_env, init_repository
from project import DOCUMENT, EXPORTS, ROOT, bundled_project

from litsync.store.schedule import STATE_FILE, CheckLog

WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"
BOT = "github-actions[bot]"
# What GitHub Actions puts in the step's `${{ }}` expressions on a scheduled run.
TOKEN = "ghs_nightly-test-token"
EXPRESSIONS = {
    "LIST_BRANCH": "main",
    "LITSYNC_MODE": "push",
    "LITSYNC_FULL": "false",
    "GH_TOKEN": TOKEN,
}
# What GitHub Actions sets in every step's environment, for the list's repository.
REPOSITORY = "maintainer/list"
WORKFLOW_REF = f"{REPOSITORY}/.github/workflows/nightly.yml@refs/heads/main"
ENABLE = f"/repos/{REPOSITORY}/actions/workflows/nightly.yml/enable"
COMMITTED = ["catalogue/cache.json", str(DOCUMENT), *(str(e) for e in EXPORTS)]
EXTRA = generate_papers(1, seed=9)[0]


@dataclass
class Run:
    """One nightly run: the step's exit status and output, and what it told GitHub."""

    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def nightly_step() -> tuple[str, dict[str, str]]:
    """The `run:` of the workflow's nightly step and its environment, as GitHub sets it."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["sync"]
    step = next(s for s in job["steps"] if s.get("id") == "nightly")
    assert step["shell"] == "bash"
    env = {**workflow["env"], **step["env"]}
    expressions = {k for k, v in env.items() if "${{" in str(v)}
    # A new expression in the step would go untested: make this list follow it.
    assert expressions == set(EXPRESSIONS)
    literal = {k: str(v) for k, v in env.items() if k not in expressions}
    return step["run"], literal | EXPRESSIONS


@dataclass
class ApiRequest:
    method: str
    path: str
    authorization: str | None


class GitHubApi:
    """A stand-in for GitHub's REST API on 127.0.0.1: records every request and answers
    each with `status` and no body."""

    def __init__(self) -> None:
        self.requests: list[ApiRequest] = []
        self.status = 204
        api = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                authorization = self.headers.get("Authorization")
                api.requests.append(ApiRequest(self.command, self.path, authorization))
                self.send_response(api.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_PUT = do_POST = answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class ListRepo:
    """A list's repository on "GitHub" (a bare repository), its runner and its maintainer."""

    def __init__(
        self,
        tmp_path: Path,
        server: ArxivServer,
        github: GitHubApi,
        warm: bool = False,
        idle_days: int = 0,
    ) -> None:
        """A new list; `warm`: with the repository's cache and document, checked today;
        `idle_days`: its one commit was made that many days ago."""
        self.tmp = tmp_path
        self.server = server
        self.github = github
        seed = bundled_project(tmp_path, with_cache=warm)
        self.state = tmp_path / "actions-cache"
        if warm:
            shutil.move(seed / ".litsync", self.state)
            shutil.copytree(ROOT / DOCUMENT.parent, seed / DOCUMENT.parent)
        shutil.copytree(ROOT / ".github", seed / ".github")
        shutil.copy(ROOT / ".gitignore", seed / ".gitignore")
        init_repository(seed)
        if idle_days:
            made = (datetime.now(timezone.utc) - timedelta(days=idle_days)).isoformat()
            dated = {**git_env(), "GIT_AUTHOR_DATE": made, "GIT_COMMITTER_DATE": made}
            subprocess.run(
                ["git", "commit", "--quiet", "--amend", "--no-edit"],
                cwd=seed,
                env=dated,
                check=True,
            )
        self.origin = tmp_path / "origin.git"
        git(tmp_path, "clone", "--quiet", "--bare", str(seed), str(self.origin))
        self.maintainer = tmp_path / "maintainer"
        git(tmp_path, "clone", "--quiet", str(self.origin), str(self.maintainer))
        self.runs = 0

    def nightly(self, **expressions: str) -> Run:
        """One run of the workflow's nightly step in a fresh checkout; `expressions` set
        (or override) variables of its environment."""
        self.runs += 1
        work = self.tmp / f"run-{self.runs}"
        git(self.tmp, "clone", "--quiet", str(self.origin), str(work))
        if self.state.exists():
            shutil.copytree(self.state, work / ".litsync")
        script, env = nightly_step()
        output, summary = self.tmp / f"output-{self.runs}", self.tmp / f"summary-{self.runs}"
        env = {
            **git_env(),
            **env,
            "LITSYNC_API_URL": self.server.url,
            "LITSYNC_DELAY": "0",
            "LITSYNC_TIMEOUT": "2",
            "GITHUB_API_URL": self.github.url,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_WORKFLOW_REF": WORKFLOW_REF,
            **expressions,
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        shutil.rmtree(self.state, ignore_errors=True)
        if (work / ".litsync").exists():
            shutil.copytree(work / ".litsync", self.state)
        return Run(
            done.returncode,
            done.stdout,
            done.stderr,
            read_outputs(output),
            summary.read_text(encoding="utf-8") if summary.exists() else "",
        )

    def add(self, paper: Paper) -> None:
        """The maintainer adds a paper with `litsync add` and pushes, as the README says."""
        git(self.maintainer, "pull", "--quiet", "--rebase", "origin", "main")
        subprocess.run(
            ["litsync", "add", paper.base_id, "--usecase", "New", "--topic", "Overview"],
            cwd=self.maintainer,
            env=git_env(),
            capture_output=True,
            check=True,
        )
        git(self.maintainer, "commit", "--quiet", "--all", f"--message=Add {paper.base_id}")
        git(self.maintainer, "push", "--quiet", "origin", "main")

    def log(self, ref: str = "main") -> list[str]:
        """Subjects of the commits on `ref` in "GitHub", newest first."""
        return git(self.origin, "log", "--format=%s", ref).splitlines()

    def message(self, ref: str = "main") -> str:
        return git(self.origin, "log", "-1", "--format=%B", ref).rstrip("\n") + "\n"

    def files(self, ref: str = "main") -> list[str]:
        """The files the commit `ref` touched."""
        return git(self.origin, "show", "--format=", "--name-only", ref).split()

    def cache(self, ref: str = "main") -> dict[str, dict[str, object]]:
        papers: dict[str, dict[str, object]] = json.loads(
            git(self.origin, "show", f"{ref}:catalogue/cache.json")
        )["papers"]
        return papers


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT as GitHub reads it: `key=value` lines and `key<<DELIMITER` blocks."""
    if not path.exists():
        return {}
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line:
            key, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            outputs[key] = "\n".join(block) + "\n"
        else:
            key, value = line.split("=", 1)
            outputs[key] = value
    return outputs


@pytest.fixture
def github() -> Iterator[GitHubApi]:
    api = GitHubApi()
    yield api
    api.stop()


@pytest.fixture
def repo(tmp_path: Path, arxiv_server: ArxivServer, github: GitHubApi) -> ListRepo:
    return ListRepo(tmp_path, arxiv_server, github)


def new_paper_line(paper: Paper) -> str:
    return (
        f'- {paper.versioned_id()}: “Learning robotic string for R\\&D: \\<x\\> "quoted" '
        "\\& done” by Grace Müller and Grace Ivanov"
    )


def test_runs_commit_only_real_changes(repo: ListRepo, arxiv_server: ArxivServer) -> None:
    # First run: the whole list, committed with a changelog.
    run = repo.nightly()
    assert run.code == 0, run.stderr
    assert repo.log() == ["arXiv refresh: 12 new papers", "Start the list"]
    assert run.stdout.splitlines()[-1] == "Committed {}: arXiv refresh: 12 new papers".format(
        git(repo.origin, "rev-parse", "--short", "main").strip()
    )
    message = repo.message()
    assert message.startswith("arXiv refresh: 12 new papers\n\n### New papers\n- 1612.07828v2: ")
    assert re.findall(r"^- (\S+):", message, re.MULTILINE) == [
        "1612.07828v2", "1701.01370v3", "1703.00868v1", "1703.06907v1", "1810.10093v1",
        "1810.10286v2", "1812.07252v3", "1905.09727v2", "1909.11512v1", "1910.03997v2",
        "1910.13676v1", "2104.11776v1",
    ]  # fmt: skip
    assert message.count("\n") == 3 + 12
    # Only the cache and the document, exactly as the repository's own, never .litsync/.
    assert repo.files() == sorted(COMMITTED)
    assert git(repo.origin, "show", f"main:{COMMITTED[0]}") == (ROOT / COMMITTED[0]).read_text()
    for name in COMMITTED[1:]:
        assert git(repo.origin, "show", f"main:{name}") == (ROOT / name).read_text()
    assert git(repo.origin, "log", "-1", "--format=%an <%ae>", "main") == (
        f"{BOT} <41898282+{BOT}@users.noreply.github.com>\n"
    )
    assert run.summary == message
    assert run.outputs == {"pull-request": "false"}
    assert len(arxiv_server.requests) == 1

    # Second run, nothing new: no request (the schedule was carried over), no commit.
    before = repo.cache()
    run = repo.nightly()
    assert run.code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "Nothing due: every paper was checked recently.",
        *(f"Unchanged: {name}" for name in COMMITTED[1:]),
        f"Nothing to commit: catalogue/ids.yaml, {', '.join(COMMITTED)} and "
        "templates/document.md.j2 are unchanged.",
    ]
    assert repo.log() == ["arXiv refresh: 12 new papers", "Start the list"]
    assert len(arxiv_server.requests) == 1
    assert run.summary == "arXiv refresh: no changes\n"

    # A new id in ids.yaml: one commit, adding exactly that paper.
    arxiv_server.add(EXTRA)
    repo.add(EXTRA)
    run = repo.nightly()
    assert run.code == 0, run.stderr
    assert repo.log() == [
        "arXiv refresh: 1 new paper",
        f"Add {EXTRA.base_id}",
        "arXiv refresh: 12 new papers",
        "Start the list",
    ]
    assert repo.message() == (
        f"arXiv refresh: 1 new paper\n\n### New papers\n{new_paper_line(EXTRA)}\n"
    )
    after = repo.cache()
    assert set(after) - set(before) == {EXTRA.base_id}
    assert {k: v for k, v in after.items() if k != EXTRA.base_id} == before
    assert repo.files() == sorted(COMMITTED)
    assert "## [Learning robotic string for R\\&D" in git(repo.origin, "show", f"main:{DOCUMENT}")
    assert [r.ids for r in arxiv_server.requests[1:]] == [[EXTRA.base_id]]


def test_a_failed_refresh_commits_what_it_fetched_and_fails_the_run(
    repo: ListRepo, arxiv_server: ArxivServer
) -> None:
    # arXiv leaves one paper out of its answer, then fails every retry for it.
    arxiv_server.script(Fault.drop_ids("1812.07252"), *[Fault.status(503)] * 5)
    run = repo.nightly()
    assert run.code == 4
    assert run.stdout.splitlines()[-1] == (
        "::error::litsync refresh exited with status 4 (see Exit codes in README.md); "
        "whatever it saved has been committed"
    )
    message = repo.message()
    assert message.startswith("arXiv refresh: 11 new papers, 1 not refreshed\n")
    assert message.endswith("\n### Not refreshed\n- 1812.07252: not fetched: arXiv API: HTTP 503\n")
    assert "1812.07252" not in repo.cache()
    assert len(repo.cache()) == 11
    # The next night asks for the missing paper only, and commits it.
    arxiv_server.clear_requests()
    run = repo.nightly()
    assert run.code == 0, run.stderr
    assert repo.log()[0] == "arXiv refresh: 1 new paper"
    assert [r.ids for r in arxiv_server.requests] == [["1812.07252"]]


def test_a_rejected_push_puts_the_recheck_schedule_back(
    tmp_path: Path, arxiv_server: ArxivServer, github: GitHubApi
) -> None:
    repo = ListRepo(tmp_path, arxiv_server, github, warm=True)
    # Two papers are due for their re-check; one has a new version on arXiv.
    checks = CheckLog.load(repo.state / STATE_FILE.name)
    checks.mark(["1909.11512", "1703.00868"], date.today() - timedelta(days=8))
    checks.save()
    schedule = (repo.state / STATE_FILE.name).read_bytes()
    arxiv_server.corpus["1909.11512"].add_version()
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    run = repo.nightly()
    assert run.code == 1
    assert "::error::tonight's commit could not be pushed" in run.stdout
    assert repo.log() == ["Start the list"]
    assert (repo.state / STATE_FILE.name).read_bytes() == schedule
    # Once pushes are accepted again, the same papers are fetched and the change lands.
    hook.unlink()
    arxiv_server.clear_requests()
    run = repo.nightly()
    assert run.code == 0, run.stderr
    assert sorted(arxiv_server.requests[0].ids) == ["1703.00868", "1909.11512"]
    assert repo.message() == (
        "arXiv refresh: 1 updated\n\n### Updated\n- 1909.11512: new version v1 → v2\n"
    )


def test_pr_mode_keeps_one_branch_with_everything_not_yet_merged(
    repo: ListRepo, arxiv_server: ArxivServer
) -> None:
    branch = "litsync/nightly"
    run = repo.nightly(LITSYNC_MODE="pr")
    assert run.code == 0, run.stderr
    assert repo.log() == ["Start the list"]
    assert repo.log(branch) == ["arXiv refresh: 12 new papers", "Start the list"]
    assert run.outputs["pull-request"] == "true"
    assert run.outputs["body"] == repo.message(branch)

    # A paper added on main meanwhile: the branch takes main in and adds that paper.
    arxiv_server.add(EXTRA)
    repo.add(EXTRA)
    run = repo.nightly(LITSYNC_MODE="pr")
    assert run.code == 0, run.stderr
    assert repo.log(branch)[0] == "arXiv refresh: 1 new paper"
    assert repo.files(branch) == sorted(COMMITTED)
    body = run.outputs["body"]
    assert body.startswith("arXiv refresh: 13 new papers\n\n### New papers\n")
    assert new_paper_line(EXTRA) in body.splitlines()
    assert run.summary == body
    assert repo.message(branch) == (
        f"arXiv refresh: 1 new paper\n\n### New papers\n{new_paper_line(EXTRA)}\n"
    )

    # Nothing new: no commit, and the pull request stays as it is.
    tip = repo.log(branch)
    run = repo.nightly(LITSYNC_MODE="pr")
    assert (run.code, repo.log(branch), run.outputs) == (
        0,
        tip,
        {"pull-request": "true", "body": body},
    )

    # Once the maintainer merges it, there is nothing left for a pull request.
    git(repo.maintainer, "pull", "--quiet", "--rebase", "origin", "main")
    git(repo.maintainer, "fetch", "--quiet", "origin", branch)
    git(repo.maintainer, "merge", "--quiet", "--no-edit", "FETCH_HEAD")
    git(repo.maintainer, "push", "--quiet", "origin", "main")
    run = repo.nightly(LITSYNC_MODE="pr")
    assert (run.code, run.outputs) == (0, {"pull-request": "false"})
    assert repo.cache() == repo.cache(branch)


@pytest.mark.parametrize(
    ("idle_days", "mode", "enabled"),
    [(0, "push", False), (29, "push", False), (30, "push", True), (59, "pr", True)],
)
def test_an_idle_list_keeps_its_schedule_enabled(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    github: GitHubApi,
    idle_days: int,
    mode: str,
    enabled: bool,
) -> None:
    # Nothing is due on a warm list: the night makes no commit of its own.
    repo = ListRepo(tmp_path, arxiv_server, github, warm=True, idle_days=idle_days)
    run = repo.nightly(LITSYNC_MODE=mode)
    assert run.code == 0, run.stderr
    assert github.requests == ([ApiRequest("PUT", ENABLE, f"Bearer {TOKEN}")] if enabled else [])
    said = (
        f"The last commit on main is {idle_days} days old: "
        "kept the schedule enabled through GitHub's API"
    )
    assert (said in run.stdout.splitlines()) is enabled
    assert "::warning::" not in run.stdout
    assert repo.log() == ["Start the list"]


KEEPALIVE = "GitHub's API in the nightly"
# Each case: how the stand-in answers (None: it is stopped), the job's token, and what the
# warning quotes.
KEEPALIVE_FAULTS = [
    ("the enable call refused (HTTP 403: no `actions: write`)", 403, TOKEN, "error: 403"),
    ("the enable call fails (HTTP 500)", 500, TOKEN, "error: 500"),
    ("GitHub's API cannot be reached", None, TOKEN, "curl: (7)"),
    ("the step has no token (`GH_TOKEN` empty)", 204, "", "must be set"),
]


@pytest.mark.parametrize(("case", "status", "token", "problem"), KEEPALIVE_FAULTS)
def test_a_failed_keepalive_warns_and_the_night_goes_on(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    github: GitHubApi,
    reliability: ReliabilityLog,
    case: str,
    status: int | None,
    token: str,
    problem: str,
) -> None:
    repo = ListRepo(tmp_path, arxiv_server, github, idle_days=40)
    if status is None:
        github.stop()
    else:
        github.status = status
    run = repo.nightly(GH_TOKEN=token)
    warnings = [
        line
        for line in run.stdout.splitlines()
        if line.startswith("::warning::could not keep the schedule enabled (")
    ]
    committed = repo.log() == ["arXiv refresh: 12 new papers", "Start the list"]
    did = (
        ("warned that the schedule may be disabled" if warnings else "no warning")
        + ("; refreshed and committed as every night" if committed else "; committed nothing")
        + f"; exit {run.code}"
    )
    lost = "nothing" if committed and run.code == 0 else "the night's refresh"
    reliability.record(KEEPALIVE, case, did, lost)
    assert run.code == 0, run.stderr
    assert len(warnings) == 1 and problem in warnings[0]
    assert warnings[0].endswith(
        "GitHub disables it after 60 days without activity: give the job `actions: write`, "
        "or re-enable it on the Actions tab (see litsync's docs/nightly.md)"
    )
    assert committed
