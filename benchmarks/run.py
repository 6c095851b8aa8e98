"""How litsync performs at 100, 1,000 and 10,000 papers, against the local arXiv server.

    .venv/bin/python benchmarks/run.py                 # everything: ten minutes or so
    .venv/bin/python benchmarks/run.py --sizes 1000 --nights 0

For each size N a list of generated papers (old-style, 4- and 5-digit new-style ids,
pinned versions, papers with several versions, ids pasted as URLs) is refreshed from the
local arXiv-like server of the tests (tests/arxiv_server.py, which answers HTTP 414 to
URLs over 6,000 bytes as arXiv does), with the politeness delay scaled down from 3 s.
It prints, for each N: the requests of a cold refresh against the floor ⌈N / B⌉ and its
wall time against the floor (requests - 1) x delay; a warm refresh (nothing due); the
time and peak memory of `litsync render`; the same refresh done one request per id and
with the `arxiv` package's plain Search(id_list=all_ids). Then the growth from 1,000 to
10,000 papers and the requests of each night of a simulated month of the largest list.

Every litsync run is a real `litsync` process, timed from start to exit; only the month
calls litsync.refresh.refresh(today=...) in-process, to move the calendar. Not part of
the test suite: it takes minutes, and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import itertools
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import arxiv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from arxiv_server import ArxivServer, Paper, generate_papers  # noqa: E402
from project import generated_project  # noqa: E402

from litsync.cache import Cache  # noqa: E402
from litsync.harvest import Harvester  # noqa: E402
from litsync.harvest_config import DEFAULT_DELAY, MAX_URL_BYTES, HarvestConfig  # noqa: E402
from litsync.identifiers import parse  # noqa: E402
from litsync.project import Project  # noqa: E402
from litsync.refresh import refresh  # noqa: E402

SIZES = (100, 1_000, 10_000)
DELAY = 1.0  # seconds between requests; long enough to hide the work done between them
SAMPLE = 100  # ids fetched one request each before the time is extrapolated to N
REPEAT = 5  # runs of each local measurement; the median is reported
COLD_REPEAT_UP_TO = 1_000  # lists refreshed cold REPEAT times; a larger one once (minutes)
NIGHTS = 30


# --- the list ------------------------------------------------------------------------


def written_ids(papers: Sequence[Paper], seed: int) -> list[str]:
    """The ids as maintainers write them: mostly bare, some pinned, some pasted.

    Every 8th paper with several versions is pinned to an older one; every 40th id is
    pasted as an abs URL, every 60th with an `arXiv:` prefix.
    """
    rng = random.Random(seed)
    ids = []
    for number, paper in enumerate(papers):
        text = paper.base_id
        if paper.latest_version > 1 and number % 8 == 0:
            text += f"v{rng.randint(1, paper.latest_version - 1)}"
        if number % 40 == 1:
            text = f"https://arxiv.org/abs/{text}"
        elif number % 60 == 2:
            text = f"arXiv:{text}"
        ids.append(text)
    return ids


def describe(papers: Sequence[Paper], ids: Sequence[str]) -> str:
    old = sum("/" in p.base_id for p in papers)
    four = sum(len(p.base_id) == 9 and "/" not in p.base_id for p in papers)
    return (
        f"{old:,} old-style, {four:,} 4-digit, {len(papers) - old - four:,} 5-digit ids; "
        f"{sum(p.latest_version > 1 for p in papers):,} with several versions, "
        f"{sum(parse(i).version is not None for i in ids):,} pinned, "
        f"{sum(i.startswith(('https:', 'arXiv:')) for i in ids):,} pasted as URL or arXiv:"
    )


def batch_floor(ids: Sequence[str], api_url: str) -> tuple[float, int]:
    """B, how many of these ids fit in one URL of MAX_URL_BYTES on average, and ⌈N / B⌉.

    The floor is a true lower bound: the ids' bytes divided by what one URL holds.
    """
    base = len(Harvester(HarvestConfig(api_url=api_url))._url([]))
    comma = len(quote_plus(","))
    per_id = statistics.fmean(len(quote_plus(str(parse(i)))) + comma for i in ids)
    size = (MAX_URL_BYTES - base + comma) / per_id
    return size, math.ceil(len(ids) / size)


# --- running litsync -----------------------------------------------------------------


@dataclass
class Run:
    """One litsync process."""

    wall: float
    cpu: float
    """User and system time of the process."""
    peak_rss_mb: float
    """The peak resident memory of the largest of litsync's processes (wait4)."""
    out: str
    together_mb: float
    """With `sample`: the largest memory that litsync and the process it forks held
    together (their PSS summed, sampled every 5 ms); else 0."""


