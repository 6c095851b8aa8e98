"""Local work never imports the network stack (arxiv, requests): importing it takes about
a tenth of a second, which `render`, `check` and a refresh with nothing due need not pay."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from project import bundled_project

NETWORK = ("arxiv", "requests", "urllib3", "feedparser", "tenacity")


def test_render_check_and_a_warm_refresh_leave_the_network_stack_unimported(
    tmp_path: Path,
) -> None:
    root = str(bundled_project(tmp_path, with_cache=True))
    script = (
        "import sys\n"
        "from litsync.cli import main\n"
        f"codes = [main([c, '--root', {root!r}]) for c in ('render', 'check', 'refresh')]\n"
        f"print(codes, [m for m in {NETWORK!r} if m in sys.modules])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.splitlines()[-1] == "[0, 0, 0] []", run.stderr
