"""HTTP for the arXiv API: politeness, timeouts and response checks in one adapter.

The `arxiv` package sends its requests through a `requests.Session` with no timeout and
judges responses by status alone. Mounting this adapter on that session makes every
request, including the package's own follow-up pages, wait its turn, time out, and
prove it is a complete, safe Atom feed before the package parses it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter

from litsync import __version__
from litsync.errors import BadRequestError, ServiceError, UnsafeFeedError

USER_AGENT = f"litsync/{__version__} (literature list sync; one request every 3 s)"
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
# Root element of each kind of feed litsync reads, and its name in messages.
FEED_KINDS = {"feed": "Atom", "rss": "RSS"}
_ERROR_SUMMARY = re.compile(rb"<summary[^>]*>\s*(.*?)\s*</summary>", re.DOTALL)


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
        kwargs["timeout"] = self.timeout
        self.throttle.wait()
        try:
            response = super().send(request, **kwargs)
            # Read the body here, under the same timeout, so a response that stalls
            # halfway fails now instead of inside the feed parser.
            _ = response.content
        finally:
            self.throttle.done()
        check_response(response, self.root)
        return response


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
    # arXiv's feeds never declare a DTD; one that does may expand entities or read files.
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeFeedError(url, status, "the response declares a DTD or entities; refused")
    if not body.rstrip().endswith(f"</{root}>".encode()):
        raise ServiceError(url, status, "the feed was cut short")


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
    if isinstance(error, (BadRequestError, UnsafeFeedError)):
        return False
    if isinstance(error, ServiceError):
        return error.status == 200 or error.status in TRANSIENT_STATUSES
    return isinstance(error, requests.RequestException)
