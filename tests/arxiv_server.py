"""A real local HTTP server that imitates the arXiv query API, for tests.

The point is to exercise the client over an actual socket: real status codes,
real resets and timeouts, real pagination, and the quirks of the real service
(unversioned ids answer with the latest version, unknown ids are silently
absent, results come back in no particular order, one malformed id fails the
whole request, long URLs are refused).  Tests script arXiv's bad days with
`ArxivServer.script(Fault...)`.

Standard library only, so the fake cannot share a bug with the client's parser.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import random
import re
import select
import socket
import struct
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

__all__ = [
    "ID_RE",
    "ArxivServer",
    "Fault",
    "Paper",
    "RecordedRequest",
    "generate_papers",
    "load_feed",
    "render_feed",
]

ATOM_CONTENT_TYPE = "application/atom+xml; charset=UTF-8"
RSS_CONTENT_TYPE = "application/rss+xml; charset=UTF-8"
QUERY_PATH = "/api/query"

_NEW_STYLE = r"\d{4}\.\d{4,5}"
_OLD_STYLE = r"[a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
# What arXiv accepts in id_list; anything else fails the whole request.
ID_RE = re.compile(rf"(?P<base>{_NEW_STYLE}|{_OLD_STYLE})(?:v(?P<version>\d+))?")
_SUBJECT_CLASS = re.compile(r"^([a-z\-]+)\.[A-Z]{2}/")

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}


# --------------------------------------------------------------------------- corpus


def _parse_ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _format_ts(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Paper:
    """One arXiv paper with its version history.

    `versions[i]` is the `<updated>` timestamp of version i+1; `versions[0]`
    equals `published`.  Metadata is shared by all versions.
    """

    base_id: str
    title: str
    summary: str
    authors: list[str]
    published: str
    versions: list[str] = field(default_factory=list)
    primary_category: str = "cs.LG"
    categories: list[str] = field(default_factory=list)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    def __post_init__(self) -> None:
        # Lets tests build a one-version paper without repeating the date.
        if not self.versions:
            self.versions = [self.published]
        if not self.categories:
            self.categories = [self.primary_category]

    @property
    def latest_version(self) -> int:
        return len(self.versions)

    @property
    def updated(self) -> str:
        return self.versions[-1]

    def versioned_id(self, version: int | None = None) -> str:
        return f"{self.base_id}v{version or self.latest_version}"

    def add_version(self, updated: str | None = None) -> int:
        """Append a new version (default: a week after the latest); return its number."""
        if updated is None:
            updated = _format_ts(_parse_ts(self.versions[-1]) + timedelta(days=7))
        self.versions.append(updated)
        return self.latest_version


def _spread_versions(published: str, updated: str, count: int) -> list[str]:
    if count <= 1:
        return [published]
    start, end = _parse_ts(published), _parse_ts(updated)
    step = (end - start) / (count - 1)
    middle = [_format_ts(start + step * i) for i in range(1, count - 1)]
    return [published, *middle, updated]


def load_feed(path: str | Path) -> list[Paper]:
    """Read an arXiv Atom feed (like tests/data/seed-papers.atom.xml) into Papers.

    Each entry carries only its latest version vN; the earlier versions get
    evenly spaced dates between `published` and `updated`.
    """
    root = ET.parse(path).getroot()
    papers: list[Paper] = []
    for entry in root.iterfind("atom:entry", _NS):

        def text(tag: str, entry: ET.Element = entry) -> str | None:
            found = entry.find(tag, _NS)
            return found.text if found is not None else None

        entry_id = text("atom:id") or ""
        match = ID_RE.fullmatch(entry_id.rsplit("/abs/", 1)[-1])
        if match is None:
            raise ValueError(f"unrecognised entry id {entry_id!r} in {path}")
        latest = int(match["version"] or 1)
        published = text("atom:published") or ""
        updated = text("atom:updated") or published
        primary = entry.find("arxiv:primary_category", _NS)
        papers.append(
            Paper(
                base_id=match["base"],
                title=text("atom:title") or "",
                summary=text("atom:summary") or "",
                authors=[name.text or "" for name in entry.iterfind("atom:author/atom:name", _NS)],
                published=published,
                versions=_spread_versions(published, updated, latest),
                primary_category=primary.get("term", "") if primary is not None else "",
                categories=[c.get("term", "") for c in entry.iterfind("atom:category", _NS)],
                comment=text("arxiv:comment"),
                journal_ref=text("arxiv:journal_ref"),
                doi=text("arxiv:doi"),
            )
        )
    return papers


# fmt: off
_WORDS = [
    "quantum", "neural", "sparse", "stochastic", "robust", "adaptive", "latent", "graph",
    "spectral", "bayesian", "topological", "convex", "causal", "variational", "deep", "learning",
    "inference", "dynamics", "entropy", "gauge", "lattice", "manifold", "operator", "kernel",
    "transformer", "diffusion", "estimation", "boundary", "scattering", "symmetry",
    "renormalization", "field", "string", "black", "hole", "dark", "matter", "galaxy",
    "superconducting", "spin", "chain", "phase", "transition", "grasping", "robotic",
    "simulation", "policy",
]
_FIRST = [
    "Alice", "Bo", "Chen", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jan", "Kofi",
    "Lena", "Mei", "Nuno", "Olga",
]
_LAST = [
    "Smith", "Müller", "Zhang", "Ivanov", "García", "Okafor", "Tanaka", "Rossi", "Dubois",
    "Kowalski", "Nguyen", "Larsen", "O'Brien", "Schmidt", "Silva",
]
# fmt: on
_OLD_ARCHIVES = {
    "hep-th": "hep-th",
    "hep-ph": "hep-ph",
    "math": "math.AG",
    "cond-mat": "cond-mat.str-el",
    "astro-ph": "astro-ph",
    "quant-ph": "quant-ph",
    "gr-qc": "gr-qc",
}
# fmt: off
_NEW_CATEGORIES = [
    "cs.LG", "cs.CV", "cs.RO", "cs.CL", "stat.ML", "math.PR", "hep-th", "quant-ph", "astro-ph.CO",
    "cond-mat.mes-hall",
]
# fmt: on


_ARCHIVE_NAMES = list(_OLD_ARCHIVES)
_MONTHS = [(y, m) for y in range(1991, 2026) for m in range(1, 13)]
# arXiv's id schemes by submission month: archive/YYMMNNN until 0703,
# YYMM.NNNN from 0704 to 1412, YYMM.NNNNN from 1501.
_OLD_STYLE_MONTHS = [ym for ym in _MONTHS if (1991, 8) <= ym <= (2007, 3)]
_FOUR_DIGIT_MONTHS = [ym for ym in _MONTHS if (2007, 4) <= ym <= (2014, 12)]
_FIVE_DIGIT_MONTHS = [ym for ym in _MONTHS if ym >= (2015, 1)]


_GENERATED_BEFORE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def generate_papers(n: int, seed: int = 0) -> list[Paper]:
    """A deterministic synthetic corpus of `n` papers with unique ids.

    Mixes old-style ids (hep-th/9901001), 4-digit new-style (0704-1412) and
    5-digit new-style (1501 onwards); 1-4 versions; some comments, journal
    refs and DOIs; a few titles with characters that need XML escaping.
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    papers: list[Paper] = []
    while len(papers) < n:
        kind = rng.random()
        if kind < 0.2:
            archive = rng.choice(_ARCHIVE_NAMES)
            year, month = rng.choice(_OLD_STYLE_MONTHS)
            base_id = f"{archive}/{year % 100:02d}{month:02d}{rng.randint(1, 999):03d}"
            primary = _OLD_ARCHIVES[archive]
        elif kind < 0.5:
            year, month = rng.choice(_FOUR_DIGIT_MONTHS)
            base_id = f"{year % 100:02d}{month:02d}.{rng.randint(1, 9999):04d}"
            primary = rng.choice(_NEW_CATEGORIES)
        else:
            year, month = rng.choice(_FIVE_DIGIT_MONTHS)
            base_id = f"{year % 100:02d}{month:02d}.{rng.randint(1, 29999):05d}"
            primary = rng.choice(_NEW_CATEGORIES)
        if base_id in seen:
            continue
        seen.add(base_id)
        i = len(papers)

        submitted = datetime(
            year,
            month,
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(0, 59),
            tzinfo=timezone.utc,
        )
        versions = [_format_ts(submitted)]
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
            submitted += timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86399))
            if submitted >= _GENERATED_BEFORE:
                break  # no revisions from the future
            versions.append(_format_ts(submitted))

        title = " ".join(rng.choices(_WORDS, k=rng.randint(3, 9))).capitalize()
        if i % 37 == 0:
            # Keeps escaping honest across the whole pipeline.
            title += ' for R&D: <x> "quoted" & done'
        others = [c for c in _NEW_CATEGORIES if c != primary]
        papers.append(
            Paper(
                base_id=base_id,
                title=title,
                summary=" ".join(rng.choices(_WORDS, k=rng.randint(20, 60))) + ".",
                authors=[
                    f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(1, 5))
                ],
                published=versions[0],
                versions=versions,
                primary_category=primary,
                categories=[primary, *rng.sample(others, rng.randint(0, 2))],
                comment=f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures"
                if i % 5 == 0
                else None,
                journal_ref=f"Phys. Rev. D {rng.randint(50, 110)}, {rng.randint(1, 9999)}"
                if i % 11 == 0
                else None,
                doi=f"10.{rng.randint(1000, 9999)}/synthetic.{i}" if i % 9 == 0 else None,
            )
        )
    return papers


