"""Measure litsync against its performance targets, on the test suite's local arXiv server.

    .venv/bin/python benchmarks/run.py                        # N = 1,000 and 10,000
    .venv/bin/python benchmarks/run.py --sizes 1000 --delay 1 --runs 3

For each size N, a generated list (old-style, 4- and 5-digit new-style ids, pinned
versions, ids pasted as URLs or with `arXiv:`) is refreshed cold from tests/arxiv_server.py,
which records every request and answers HTTP 414 to overlong URLs as arXiv does, with the
politeness delay --delay (arXiv's 3 s unless told). Each figure is printed beside its target:

- `litsync render` of a fresh clone (catalogue/ids.yaml, catalogue/cache.json and the
  templates; no .litsync/ run state, no generated files): wall time, peak RSS, and
  whether litsync started child processes;
- `litsync refresh` with nothing due: wall time, requests sent, files changed;
- `litsync add` of one paper: wall time;
- the cold `litsync refresh`: requests against ⌈N / B⌉, B being how many of the list's
  ids one GET URL of 4,000 bytes holds, and wall time against 1.02 x (requests - 1) x delay.

Every run is a real `litsync` process, timed from start to exit; local commands report
the median wall time of --runs runs and the largest peak RSS. Not part of the test
suite: it takes minutes, and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from arxiv_server import ArxivServer, Paper, generate_papers  # noqa: E402
from project import generated_project  # noqa: E402

MAX_URL_BYTES = 4000  # litsync's limit on one GET URL
PAGE_SIZE = 2000  # the max_results litsync puts in every URL
TARGET_SIZE = 10_000  # the list size the targets are set for

# Linux counts the peak memory of the process a child is started from in the child's peak
# RSS, so litsync is started by this small launcher rather than by the benchmark, which
# holds the server and the papers. The launcher waits with WNOWAIT so that it can read the
# exited litsync's /proc stat before reaping it: the page faults of the children litsync
# waited for (its cminflt and cmajflt) are zero only if it started none.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=sys.stderr)
os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
wall = time.perf_counter() - start
with open(f"/proc/{child.pid}/stat") as stat:
    fields = stat.read().rsplit(")", 1)[1].split()
_, status, usage = os.wait4(child.pid, 0)
children = int(fields[8]) + int(fields[10]) > 0
json.dump({"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "children": children}, sys.stdout)
sys.exit(os.waitstatus_to_exitcode(status))
"""

Row = tuple[str, str, str, bool]
"""One measure of one size: what, figure, target, met."""


def written_ids(papers: Sequence[Paper], seed: int) -> tuple[list[str], list[str]]:
    """The ids as maintainers write them, and as litsync sends them to arXiv.

    Every 8th paper with several versions is pinned to an older one; every 40th id is
    pasted as an abs URL, every 60th with an `arXiv:` prefix.
    """
    rng = random.Random(seed)
    written, sent = [], []
    for number, paper in enumerate(papers):
        text = paper.base_id
        if paper.latest_version > 1 and number % 8 == 0:
            text += f"v{rng.randint(1, paper.latest_version - 1)}"
        sent.append(text)
        if number % 40 == 1:
            text = f"https://arxiv.org/abs/{text}"
        elif number % 60 == 2:
            text = f"arXiv:{text}"
        written.append(text)
    return written, sent


def batch_floor(ids: Sequence[str], api_url: str) -> tuple[float, int]:
    """B, how many of these ids fit in one URL of MAX_URL_BYTES on average, and ⌈N / B⌉.

    The floor is a true lower bound: the ids' bytes divided by what one URL holds. The
    URL is built as litsync builds it, with arxiv.Client's parameters in its order.
    """
    args = {
        "search_query": "",
        "id_list": "",
        "sortBy": "relevance",
        "sortOrder": "descending",
        "start": "0",
        "max_results": str(PAGE_SIZE),
    }
    base = len((api_url + "?" + urlencode(args)).encode())
    comma = len(quote_plus(","))
    per_id = statistics.fmean(len(quote_plus(i)) + comma for i in ids)
    size = (MAX_URL_BYTES - base + comma) / per_id
    return size, math.ceil(len(ids) / size)