# Linux folds the memory of the process a child was forked from into the child's peak
# RSS, so litsync is started by a small process of its own, made before this one grows.
SPAWNER = """
import json, os, subprocess, sys, tempfile, time

def pss_kib(pid):
    # Proportional set size: each page shared by n processes counts 1/n in each, so the
    # sum over litsync and the child it forks is what the two hold together.
    tree, total = [pid], 0
    for process in tree:
        try:
            with open(f"/proc/{process}/task/{process}/children") as children:
                tree.extend(int(c) for c in children.read().split())
            with open(f"/proc/{process}/smaps_rollup") as rollup:
                total += next(int(l.split()[1]) for l in rollup if l.startswith("Pss:"))
        except (OSError, StopIteration):
            pass  # ended meanwhile
    return total

for line in sys.stdin:
    job = json.loads(line)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(job["argv"], stdout=out, stderr=err, env=job["env"])
        together = 0
        while job["sample"]:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            together = max(together, pss_kib(child.pid))
            time.sleep(0.005)
        else:
            _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        reply = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                 "maxrss_kib": usage.ru_maxrss, "pss_kib": together,
                 "code": os.waitstatus_to_exitcode(status),
                 "out": out.read().decode(), "err": err.read().decode()}
    print(json.dumps(reply), flush=True)
"""


class Spawner:
    """A small process that runs commands and reports their time and peak memory."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip

    def run(self, argv: Sequence[str], env: dict[str, str], sample: bool) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"argv": list(argv), "env": env, "sample": sample}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        reply: dict[str, Any] = json.loads(self.process.stdout.readline())
        return reply

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


spawner: Spawner | None = None


def litsync(root: Path, *args: str, sample: bool = False) -> Run:
    """Run this environment's `litsync` console script, as a user would; fail if it fails.

    With `sample`, its memory is sampled while it runs, which costs the run some time."""
    assert spawner is not None, "main() starts the spawner"
    script = Path(sys.executable).parent / "litsync"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "litsync.cli"]
    # As on a normal install, modules load from their bytecode cache.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = spawner.run([*command, *args, "--root", str(root)], env, sample)
    if done["code"] != 0:
        raise SystemExit(f"litsync {args[0]} failed:\n{done['out']}{done['err']}")
    mib = 1024
    peak_rss, together = done["maxrss_kib"] / mib, done["pss_kib"] / mib
    return Run(done["wall"], done["cpu"], peak_rss, done["out"], together)


def repeated(root: Path, *args: str) -> list[Run]:
    return [litsync(root, *args) for _ in range(REPEAT)]


def spread(runs: Sequence[Run]) -> str:
    walls = [r.wall for r in runs]
    return (
        f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}; "
        f"CPU {statistics.median(r.cpu for r in runs):.2f} s)"
    )


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `root`, run state included, with its mtime and a hash."""
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).digest())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def calibration() -> float:
    """Seconds of a fixed pure-Python loop: how fast this machine is just now."""
    start = time.perf_counter()
    sum(i * i for i in range(5_000_000))
    return time.perf_counter() - start


# --- the baselines -------------------------------------------------------------------


@dataclass
class Baseline:
    requests: int
    wall: float
    found: int
    note: str


def arxiv_client(server: ArxivServer, delay: float) -> arxiv.Client:
    """The `arxiv` package's client with its defaults, but for the endpoint and delay."""
    client = arxiv.Client(delay_seconds=delay)
    client.query_url_format = server.url + "?{}"
    return client


def one_request_per_id(server: ArxivServer, ids: Sequence[str], delay: float) -> Baseline:
    """What most list tools do: one Search(id_list=[id]) per paper, politely spaced.

    Only the first SAMPLE ids are fetched; requests, time and papers are scaled to N.
    """
    client = arxiv_client(server, delay)
    sample = [str(parse(i)) for i in ids[:SAMPLE]]
    server.clear_requests()
    start = time.perf_counter()
    found = sum(len(list(client.results(arxiv.Search(id_list=[i])))) for i in sample)
    wall = time.perf_counter() - start
    made = len(server.requests)
    if len(sample) == len(ids):
        return Baseline(made, wall, found, "measured")
    scale = len(ids) / len(sample)
    return Baseline(
        round(made * scale),
        wall * scale,
        round(found * scale),
        f"extrapolated from the first {len(sample)} ids: {made} requests, {wall:.1f} s",
    )