# --------------------------------------------------------------------------- rendering


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _entry_xml(paper: Paper, version: int) -> str:
    vid = paper.versioned_id(version)
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{escape(vid)}</id>",
        f"    <title>{escape(paper.title)}</title>",
        f"    <updated>{escape(paper.versions[version - 1])}</updated>",
        f'    <link href="https://arxiv.org/abs/{_attr(vid)}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{_attr(vid)}" rel="related"'
        ' type="application/pdf" title="pdf"/>',
    ]
    if paper.doi:
        lines.append(
            f'    <link href="https://doi.org/{_attr(paper.doi)}" rel="related" title="doi"/>'
        )
    lines.append(f"    <summary>{escape(paper.summary)}</summary>")
    lines += [
        f'    <category term="{_attr(c)}" scheme="http://arxiv.org/schemas/atom"/>'
        for c in paper.categories
    ]
    lines.append(f"    <published>{escape(paper.published)}</published>")
    if paper.comment:
        lines.append(f"    <arxiv:comment>{escape(paper.comment)}</arxiv:comment>")
    if paper.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>")
    if paper.doi:
        lines.append(f"    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>")
    lines.append(f'    <arxiv:primary_category term="{_attr(paper.primary_category)}"/>')
    for name in paper.authors:
        lines += ["    <author>", f"      <name>{escape(name)}</name>", "    </author>"]
    lines.append("  </entry>")
    return "\n".join(lines) + "\n"


