"""HTTP for the arXiv API: politeness, timeouts and response checks in one adapter.

The `arxiv` package sends its requests through a `requests.Session` with no timeout and
judges responses by status alone. Mounting this adapter on that session makes every
request, including the package's own follow-up pages, wait its turn, arrive whole within
its timeout and the run's budget, stay under a size cap once decoded, and prove it is one
well-formed feed without a DTD before anything parses it.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit
from xml.parsers import expat

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from litsync import __version__
from litsync.errors import BadRequestError, ResponseTooLargeError, ServiceError, UnsafeFeedError

USER_AGENT = f"litsync/{__version__} (literature list sync; one request every 3 s)"
# arXiv answers 406 as well as 429 while it throttles a client (since 2026).
TRANSIENT_STATUSES = frozenset({406, 429, 500, 502, 503, 504})
# Root element of each kind of feed litsync reads, and its name in messages.
FEED_KINDS = {"feed": "Atom", "rss": "RSS"}
# The Accept header for each kind of feed: arXiv's edge may refuse a request without one.
ACCEPT = {
    "feed": "application/atom+xml, application/xml;q=0.9, */*;q=0.1",
    "rss": "application/rss+xml, application/xml;q=0.9, */*;q=0.1",
}
_ERROR_SUMMARY = re.compile(rb"<summary[^>]*>\s*(.*?)\s*</summary>", re.DOTALL)
# Far above any page arXiv sends (2,000 entries): a larger body, however well compressed
# on the wire, is a fault or a decompression bomb and is not read further.
MAX_BODY_BYTES = 32 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


class Clock(Protocol):
    """Time as the harvester sees it; tests pass one that records sleeps instead."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Throttle:
    """Keeps at least `delay` seconds between the end of one request and the next.

    arXiv's terms of use ask for one request every three seconds; counting from the end
    of a response keeps that true even when responses are slow.
    """

    delay: float
    clock: Clock
    requests: int = 0
    """How many requests were sent through this throttle."""
    deadline: float | None = None
    """When the run's time budget ends (clock time): no response is read past it."""
    _last: float | None = field(default=None, repr=False)

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.delay - self.clock.monotonic()
            if remaining > 0:
                self.clock.sleep(remaining)
        self.requests += 1

    def done(self) -> None:
        self._last = self.clock.monotonic()


class PoliteAdapter(HTTPAdapter):
    """An HTTPAdapter that throttles, times out, reads the body and checks it.

    `root` is the root element every response must have: ``feed`` (the API's Atom) or
    ``rss`` (the daily listings).
    """

    def __init__(self, throttle: Throttle, timeout: float, root: str = "feed") -> None:
        # One connection, reused: arXiv asks clients not to open parallel connections.
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)
        self.throttle = throttle
        self.timeout = timeout
        self.root = root

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        request.headers["User-Agent"] = USER_AGENT
        request.headers["Accept"] = ACCEPT[self.root]
        self.throttle.wait()
        try:
            deadline = self.response_deadline()
            # requests refuses a zero timeout; a deadline already past fails at once instead.
            kwargs["timeout"] = max(deadline - self.throttle.clock.monotonic(), 0.001)
            kwargs["stream"] = True
            response = super().send(request, **kwargs)
            # Read the body here, against the same deadline, so a response that stalls or
            # drips fails now instead of inside the feed parser.
            read_body(response, self.throttle.clock, deadline)
        finally:
            self.throttle.done()
        check_response(response, self.root)
        return response

    def response_deadline(self) -> float:
        """When the response being sent must be whole: `timeout` from now, or the budget's end."""
        deadline = self.throttle.clock.monotonic() + self.timeout
        if self.throttle.deadline is not None:
            deadline = min(deadline, self.throttle.deadline)
        return deadline


def read_body(response: requests.Response, clock: Clock, deadline: float) -> None:
    """Read and decode the whole body into `response.content` by `deadline`, capped in size.

    Each read waits only as long as the deadline leaves, so neither a stall nor a body that
    drips a byte at a time outlives it; the cap holds for the decoded size, so a small
    compressed body cannot inflate without bound.
    """
    try:
        body = _read_capped(response, clock, deadline)
    except BaseException as err:
        # A connection left halfway through a body cannot carry the next request.
        response.close()
        converted = _as_requests_error(err, response)
        if converted is err:
            raise
        raise converted from err
    # requests keeps a read body here; setting it makes the body read above
    # `response.content` for every later reader.
    response._content = body