def plain_search(server: ArxivServer, ids: Sequence[str], delay: float) -> Baseline:
    """Search(id_list=all_ids) as the package's README shows it; whatever happens."""
    client = arxiv_client(server, delay)
    server.clear_requests()
    start = time.perf_counter()
    found = set()
    tries = None
    try:
        for result in client.results(arxiv.Search(id_list=[str(parse(i)) for i in ids])):
            found.add(result.entry_id)
        note = "completed"
    except arxiv.HTTPError as err:  # its message holds the whole URL: too long to print
        tries = err.retry + 1
        note = f"arxiv.HTTPError, HTTP {err.status}, after {tries} tries"
    wall = time.perf_counter() - start
    made = len(server.requests)
    longest = max((r.url_length for r in server.requests), default=0)
    if longest:
        note += f"; URL {longest:,} bytes"
    elif tries:
        # Python's http.server refuses request lines over 64 KiB before the fake sees them.
        made = tries
        note += "; URL over 64 KiB, refused by the HTTP server itself"
    return Baseline(made, wall, len(found), note)


# --- one size ------------------------------------------------------------------------


@dataclass
class Size:
    """What one size measured, for the summary."""

    n: int
    requests: int
    floor: int
    cold: float
    cold_floor: float
    server: float
    warm: list[Run]
    warm_requests: int
    touched: list[str]
    renders: dict[str, list[Run]]
    """`litsync render` runs, by what came before them (RENDERS)."""
    renders_arxiv_like: dict[str, list[Run]]
    """The same, with the titles and abstracts of real arXiv papers in the cache."""
    together: dict[str, float]
    """Of a render after each kind of change: the MB its processes held together."""
    together_arxiv_like: dict[str, float]
    adds: dict[str, list[Run]]
    """`litsync add` of one paper, with the catalogue's memo and on a fresh clone."""
    per_id: Baseline
    plain: Baseline

    @property
    def overhead(self) -> float:
        """Local seconds of the cold refresh that the delay did not hide."""
        return self.cold - self.cold_floor - self.server