def _today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00Z")


def _feed_xml(
    entries_xml: Iterable[str],
    *,
    params: Mapping[str, str],
    total_results: int,
    start: int,
    items_per_page: int,
    updated: str | None,
) -> str:
    search_query = params.get("search_query", "")
    id_list = params.get("id_list", "")
    title = (
        f"arXiv Query: search_query={search_query}&id_list={id_list}"
        f"&start={start}&max_results={items_per_page}"
    )
    link = (
        f"https://arxiv.org/api/query?search_query={search_query}"
        f"&start={start}&max_results={items_per_page}&id_list={id_list}"
    )
    # The 2026 service names each feed after a hash of its query.
    token = base64.urlsafe_b64encode(hashlib.sha1(title.encode()).digest()).decode().rstrip("=")
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
        ' xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <id>https://arxiv.org/api/{token}</id>\n"
        f"  <title>{escape(title)}</title>\n"
        f"  <updated>{updated or _today()}</updated>\n"
        f'  <link href="{_attr(link)}" type="application/atom+xml"/>\n'
        f"  <opensearch:itemsPerPage>{items_per_page}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total_results}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    )
    return head + "".join(entries_xml) + "</feed>\n"


def render_feed(
    entries: Sequence[Paper | tuple[Paper, int]],
    *,
    total_results: int | None = None,
    start: int = 0,
    items_per_page: int | None = None,
    params: Mapping[str, str] | None = None,
    updated: str | None = None,
) -> bytes:
    """Render a feed exactly as the server would, without a server.

    Each entry is a Paper (its latest version) or a (Paper, version) pair.
    """
    pairs = [(e, e.latest_version) if isinstance(e, Paper) else e for e in entries]
    text = _feed_xml(
        (_entry_xml(p, v) for p, v in pairs),
        params=params or {},
        total_results=len(pairs) if total_results is None else total_results,
        start=start,
        items_per_page=len(pairs) if items_per_page is None else items_per_page,
        updated=updated,
    )
    return text.encode("utf-8")


def _error_feed(message: str, params: Mapping[str, str], updated: str | None) -> bytes:
    anchor = "http://arxiv.org/api/errors#" + message.replace(" ", "_")
    entry = (
        "  <entry>\n"
        f"    <id>{escape(anchor)}</id>\n"
        "    <title>Error</title>\n"
        f"    <updated>{updated or _today()}</updated>\n"
        f'    <link href="{_attr(anchor)}" rel="alternate" type="text/html"/>\n'
        f"    <summary>{escape(message)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n"
    )
    text = _feed_xml(
        [entry], params=params, total_results=1, start=0, items_per_page=1, updated=updated
    )
    return text.encode("utf-8")


# --------------------------------------------------------------------------- search_query


class _QuerySyntaxError(ValueError):
    pass