def _as_requests_error(err: BaseException, response: requests.Response) -> BaseException:
    """urllib3's errors while reading a body, as requests raises them; others unchanged."""
    if isinstance(err, requests.RequestException):
        return err
    if isinstance(err, (urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return requests.ReadTimeout(err, response=response)
    if isinstance(err, urllib3.exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(err, response=response)
    if isinstance(err, (urllib3.exceptions.ProtocolError, OSError)):
        return requests.ConnectionError(err, response=response)
    return err


def _read_capped(response: requests.Response, clock: Clock, deadline: float) -> bytes:
    raw = response.raw
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise requests.ReadTimeout("the response did not finish in time", response=response)
        connection = raw.connection
        if connection is not None and connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = raw.read1(_CHUNK_BYTES, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ResponseTooLargeError(
                response.url or "",
                response.status_code,
                f"the response is larger than {MAX_BODY_BYTES // 2**20} MB; refused",
            )
        chunks.append(chunk)


def check_response(response: requests.Response, root: str = "feed") -> None:
    """Raise a ServiceError unless the response is HTTP 200 with a whole, safe feed."""
    url = response.url or ""
    status = response.status_code
    body = response.content or b""
    if status == 400:
        match = _ERROR_SUMMARY.search(body)
        detail = match.group(1).decode("utf-8", "replace") if match else "bad request"
        raise BadRequestError(url, status, f"HTTP 400 ({detail})")
    if status != 200:
        retry_after = parse_retry_after(response.headers)
        text = body[:80].decode("utf-8", "replace").strip()
        reason = f"HTTP {status}" + (f" ({text})" if text and "<" not in text else "")
        raise ServiceError(url, status, reason, retry_after)
    head = body[:2048]
    if f"<{root}".encode() not in head:
        text = " ".join(body[:60].decode("utf-8", "replace").split())
        raise ServiceError(url, status, f"HTTP 200 but not an {FEED_KINDS[root]} feed ({text!r})")
    check_xml(response, body, root)


def check_xml(response: requests.Response, body: bytes, root: str) -> None:
    """Raise a ServiceError unless `body` is one well-formed XML document rooted at `root`.

    The whole document is parsed strictly, so a DTD is found wherever it hides, and a stray
    control character or an unclosed element fails the feed instead of being skipped over.
    """
    url = response.url or ""
    status = response.status_code

    def refuse_dtd(*_: object) -> None:
        # arXiv's feeds never declare a DTD; one that does may expand entities or read files.
        raise UnsafeFeedError(url, status, "the response declares a DTD or entities; refused")

    def start(name: str, _attributes: object) -> None:
        parser.StartElementHandler = None  # only the root element is checked
        if name != root:
            kind = FEED_KINDS[root]
            raise ServiceError(url, status, f"HTTP 200 but not an {kind} feed (root <{name}>)")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    try:
        parser.Parse(body, True)
    except expat.ExpatError as err:
        if not body.rstrip().endswith(f"</{root}>".encode()):
            raise ServiceError(url, status, "the feed was cut short") from None
        # expat words most errors as "not well-formed (invalid token)": keep the particular.
        what = expat.errors.messages[err.code].removeprefix("not well-formed (").rstrip(")")
        where = f"line {err.lineno}, column {err.offset + 1}"
        raise ServiceError(
            url, status, f"the feed is not well-formed XML ({what} at {where})"
        ) from None


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), if any."""
    value = headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_transient(error: BaseException) -> bool:
    """Whether trying the same request again may succeed."""
    if isinstance(error, (BadRequestError, UnsafeFeedError, ResponseTooLargeError)):
        return False
    if isinstance(error, ServiceError):
        return error.status == 200 or error.status in TRANSIENT_STATUSES
    return isinstance(error, requests.RequestException)


def unresolved_host(error: BaseException) -> str | None:
    """The host name a request failed to resolve (no network, or DNS failing), if that is
    why it failed; None for any other failure."""
    if not isinstance(error, requests.ConnectionError) or error.request is None:
        return None
    # requests wraps urllib3's MaxRetryError, whose reason was raised from the resolver's error.
    cause = error.args[0] if error.args else None
    while isinstance(cause, BaseException):
        if isinstance(cause, socket.gaierror):
            return urlsplit(error.request.url or "").hostname
        reason = getattr(cause, "reason", None)
        if not isinstance(reason, BaseException):
            reason = cause.__cause__ or cause.__context__
        cause = reason
    return None