def bench_size(n: int, workdir: Path, delay: float) -> tuple[Size, Path, list[Paper]]:
    papers = generate_papers(n, seed=n)
    ids = written_ids(papers, seed=n)
    root = generated_project(workdir / f"list-{n}", papers, ids)
    print(f"\n=== N = {n:,}: {describe(papers, ids)}", flush=True)
    with ArxivServer(papers) as server:
        size, floor = batch_floor(ids, server.url)
        # A short list is refreshed cold several times, each on a fresh copy, and the run
        # of median local time reported: one run's local time varies by a fifth.
        copies = [root] + [
            generated_project(workdir / f"list-{n}-copy-{i}", papers, ids)
            for i in range(1, REPEAT if n <= COLD_REPEAT_UP_TO else 1)
        ]
        colds = sorted((cold_refresh(c, server, delay) for c in copies), key=lambda c: c[0])
        local, cold, requests, before, after = colds[len(colds) // 2]
        for copy in copies[1:]:
            shutil.rmtree(copy.parent)
        serving = sum(r.duration or 0.0 for r in requests)
        gaps = [b.started - (a.finished or b.started) for a, b in itertools.pairwise(requests)]
        print(
            f"cold refresh    {plural(len(requests), 'request')}; floor ⌈N/B⌉ = {floor} "
            f"(B = {size:.1f} of these ids per {MAX_URL_BYTES:,}-byte URL); "
            f"longest URL {max(r.url_length for r in requests):,} bytes"
        )
        cold_floor = (len(requests) - 1) * delay
        spread_note = (
            f"; the median of {len(colds)} cold refreshes, local {colds[0][0]:.2f} to "
            f"{colds[-1][0]:.2f} s"
            if len(colds) > 1
            else ""
        )
        print(
            f"                wall {cold.wall:.2f} s = floor (requests - 1) x {delay:g} s "
            f"{cold_floor:.2f} s + server {serving:.2f} s + local {local:.2f} s "
            f"(before the first request {requests[0].started - before:.2f} s, "
            f"after the last response {after - (requests[-1].finished or after):.2f} s"
            f"{spread_note})"
        )
        if gaps:
            print(
                f"                between requests {min(gaps):.3f} to {max(gaps):.3f} s "
                f"(the delay is {delay:g} s: the work between batches hides in it)"
            )

        before_files = snapshot(root)
        server.clear_requests()
        warm = repeated(root, "refresh", "--api-url", server.url)
        after_files = snapshot(root)
        touched = sorted(k for k in before_files.keys() | after_files.keys()
                         if before_files.get(k) != after_files.get(k))  # fmt: skip
        print(
            f"warm refresh    {plural(len(server.requests), 'request')}; wall {spread(warm)}; "
            f"files changed: {', '.join(touched) or 'none'}; says "
            f"{warm[0].out.splitlines()[0]!r}"
        )
        warm_requests = len(server.requests)

        real = arxiv_like(root)  # made before the renders edit the catalogue
        renders, together = render_runs(root)
        for name, runs in renders.items():
            print(f"render {name:18} wall {spread(runs)}; {memory(runs, together[name])}")
        litsync(real, "render")
        renders_arxiv_like, together_arxiv_like = render_runs(real)
        for name, runs in renders_arxiv_like.items():
            print(
                f"  arXiv-like text {name:18} wall {spread(runs)}; "
                f"{memory(runs, together_arxiv_like[name])}"
            )

        adds = add_runs(root, {p.base_id for p in papers})
        for name, runs in adds.items():
            print(f"add one paper, {name:13}  wall {spread(runs)}; peak RSS {peak(runs):.0f} MB")

        per_id = one_request_per_id(server, ids, delay)
        plain = plain_search(server, ids, delay)
    result = Size(
        n, len(requests), floor, cold.wall, cold_floor, serving, warm, warm_requests, touched,
        renders, renders_arxiv_like, together, together_arxiv_like, adds, per_id, plain,
    )  # fmt: skip
    for name, base in (("one request per id", per_id), ("Search(id_list=all)", plain)):
        print(
            f"{name:19} {plural(base.requests, 'request')} ({base.requests / len(requests):,.1f}x "
            f"litsync's), {base.wall:,.1f} s ({base.wall / cold.wall:,.1f}x), "
            f"{base.found:,}/{n:,} papers; {base.note}"
        )
    return result, root, papers


def cold_refresh(
    root: Path, server: ArxivServer, delay: float
) -> tuple[float, Run, list[Any], float, float]:
    """A cold refresh of `root`: its local time (what the delay and the server did not
    take), the run, the server's requests, and when the run started and ended."""
    server.clear_requests()
    before = time.monotonic()
    cold = litsync(root, "refresh", "--api-url", server.url, "--delay", str(delay))
    after = time.monotonic()
    requests = list(server.requests)
    serving = sum(r.duration or 0.0 for r in requests)
    return cold.wall - (len(requests) - 1) * delay - serving, cold, requests, before, after


def peak(runs: Sequence[Run]) -> float:
    return max(r.peak_rss_mb for r in runs)


def memory(runs: Sequence[Run], together: float) -> str:
    return f"peak RSS {peak(runs):.0f} MB, processes together {together:.0f} MB"


RENDERS = {
    "unchanged": "nothing changed since the refresh: .litsync/rendered.json says so",
    "after a comment": "a comment added to ids.yaml: parsed again, the document and the "
    "exports rendered, every paper's export entries copied from the old exports, where "
    ".litsync/exports.pickle places them",
    "after a title edit": "an override of one paper's title added to ids.yaml: as above, "
    "and that paper's export entries made anew",
    "fresh clone": ".litsync/ deleted: the catalogue parsed, every export entry made, the "
    "memos written",
}


def render_runs(root: Path) -> tuple[dict[str, list[Run]], dict[str, float]]:
    """REPEAT timed runs of `litsync render` after each kind of change in RENDERS, and
    the memory its processes held together in one more run of each, sampled (which
    costs time: it is not among the timed runs)."""
    catalogue = root / "catalogue" / "ids.yaml"

    def comment(number: int) -> None:
        with catalogue.open("a", encoding="utf-8") as stream:
            stream.write(f"# edit {number}\n")

    changes = {
        "unchanged": lambda number: None,
        "after a comment": comment,
        "after a title edit": lambda number: retitle(catalogue, number),
        "fresh clone": lambda number: shutil.rmtree(root / ".litsync"),
    }
    runs: dict[str, list[Run]] = {}
    together: dict[str, float] = {}
    for name, change in changes.items():
        runs[name] = []
        for number in range(REPEAT + 1):
            change(number)
            run = litsync(root, "render", sample=number == REPEAT)
            if number < REPEAT:
                runs[name].append(run)
            else:
                together[name] = run.together_mb
    return runs, together


ADDS = {
    "with the memo": "the catalogue's memo as the last run left it (render, refresh, add "
    "and import leave one)",
    "fresh clone": ".litsync/ deleted: the catalogue parsed whole",
}


def add_runs(root: Path, listed: set[str]) -> dict[str, list[Run]]:
    """REPEAT timed runs of `litsync add` of one new paper, after each kind of state in
    ADDS, on a copy of the list (the month after it is simulated on the list as it was)."""
    copy = root.with_name(root.name + "-add")
    shutil.copytree(root, copy)
    new = (f"2512.{number:05d}" for number in range(99_999, 0, -1))
    unlisted = (arxiv_id for arxiv_id in new if arxiv_id not in listed)
    runs: dict[str, list[Run]] = {}
    for name in ADDS:
        runs[name] = []
        for _ in range(REPEAT):
            if name == "fresh clone":
                shutil.rmtree(copy / ".litsync", ignore_errors=True)
            add = ("add", next(unlisted), "--usecase", "Added", "--topic", "Topic 0")
            runs[name].append(litsync(copy, *add))
    shutil.rmtree(copy)
    return runs


def arxiv_like(root: Path) -> Path:
    """A copy of the list whose cached papers have the titles and abstracts of the real
    papers of this repository's cache, in turn, each made its own by its id.

    The generated abstracts are about 400 characters of lowercase words; arXiv's run to
    1,000 or 2,000, with accents, quotes and formulas, which cost more to encode.
    """
    copy = root.with_name(root.name + "-arxiv-like")
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".litsync"))
    real = list(Cache.load(ROOT / "catalogue" / "cache.json"))
    cache = Cache.load(copy / "catalogue" / "cache.json")
    for number, record in enumerate(list(cache)):
        model = real[number % len(real)]
        cache.put(
            record._replace(
                title=f"{model.title} ({record.id})", abstract=f"{model.abstract} ({record.id})"
            )
        )
    cache.save()
    return copy