_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<lpar>\() | (?P<rpar>\)) |
        (?:(?P<field>[A-Za-z_]+):)?
        (?: "(?P<phrase>[^"]*)"
          | \[\s*(?P<lo>\d+)\s+TO\s+(?P<hi>\d+)\s*\]
          | (?P<word>[^\s()"]+) )
    )""",
    re.VERBOSE,
)
_OPERATORS = frozenset({"AND", "OR", "ANDNOT"})


@dataclass(frozen=True)
class _Term:
    field: str
    text: str


@dataclass(frozen=True)
class _Range:
    field: str
    lo: str
    hi: str


@dataclass(frozen=True)
class _BinOp:
    op: str
    left: _Node
    right: _Node


_Node = _Term | _Range | _BinOp


def _tokenize(query: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _TOKEN_RE.match(query, pos)
        if m is None or m.end() == pos:
            raise _QuerySyntaxError(f"cannot parse search_query at {query[pos:]!r}")
        pos = m.end()
        fld = (m["field"] or "all").lower()
        if m["lpar"]:
            tokens.append(("(", None))
        elif m["rpar"]:
            tokens.append((")", None))
        elif m["lo"] is not None:
            tokens.append(("term", _Range(fld, m["lo"], m["hi"])))
        elif m["phrase"] is not None:
            tokens.append(("term", _Term(fld, m["phrase"])))
        elif m["field"] is None and m["word"] in _OPERATORS:
            tokens.append(("op", m["word"]))
        else:
            tokens.append(("term", _Term(fld, m["word"])))
    return tokens


def _parse_query(query: str) -> _Node:
    tokens = _tokenize(query)
    pos = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal pos
        if pos >= len(tokens):
            raise _QuerySyntaxError("unexpected end of search_query")
        pos += 1
        return tokens[pos - 1]

    def unary() -> _Node:
        kind, value = take()
        if kind == "(":
            node = disjunction()
            if take()[0] != ")":
                raise _QuerySyntaxError("unbalanced parentheses")
            return node
        if kind != "term":
            raise _QuerySyntaxError(f"unexpected {value or kind!r}")
        assert isinstance(value, _Term | _Range)
        return value

    def conjunction() -> _Node:
        node = unary()
        while (tok := peek()) is not None and tok != ("op", "OR") and tok[0] != ")":
            op = "AND"
            if tok[0] == "op":
                op = take()[1]
            node = _BinOp(op, node, unary())
        return node

    def disjunction() -> _Node:
        node = conjunction()
        while peek() == ("op", "OR"):
            take()
            node = _BinOp("OR", node, conjunction())
        return node

    tree = disjunction()
    if pos != len(tokens):
        raise _QuerySyntaxError("trailing tokens in search_query")
    return tree


def _haystacks(paper: Paper, fld: str) -> list[str] | None:
    if fld == "ti":
        return [paper.title]
    if fld == "abs":
        return [paper.summary]
    if fld == "au":
        return paper.authors
    if fld == "cat":
        return paper.categories
    if fld == "co":
        return [paper.comment or ""]
    if fld == "jr":
        return [paper.journal_ref or ""]
    if fld == "id":
        return [paper.base_id]
    if fld == "all":
        return [
            paper.title,
            paper.summary,
            *paper.authors,
            *paper.categories,
            paper.comment or "",
            paper.journal_ref or "",
        ]
    return None  # an unknown prefix matches nothing


def _stamp(iso: str) -> str:
    return re.sub(r"\D", "", iso)  # "2018-12-18T09:11:02Z" -> "20181218091102"


def _score(node: _Node, paper: Paper, updated: str) -> int | None:
    """None when the paper does not match; otherwise a relevance score (hit count)."""
    if isinstance(node, _Term):
        hay = _haystacks(paper, node.field)
        needle = node.text.lower()
        if node.field == "au":
            needle = needle.replace("_", " ")  # arXiv's au:del_maestro convention
        if hay is None or not needle:
            return None
        hits = sum(h.lower().count(needle) for h in hay)
        return hits or None
    if isinstance(node, _Range):
        if node.field == "submitteddate":
            stamp = _stamp(paper.published)
        elif node.field == "lastupdateddate":
            stamp = _stamp(updated)
        else:
            return None
        ok = node.lo <= stamp[: len(node.lo)] and stamp[: len(node.hi)] <= node.hi
        return 0 if ok else None
    left = _score(node.left, paper, updated)
    if node.op == "OR":
        right = _score(node.right, paper, updated)
        if left is None and right is None:
            return None
        return (left or 0) + (right or 0)
    if left is None:
        return None
    right = _score(node.right, paper, updated)
    if node.op == "ANDNOT":
        return left if right is None else None
    return None if right is None else left + right


# --------------------------------------------------------------------------- faults


FaultKind = Literal[
    "ok",
    "status",
    "reset",
    "hang",
    "slow",
    "truncated",
    "empty_page",
    "drop_ids",
    "billion_laughs",
    "external_entity",
    "hidden_doctype",
    "blank_entries",
    "control_character",
    "short_page",
    "gzip_bomb",
    "drip",
]

_DEFAULT_HTML = (
    "<html><head><title>{code} {reason}</title></head><body>"
    "<center><h1>{code} {reason}</h1></center><hr><center>nginx</center></body></html>\n"
)
_MAINTENANCE_HTML = (
    "<!DOCTYPE html>\n<html><head><title>arXiv is down for maintenance</title></head>\n"
    "<body><h1>We are performing scheduled maintenance</h1>\n"
    "<p>arXiv will be back shortly. Thank you for your patience.</p></body></html>\n"
)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour, applied to exactly one request.

    Build them with the factory classmethods, e.g. `Fault.status(503, retry_after=2)`.
    """

    kind: FaultKind
    status_code: int = 200
    retry_after: int | str | None = None
    body: bytes | None = None
    content_type: str | None = None
    seconds: float = 0.0
    headers_only: bool = False
    ids: frozenset[str] = frozenset()
    entry: int = -1
    closed: bool = False
    system_url: str = "file:///etc/passwd"
    count: int = 0

    @classmethod
    def ok(cls) -> Fault:
        """No fault: answer this request normally (a placeholder in a script)."""
        return cls("ok")

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: int | str | None = None,
        body: str | bytes | None = None,
        content_type: str | None = None,
    ) -> Fault:
        """Answer with HTTP `code`; body defaults to a small nginx-style HTML page."""
        return cls(
            "status",
            status_code=code,
            retry_after=retry_after,
            body=body.encode("utf-8") if isinstance(body, str) else body,
            content_type=content_type,
        )

    @classmethod
    def rate_exceeded(cls) -> Fault:
        """429 with the plain-text body `Rate exceeded.` and no Retry-After, as arXiv does."""
        return cls.status(429, body="Rate exceeded.", content_type="text/plain")

    @classmethod
    def throttled(cls) -> Fault:
        """406 Not Acceptable with an HTML page and no Retry-After, as arXiv's edge has
        answered since 2026 while it throttles a client, whatever the request asked for."""
        return cls.status(406)

    @classmethod
    def maintenance_page(cls, code: int = 200) -> Fault:
        """An HTML maintenance page (served with HTTP 200 unless told otherwise)."""
        return cls.status(code, body=_MAINTENANCE_HTML, content_type="text/html; charset=utf-8")

    @classmethod
    def plain_text(cls, text: str = "Rate exceeded.", code: int = 200) -> Fault:
        """A plain-text body instead of a feed (served with HTTP 200 unless told otherwise)."""
        return cls.status(code, body=text, content_type="text/plain; charset=utf-8")

    @classmethod
    def reset(cls) -> Fault:
        """Read the request, then reset the connection (RST) without answering."""
        return cls("reset")

    @classmethod
    def hang(cls, seconds: float = 30.0, *, headers_only: bool = False) -> Fault:
        """Send nothing (or only the headers) for `seconds`, then close.

        Ends early if the client hangs up or the server stops.
        """
        return cls("hang", seconds=seconds, headers_only=headers_only)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """A normal response, delivered after `seconds`."""
        return cls("slow", seconds=seconds)

    @classmethod
    def truncated(cls, entry: int = -1, *, closed: bool = False) -> Fault:
        """A normal 200 feed cut off in the middle of entry number `entry` (default: the last).

        Content-Length matches the truncated body, so only a completeness check catches it.
        `closed` appends `</feed>`, so that the body still ends like a whole feed.
        """
        return cls("truncated", entry=entry, closed=closed)

    @classmethod
    def empty_page(cls) -> Fault:
        """A valid feed with no entries whose totalResults still gives the real count."""
        return cls("empty_page")

    @classmethod
    def short_page(cls, entries: int) -> Fault:
        """A valid feed with only its first `entries` entries; totalResults gives the real count."""
        return cls("short_page", count=entries)

    @classmethod
    def blank_entries(cls) -> Fault:
        """A valid feed whose entries have an empty title and summary and no authors."""
        return cls("blank_entries")

    @classmethod
    def control_character(cls) -> Fault:
        """The normal feed with an ESC character (not allowed in XML) in its first entry's title."""
        return cls("control_character")

    @classmethod
    def gzip_bomb(cls, decoded_bytes: int = 2 * 1024**3) -> Fault:
        """A gzip-encoded 200 response of about 1/1000 of `decoded_bytes` that inflates to them."""
        return cls("gzip_bomb", count=decoded_bytes)

    @classmethod
    def drip(cls, seconds: float = 0.5) -> Fault:
        """The normal response, its body sent one byte every `seconds`.

        Ends early if the client hangs up or the server stops.
        """
        return cls("drip", seconds=seconds)

    @classmethod
    def drop_ids(cls, *ids: str) -> Fault:
        """Answer normally but leave these papers (base ids; versions ignored) out."""
        return cls("drop_ids", ids=frozenset(_canonical_base(i) for i in ids))

    @classmethod
    def billion_laughs(cls) -> Fault:
        """The normal feed with a DOCTYPE of nested internal entities (exponential expansion)."""
        return cls("billion_laughs")

    @classmethod
    def external_entity(cls, system_url: str = "file:///etc/passwd") -> Fault:
        """The normal feed with a DOCTYPE declaring an external SYSTEM entity."""
        return cls("external_entity", system_url=system_url)

    @classmethod
    def hidden_doctype(cls) -> Fault:
        """The normal feed with a DOCTYPE declaring an entity after a 2 KB comment naming <feed."""
        return cls("hidden_doctype")