def litsync(root: Path, server: ArxivServer, *args: str) -> dict[str, Any]:
    """Run this environment's `litsync` console script, as a user would; fail if it fails."""
    script = Path(sys.executable).parent / "litsync"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "litsync.cli"]
    # As on a normal install, modules load from their bytecode cache; LITSYNC_API_URL
    # keeps the commands that take no --api-url away from the real arXiv too.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["LITSYNC_API_URL"] = server.url
    argv = [sys.executable, "-c", LAUNCHER, *command, *args, "--root", str(root)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"litsync {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `root`, run state included, with its mtime and bytes."""
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def fresh_clone(root: Path, to: Path) -> Path:
    """What a clone of the list at `root` holds: its catalogue, cache and templates."""
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(root / "templates", to / "templates")
    (to / "catalogue").mkdir()
    for name in ("ids.yaml", "cache.json"):
        shutil.copy(root / "catalogue" / name, to / "catalogue" / name)
    return to


def median_wall(runs: Sequence[dict[str, Any]]) -> float:
    return statistics.median(r["wall"] for r in runs)


def bench_size(n: int, workdir: Path, delay: float, runs: int) -> list[Row]:
    papers = generate_papers(n, seed=n)
    written, sent = written_ids(papers, seed=n)
    root = generated_project(workdir / f"list-{n}", papers, written)
    print(f"N = {n:,}: cold refresh", flush=True)
    with ArxivServer(papers) as server:
        refresh = ("refresh", "--api-url", server.url, "--delay", f"{delay:g}")
        size, floor = batch_floor(sent, server.url)
        server.clear_requests()
        cold = litsync(root, server, *refresh)
        requests = len(server.requests)
        ceiling = 1.02 * (requests - 1) * delay
        floor_text = f"({requests} - 1) x {delay:g} s"

        print(f"N = {n:,}: refresh with nothing due", flush=True)
        before = snapshot(root)
        server.clear_requests()
        warm = [litsync(root, server, *refresh) for _ in range(runs)]
        after = snapshot(root)
        touched = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
        warm_requests = len(server.requests)

        print(f"N = {n:,}: render of a fresh clone", flush=True)
        clone = workdir / f"clone-{n}"
        renders = [litsync(fresh_clone(root, clone), server, "render") for _ in range(runs)]
        forked = sum(r["children"] for r in renders)

        print(f"N = {n:,}: add one paper", flush=True)
        listed = {p.base_id for p in papers}
        unlisted = (i for k in range(99_999, 0, -1) if (i := f"2512.{k:05d}") not in listed)
        add = ("--usecase", "Added", "--topic", "Topic 0")
        adds = [litsync(root, server, "add", next(unlisted), *add) for _ in range(runs)]
    return [
        at_most("render, fresh clone: wall", median_wall(renders), 2, "s"),
        at_most("render, fresh clone: peak RSS", max(r["rss_mb"] for r in renders), 200, "MB"),
        at_most("render, fresh clone: runs with child processes", forked, 0),
        at_most("refresh, nothing due: wall", median_wall(warm), 1.5, "s"),
        at_most("refresh, nothing due: requests", warm_requests, 0),
        at_most("refresh, nothing due: files changed", len(touched), 0),
        at_most("add one paper: wall", median_wall(adds), 1.5, "s"),
        # ⌈N / B⌉ is a lower bound, so at most it means exactly it.
        at_most("cold refresh: requests", requests, floor, why=f"= ⌈N/B⌉, B = {size:.1f}"),
        at_most("cold refresh: wall", cold["wall"], ceiling, "s", f"= 1.02 x {floor_text}"),
    ]


def at_most(measure: str, figure: float, limit: float, unit: str = "", why: str = "") -> Row:
    text = f"{figure:.2f}" if isinstance(figure, float) else str(figure)
    target = "0" if limit == 0 else f"≤ {limit:g} {unit} {why}".replace("  ", " ").strip()
    return measure, f"{text} {unit}".strip(), target, figure <= limit


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000], metavar="N")
    parser.add_argument(
        "--delay", type=float, default=3.0, help="seconds between requests (arXiv asks 3)"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each local command")
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; delay {args.delay:g} s; medians of {args.runs} runs",
        flush=True,
    )
    table: list[tuple[str, ...]] = [("N", "measure", "figure", "target", "met")]
    with tempfile.TemporaryDirectory(prefix="litsync-bench-") as tmp:
        for n in args.sizes:
            for measure, figure, target, met in bench_size(n, Path(tmp), args.delay, args.runs):
                # The targets are set for 10,000 papers; other sizes show how litsync scales.
                verdict = ("met" if met else "NOT met") if n == TARGET_SIZE else "-"
                table.append((f"{n:,}", measure, figure, target, verdict))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    print()
    for row in table:
        print("  ".join(map(str.ljust, row, widths)).rstrip())


if __name__ == "__main__":
    main()