def retitle(catalogue: Path, number: int) -> None:
    """Override the title of the `number`th paper of the catalogue, a different one each time."""
    lines = catalogue.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id: ")]
    at = starts[(number * 7919) % len(starts)] + 1
    lines[at:at] = ["    overrides:\n", f"      title: Edited title {number}\n"]
    catalogue.write_text("".join(lines), encoding="utf-8")


# --- the month -----------------------------------------------------------------------


def nights(root: Path, papers: Sequence[Paper], count: int) -> None:
    """Requests of each night for `count` nights after the full refresh of night 0.

    refresh() runs in-process with `today` moved on night by night, on a copy of the list
    and without delay: only the counts matter here.
    """
    copy = root.with_name(root.name + "-month")
    shutil.copytree(root, copy)
    project = Project(copy)
    start = date.today()
    n = len(papers)
    print(
        f"\n=== {count} nights of the {n:,}-paper list, refreshed in full on night 0; "
        "max_age_days: 7 (the default)"
    )
    rows = []
    with ArxivServer(papers) as server, contextlib.redirect_stderr(io.StringIO()):
        config = HarvestConfig(api_url=server.url, delay=0)
        for night in range(1, count + 1):
            server.clear_requests()
            report = refresh(project, config, today=start + timedelta(days=night))
            rows.append((report.due, len(server.requests)))
    for first in range(0, count, 10):
        chunk = rows[first : first + 10]
        print("night    " + "".join(f"{first + i + 1:>7}" for i in range(len(chunk))))
        print("papers   " + "".join(f"{due:>7,}" for due, _ in chunk))
        print("requests " + "".join(f"{made:>7}" for _, made in chunk))
    dues = [due for due, _ in rows]
    made = [m for _, m in rows]
    print(
        f"per night: {min(dues):,} to {max(dues):,} papers (mean {statistics.fmean(dues):,.0f}), "
        f"{min(made)} to {max(made)} requests (mean {statistics.fmean(made):.1f}); "
        f"{sum(made)} requests in {count} nights; each paper re-checked "
        f"{sum(dues) / n:.2f} times (every 7 days: {count / 7:.2f})"
    )


# --- all of it -----------------------------------------------------------------------