def _canonical_base(raw_id: str) -> str:
    m = ID_RE.fullmatch(raw_id)
    base = m["base"] if m else raw_id
    # arXiv files old-style papers under the archive alone: math.GT/0309136 is math/0309136.
    return _SUBJECT_CLASS.sub(r"\1/", base)


def _truncate(body: bytes, entry: int) -> bytes:
    starts = [m.start() for m in re.finditer(rb"<entry>", body)]
    if not starts:
        return body[: len(body) // 2]
    try:
        begin = starts[entry]
    except IndexError:
        begin = starts[-1]
    end = body.find(b"</entry>", begin)
    return body[: begin + (end - begin) // 2]


def _blank_entries(body: bytes) -> bytes:
    head, entries = _split_entries(body)
    entries = re.sub(rb"<title>.*?</title>", b"<title></title>", entries, flags=re.DOTALL)
    entries = re.sub(rb"<summary>.*?</summary>", b"<summary></summary>", entries, flags=re.DOTALL)
    entries = re.sub(rb"\s*<author>.*?</author>", b"", entries, flags=re.DOTALL)
    return head + entries


def _control_character(body: bytes) -> bytes:
    head, entries = _split_entries(body)
    return head + entries.replace(b"<title>", b"<title>\x1b", 1)


def _split_entries(body: bytes) -> tuple[bytes, bytes]:
    """The feed's head and the rest, from its first entry on."""
    at = body.find(b"<entry>")
    return (body, b"") if at < 0 else (body[:at], body[at:])


# A gzip stream may hold many members; repeating one small member inflates without end.
_GZIP_MEGABYTE = gzip.compress(b" " * 2**20, compresslevel=9)


def _gzip_bomb(body: bytes, decoded_bytes: int) -> bytes:
    head, _ = _split_entries(body)
    return gzip.compress(head) + _GZIP_MEGABYTE * (decoded_bytes // 2**20)


_HIDING_COMMENT = "<!-- " + "the <feed> element follows; " * 80 + "-->"


def _inject_doctype(body: bytes, doctype: str, reference: str) -> bytes:
    text = body.decode("utf-8")
    declaration, rest = text.split("\n", 1)
    # Put the reference where a naive parser would carry it into a title.
    if "<entry>" in rest:
        rest = re.sub(
            r"(<entry>\s*<id>[^<]*</id>\s*<title>)[^<]*", rf"\g<1>{reference}", rest, count=1
        )
    else:
        rest = re.sub(r"(<title>)[^<]*", rf"\g<1>{reference}", rest, count=1)
    return f"{declaration}\n{doctype}\n{rest}".encode()


_LAUGHS = "\n".join(
    [
        "<!DOCTYPE feed [",
        '  <!ENTITY lol "lol">',
        *(
            f'  <!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">'
            for i in range(1, 10)
        ),
        "]>",
    ]
)


# --------------------------------------------------------------------------- recording


@dataclass
class RecordedRequest:
    """What the server saw and did for one request."""

    method: str
    path: str
    query: str
    params: dict[str, str]
    url_length: int
    started: float
    client_port: int
    headers: dict[str, str] = field(default_factory=dict)
    """The request's headers, by name as sent."""
    finished: float | None = None
    status: int | None = None  # None: no HTTP response (reset, hang, client gone)
    fault: Fault | None = None
    _conn: socket.socket | None = field(default=None, repr=False, compare=False)
    _waiting: bool = field(default=False, repr=False, compare=False)

    @property
    def ids(self) -> list[str]:
        """The id_list of the request, split on commas."""
        return [i for i in self.params.get("id_list", "").split(",") if i]

    @property
    def duration(self) -> float | None:
        return None if self.finished is None else self.finished - self.started


# --------------------------------------------------------------------------- the server


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = ATOM_CONTENT_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    owner: ArxivServer


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive like the real front end, so connection reuse is observable.
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recording replaces the access log

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; with Nagle on, a
        # keep-alive client would wait ~40 ms for the delayed ACK each time.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.owner._track(self.connection, add=False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        # The real API also accepts POSTed form parameters.
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length) if length else b"")

    def _serve(self, form: bytes) -> None:
        owner = self.server.owner
        split = urlsplit(self.path)
        query = split.query
        if form:
            query = f"{query}&{form.decode('latin-1')}" if query else form.decode("latin-1")
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        record = owner._begin(
            RecordedRequest(
                method=self.command,
                path=split.path,
                query=query,
                params=params,
                url_length=len(self.path.encode("latin-1")),
                started=time.monotonic(),
                client_port=self.client_address[1],
                headers=dict(self.headers.items()),
                _conn=self.connection,
            )
        )
        status: int | None = None
        try:
            status = self._dispatch(record)
        except OSError:
            # The client went away mid-response; nothing more to say to it.
            self.close_connection = True
        finally:
            owner._end(record, status)

    def _dispatch(self, record: RecordedRequest) -> int | None:
        """Answer the request; returns the status sent, None when no response went out."""
        owner = self.server.owner
        fault = record.fault
        kind = fault.kind if fault else "ok"

        if fault is not None and kind == "status":
            reason = self.responses.get(fault.status_code, ("Error",))[0]
            body = fault.body
            if body is None:
                body = _DEFAULT_HTML.format(code=fault.status_code, reason=reason).encode()
            headers = []
            if fault.retry_after is not None:
                headers.append(("Retry-After", str(fault.retry_after)))
            return self._send(
                record,
                _Answer(fault.status_code, body, fault.content_type or "text/html", headers),
            )
        if kind == "reset":
            self.close_connection = True
            owner._end(record, None)
            # SO_LINGER 0 turns close() into an RST, so the client sees a reset
            # rather than a clean end of stream.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # drops the makefile reference so close() is real
            self.connection.close()
            return None
        if fault is not None and kind == "hang":
            self.close_connection = True
            if fault.headers_only:
                self._send(record, owner._answer(record, fault), headers_only=True)
            self._idle(record, fault.seconds)
            owner._end(record, None)
            return None
        if fault is not None and kind == "slow" and not self._idle(record, fault.seconds):
            self.close_connection = True
            return None
        if fault is not None and kind == "drip":
            self.close_connection = True
            answer = owner._answer(record, fault)
            self._send(record, answer, headers_only=True)
            for at in range(len(answer.body)):
                if not self._idle(record, fault.seconds):
                    return None
                self.wfile.write(answer.body[at : at + 1])
                self.wfile.flush()
            owner._end(record, answer.status)
            return answer.status
        return self._send(record, owner._answer(record, fault))

    def _send(self, record: RecordedRequest, answer: _Answer, *, headers_only: bool = False) -> int:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        if not headers_only:
            # Record completion before the client can see the last byte: a
            # client that reacts at once (reads `requests`, sends its next
            # request) must find this one finished, never overlapping.
            self.server.owner._end(record, answer.status)
        self.end_headers()
        if not headers_only:
            self.wfile.write(answer.body)
        self.wfile.flush()
        return answer.status

    def _idle(self, record: RecordedRequest, seconds: float) -> bool:
        """Stall for `seconds`; False (and the request ends) if cut short."""
        record._waiting = True
        try:
            proceed = self._wait(seconds)
        finally:
            record._waiting = False
        if not proceed:
            self.server.owner._end(record, None)
        return proceed

    def _wait(self, seconds: float) -> bool:
        """Wait `seconds`; False if the server stops or the client hangs up first.

        Noticing the hang-up matters: a client that timed out and retried must
        not be counted as running two requests at once.
        """
        wake = self.server.owner._wake_r
        watch: list[socket.socket] = [self.connection, wake]
        deadline = time.monotonic() + seconds
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select(watch, [], [], remaining)
                if wake in readable:
                    return False
                if self.connection in readable:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return False
                    watch = [wake]  # pipelined bytes: only a stop can cut this short
        except (OSError, ValueError):
            return False
        return True


class ArxivServer:
    """A local imitation of http://export.arxiv.org/api/query.

    Use as a context manager (or call start()/stop()).  `url` is the query
    endpoint, ready for `arxiv.Client.query_url_format = server.url + "?{}"`.

    `corpus` maps base id -> Paper and may be mutated between requests.
    """

    def __init__(
        self,
        papers: Iterable[Paper] | Mapping[str, Paper] = (),
        *,
        max_url_bytes: int = 6000,
        default_max_results: int = 10,
        feed_updated: str | None = None,
    ) -> None:
        items = papers.values() if isinstance(papers, Mapping) else papers
        self.corpus: dict[str, Paper] = {p.base_id: p for p in items}
        # Ids the service refuses with HTTP 400 although they look well formed, as the
        # real one did for ids its backend could not parse.
        self.rejected_ids: set[str] = set()
        self.max_url_bytes = max_url_bytes
        self.default_max_results = default_max_results
        self.feed_updated = feed_updated  # None: today at midnight UTC, like arXiv
        self.requests: list[RecordedRequest] = []
        self.max_concurrent = 0
        self.files: dict[str, tuple[bytes, str]] = {}

        self._lock = threading.Lock()
        self._idle_cond = threading.Condition(self._lock)
        self._faults: deque[Fault] = deque()
        self._active: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._wake_r, self._wake_w = socket.socketpair()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> ArxivServer:
        if self._httpd is not None or self._wake_w.fileno() == -1:
            raise RuntimeError("an ArxivServer starts once")
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        # A short poll interval keeps stop() (and so every test) quick.
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"arxiv-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._wake_w.send(b"x")  # wakes every hanging or slow handler
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            # Idle keep-alive handlers sit in readline(); this frees them.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        with self._idle_cond:
            self._idle_cond.wait_for(lambda: not self._active, timeout=2.0)
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> ArxivServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + QUERY_PATH

    # ---- scripting and recording

    def script(self, *faults: Fault) -> None:
        """Queue faults for the next requests, one per request, in order."""
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def clear_requests(self) -> None:
        """Forget recorded requests and reset max_concurrent."""
        with self._lock:
            self.requests.clear()
            self.max_concurrent = len(self._active)

    def serve(self, path: str, body: bytes, content_type: str = RSS_CONTENT_TYPE) -> None:
        """Answer GET `path` with `body` (e.g. a recorded listing at /rss/cs.CV).

        Scripted faults apply to these requests too; `truncated` cuts the body in half.
        """
        with self._lock:
            self.files[path] = (body, content_type)

    def add(self, *papers: Paper) -> None:
        for paper in papers:
            self.corpus[paper.base_id] = paper

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _begin(self, record: RecordedRequest) -> RecordedRequest:
        with self._lock:
            record.fault = self._faults.popleft() if self._faults else None
            self.requests.append(record)
            # A stalled request whose client already hung up is over as far as
            # the client knows; its retry must not count as a second request.
            live = [r for r in self._active if not (r._waiting and _peer_closed(r._conn))]
            self._active.append(record)
            self.max_concurrent = max(self.max_concurrent, len(live) + 1)
        return record

    def _end(self, record: RecordedRequest, status: int | None) -> None:
        """Mark `record` finished; only the first call counts."""
        with self._idle_cond:
            if record.finished is not None:
                return
            record.finished = time.monotonic()
            record.status = status
            self._active.remove(record)
            self._idle_cond.notify_all()

    # ---- the API itself

    def _answer(self, record: RecordedRequest, fault: Fault | None) -> _Answer:
        with self._lock:
            static = self.files.get(record.path)
        if static is not None:
            body, content_type = static
            if fault is not None and fault.kind == "truncated":
                body = _truncate(body, fault.entry)
            return _Answer(200, body, content_type)
        if record.path != QUERY_PATH:
            return _Answer(404, b"<html><body><h1>404 Not Found</h1></body></html>\n", "text/html")
        if record.url_length > self.max_url_bytes:
            body = _DEFAULT_HTML.format(code=414, reason="Request-URI Too Large").encode()
            return _Answer(414, body, "text/html")
        answer = self._query(record.params, fault)
        if fault is None or answer.status != 200:
            return answer
        if fault.kind == "truncated":
            answer.body = _truncate(answer.body, fault.entry)
            if fault.closed:
                answer.body += b"</feed>\n"
        elif fault.kind == "billion_laughs":
            answer.body = _inject_doctype(answer.body, _LAUGHS, "&lol9;")
        elif fault.kind == "external_entity":
            doctype = f'<!DOCTYPE feed [\n  <!ENTITY xxe SYSTEM "{fault.system_url}">\n]>'
            answer.body = _inject_doctype(answer.body, doctype, "&xxe;")
        elif fault.kind == "hidden_doctype":
            doctype = f'{_HIDING_COMMENT}\n<!DOCTYPE feed [\n  <!ENTITY hidden "hidden">\n]>'
            answer.body = _inject_doctype(answer.body, doctype, "&hidden;")
        elif fault.kind == "blank_entries":
            answer.body = _blank_entries(answer.body)
        elif fault.kind == "control_character":
            answer.body = _control_character(answer.body)
        elif fault.kind == "gzip_bomb":
            answer.body = _gzip_bomb(answer.body, fault.count)
            answer.headers.append(("Content-Encoding", "gzip"))
        return answer

    def _query(self, params: Mapping[str, str], fault: Fault | None) -> _Answer:
        updated = self.feed_updated

        def error(message: str) -> _Answer:
            return _Answer(400, _error_feed(message, params, updated))

        try:
            start = int(params.get("start") or 0)
        except ValueError:
            return error("start must be an integer")
        try:
            max_results = int(params.get("max_results") or self.default_max_results)
        except ValueError:
            return error("max_results must be an integer")
        if start < 0:
            return error("start must be non-negative")
        if max_results < 0:
            return error("max_results must be non-negative")

        raw_ids = [i for i in params.get("id_list", "").split(",") if i]
        parsed: list[tuple[str, int | None]] = []
        for raw in raw_ids:
            m = ID_RE.fullmatch(raw)
            if m is None or raw in self.rejected_ids:
                return error(f"incorrect id format for {raw}")
            parsed.append((_canonical_base(raw), int(m["version"]) if m["version"] else None))

        corpus = dict(self.corpus)  # a snapshot: tests mutate it between requests
        dropped = fault.ids if fault is not None and fault.kind == "drop_ids" else frozenset()

        candidates: dict[tuple[str, int], Paper] = {}
        if raw_ids:
            for base, version in parsed:
                paper = corpus.get(base)
                if paper is None or base in dropped:
                    continue
                n = version if version is not None else paper.latest_version
                if 1 <= n <= paper.latest_version:
                    candidates[(base, n)] = paper
        else:
            for base, paper in corpus.items():
                if base not in dropped:
                    candidates[(base, paper.latest_version)] = paper

        search = params.get("search_query", "").strip()
        scores: dict[tuple[str, int], int] = {}
        if search:
            try:
                tree = _parse_query(search)
            except _QuerySyntaxError:
                candidates = {}
            else:
                for key, paper in candidates.items():
                    score = _score(tree, paper, paper.versions[key[1] - 1])
                    if score is not None:
                        scores[key] = score
                candidates = {k: p for k, p in candidates.items() if k in scores}
        elif not raw_ids:
            candidates = {}  # neither parameter: arXiv answers with an empty feed

        matches = sorted(candidates, key=_shuffle_key)
        sort_by = params.get("sortBy", "relevance")
        descending = params.get("sortOrder", "descending") != "ascending"
        if sort_by == "submittedDate":
            matches.sort(key=lambda k: candidates[k].published, reverse=descending)
        elif sort_by == "lastUpdatedDate":
            matches.sort(key=lambda k: candidates[k].versions[k[1] - 1], reverse=descending)
        elif scores:
            matches.sort(key=lambda k: scores[k], reverse=descending)
        elif not descending:
            matches.reverse()

        page = matches[start : start + max_results]
        if fault is not None and fault.kind == "empty_page":
            page = []
        elif fault is not None and fault.kind == "short_page":
            page = page[: fault.count]
        body = _feed_xml(
            (_entry_xml(candidates[k], k[1]) for k in page),
            params=params,
            total_results=len(matches),
            start=start,
            items_per_page=max_results,
            updated=updated,
        )
        return _Answer(200, body.encode("utf-8"))


def _peer_closed(conn: socket.socket | None) -> bool:
    if conn is None:
        return True
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and not conn.recv(1, socket.MSG_PEEK)
    except (OSError, ValueError):
        return True


def _shuffle_key(key: tuple[str, int]) -> bytes:
    # arXiv does not keep request order; a hash gives a stable, scrambled order.
    return hashlib.blake2b(f"{key[0]}v{key[1]}".encode(), digest_size=8).digest()