def summary(sizes: dict[int, Size], delay: float) -> None:
    print("\n=== summary (targets from issue 5; times are medians of wall time)")
    for s in sizes.values():
        at_arxiv = (s.requests - 1) * DEFAULT_DELAY
        if s.requests > 1:
            wall = (
                f"cold wall / (floor + server) = {s.cold / (s.cold_floor + s.server):.3f} at "
                f"{delay:g} s, {(at_arxiv + s.server + s.overhead) / (at_arxiv + s.server):.3f} "
                f"computed for arXiv's {DEFAULT_DELAY:g} s (target <= 1.05)"
            )
        else:
            wall = f"one request: the floor is 0 s, the cold wall ({s.cold:.2f} s) all local"
        print(
            f"N = {s.n:>6,}: requests {s.requests} <= ⌈N/B⌉ + 1 = {s.floor + 1}: "
            f"{yes(s.requests <= s.floor + 1)}; {wall}"
        )
        print(
            f"             warm refresh {s.warm_requests} requests, "
            f"{statistics.median(r.wall for r in s.warm):.2f} s, files changed: "
            f"{len(s.touched)}; render "
            + ", ".join(
                f"{name} {statistics.median(r.wall for r in runs):.2f} s {s.together[name]:.0f} MB"
                for name, runs in s.renders.items()
            )
        )
        print(
            "             arXiv-like text: render "
            + ", ".join(
                f"{name} {statistics.median(r.wall for r in runs):.2f} s "
                f"{s.together_arxiv_like[name]:.0f} MB"
                for name, runs in s.renders_arxiv_like.items()
            )
        )
        print(
            "             add one paper "
            + ", ".join(
                f"{name} {statistics.median(r.wall for r in runs):.2f} s"
                for name, runs in s.adds.items()
            )
        )
    if 1_000 in sizes and 10_000 in sizes:
        small, big = sizes[1_000], sizes[10_000]
        print("growth from 1,000 to 10,000 papers (10x):")
        for name, pick in (
            ("warm refresh", lambda s: s.warm),
            *((f"render {name}", lambda s, name=name: s.renders[name]) for name in RENDERS),
            *((f"add, {name}", lambda s, name=name: s.adds[name]) for name in ADDS),
        ):
            a = statistics.median(r.wall for r in pick(small))
            b = statistics.median(r.wall for r in pick(big))
            print(f"  {name:25} {a:.2f} s -> {b:.2f} s: {b / a:.1f}x")
        print(f"  cold local time           {small.overhead:.2f} s -> {big.overhead:.2f} s: "
              f"{big.overhead / small.overhead:.1f}x")  # fmt: skip
    if 10_000 in sizes:
        big = sizes[10_000]
        print(
            f"targets at 10,000: warm refresh 0 requests: {yes(big.warm_requests == 0)}; "
            f"< 1.5 s: {yes(statistics.median(r.wall for r in big.warm) < 1.5)}; "
            f"no file touched: {yes(not big.touched)}"
        )
        for text, renders, together in (
            ("", big.renders, big.together),
            ("arXiv-like text, ", big.renders_arxiv_like, big.together_arxiv_like),
        ):
            for name, runs in renders.items():
                print(
                    f"                   {text}render {name} < 1 s: "
                    f"{yes(statistics.median(r.wall for r in runs) < 1)}; < 150 MB "
                    f"(processes together): {yes(together[name] < 150)}"
                )


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, metavar="N")
    parser.add_argument("--delay", type=float, default=DELAY, help="seconds between requests")
    parser.add_argument("--nights", type=int, default=NIGHTS, help="nights to simulate (0: none)")
    args = parser.parse_args(argv)
    global spawner
    spawner = Spawner()
    print(
        f"litsync benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"({platform.machine()}), load {os.getloadavg()[0]:.2f}; delay {args.delay:g} s "
        f"(arXiv's: {DEFAULT_DELAY:g} s); medians of {REPEAT} runs; calibration loop "
        f"{calibration():.2f} s"
    )
    for name, what in RENDERS.items():
        print(f"render {name}: {what}")
    for name, what in ADDS.items():
        print(f"add one paper, {name}: {what}")
    sizes: dict[int, Size] = {}
    with tempfile.TemporaryDirectory(prefix="litsync-bench-") as tmp:
        largest = None
        for n in sorted(args.sizes):
            sizes[n], root, papers = bench_size(n, Path(tmp), args.delay)
            largest = (root, papers)
        if args.nights and largest is not None:
            nights(*largest, args.nights)
    summary(sizes, args.delay)
    spawner.close()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"calibration loop at the end {calibration():.2f} s; load {os.getloadavg()[0]:.2f}; "
        f"litsync processes used {usage.ru_utime + usage.ru_stime:.0f} s of CPU"
    )


if __name__ == "__main__":
    main()
