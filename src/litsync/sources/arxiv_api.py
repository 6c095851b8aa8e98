"""Fetching metadata from the arXiv API in as few polite requests as the service allows.

Identifiers go out in `id_list` batches as large as a GET URL of `max_url_bytes` holds
(longer URLs get HTTP 414), results are matched back by their `<id>`, transient failures
are retried with exponential backoff and jitter (honouring a Retry-After of up to a
minute), and identifiers the service did not return are asked for once more before they
count as not found. Feeds are read here, entry by entry, so that only whole records ever
leave the harvester: an entry without a title, authors, an abstract or valid dates, or a
page that is empty although the feed counts more results, is retried like a fault.
"""

from __future__ import annotations

import logging
import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote_plus, urlencode

import arxiv
import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from litsync.errors import BadRequestError, IncompleteFeedError, OptionError, ServiceError
from litsync.plural import plural
from litsync.sources import arxiv_ids
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.http import (
    Clock,
    PoliteAdapter,
    SystemClock,
    Throttle,
    is_transient,
    unresolved_host,
)
from litsync.sources.record import Record

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_DELAY = 3.0  # arXiv's terms of use: no more than one request every three seconds
DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 5
# A host name that does not resolve means no network or no DNS, which backoff does not
# bring back: one retry covers a resolver's hiccup.
NAME_RESOLUTION_ATTEMPTS = 2
# A nightly run of 10,000 papers needs about two minutes; half an hour leaves room for a
# bad night's retries while still ending long before the next run.
DEFAULT_BUDGET = 1800.0
MAX_URL_BYTES = 4000  # the service answers HTTP 414 well before 8 KB; stay clear of it
PAGE_SIZE = 2000  # the API's largest page; a batch is always smaller
MAX_BACKOFF = 120.0
# The longest Retry-After honoured; a service that asks for more is down for the night.
MAX_RETRY_AFTER = 60.0
WITHDRAWN = re.compile(r"\bwithdrawn?\b", re.IGNORECASE)
ATOM = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}


@dataclass(frozen=True)
class HarvestConfig:
    """How to talk to the service; every field has an option and an environment variable."""

    api_url: str = DEFAULT_API_URL
    delay: float = DEFAULT_DELAY
    """Seconds between requests (LITSYNC_DELAY)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds a response may take, from request to last byte, before it is abandoned
    (LITSYNC_TIMEOUT)."""
    attempts: int = DEFAULT_ATTEMPTS
    """Tries per request, the first included."""
    budget: float = DEFAULT_BUDGET
    """Seconds the whole harvest may take before it stops fetching; 0 for no limit
    (LITSYNC_BUDGET)."""
    max_url_bytes: int = MAX_URL_BYTES

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> HarvestConfig:
        """Defaults, then LITSYNC_API_URL / _DELAY / _TIMEOUT / _BUDGET, then options."""
        env = dict(os.environ) if env is None else env
        values: dict[str, object] = {}
        if env.get("LITSYNC_API_URL"):
            values["api_url"] = env["LITSYNC_API_URL"]
        for name in ("delay", "timeout", "budget"):
            key = f"LITSYNC_{name.upper()}"
            if env.get(key):
                values[name] = _seconds(key, env[key])
        for name, value in overrides.items():
            if value is not None:
                values[name] = _seconds(f"--{name}", str(value)) if name != "api_url" else value
        return cls(**values)  # type: ignore[arg-type]


def _seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise OptionError(f"{name} must be a number of seconds, not {text!r}") from None
    if value < 0:
        raise OptionError(f"{name} must not be negative")
    return value


@dataclass
class HarvestResult:
    """What one harvest learned, by identifier without version."""

    records: dict[str, Record] = field(default_factory=dict)
    not_found: list[ArxivId] = field(default_factory=list)
    """Well-formed identifiers the service did not return, even when asked twice."""
    rejected: dict[ArxivId, str] = field(default_factory=dict)
    """Identifiers the service refused (HTTP 400), with its message."""
    unreached: list[ArxivId] = field(default_factory=list)
    """Identifiers not fetched because the service failed or never sent a whole entry for
    them; their cache entries stay."""
    incomplete: dict[ArxivId, str] = field(default_factory=dict)
    """Identifiers whose entries were not whole on any try, with what they lacked; their
    cache entries stay."""
    failure: str | None = None
    """Why the service could not be reached, when it could not."""
    requests: int = 0


BatchCallback = Callable[[Sequence[ArxivId], dict[str, Record]], None]


class Harvester:
    """Fetches records for identifiers; one instance holds one polite connection."""

    def __init__(self, config: HarvestConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self.throttle = Throttle(config.delay, self.clock)
        self.client = arxiv.Client(page_size=PAGE_SIZE, delay_seconds=0, num_retries=0)
        # Instance attribute: the package formats every page URL with it.
        self.client.query_url_format = config.api_url + "?{}"
        # The package owns its session; politeness, timeout and checks ride on it.
        session: requests.Session = self.client._session
        # Public, so that other arXiv endpoints (the RSS listings) share its politeness.
        self.session = session
        adapter = PoliteAdapter(self.throttle, config.timeout)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self.out_of_budget = False
        """Set when a retry was given up because it would have run past the deadline."""
        self.retrying = Retrying(
            stop=stop_after_attempt(config.attempts)
            | _RetryAfterTooLong()
            | _NameUnresolved()
            | _BudgetSpent(self),
            wait=_RetryAfterOrBackoff(config.delay),
            retry=retry_if_exception(is_transient),
            sleep=self.clock.sleep,
            before_sleep=_log_retry,
            reraise=True,
        )

    def batches(self, ids: Sequence[ArxivId]) -> list[list[ArxivId]]:
        """Split identifiers into as few batches as fit the URL limit, order kept.

        >>> [len(b) for b in Harvester(HarvestConfig()).batches(
        ...     [ArxivId(f"2101.{n:05d}") for n in range(1000)])]
        [298, 298, 298, 106]
        """
        base = len(self._url([]))
        batches: list[list[ArxivId]] = []
        current: list[ArxivId] = []
        length = base
        for arxiv_id in ids:
            cost = len(quote_plus(str(arxiv_id))) + (len(quote_plus(",")) if current else 0)
            if current and length + cost > self.config.max_url_bytes:
                batches.append(current)
                current, length = [], base
                cost = len(quote_plus(str(arxiv_id)))
            current.append(arxiv_id)
            length += cost
        if current:
            batches.append(current)
        return batches

    def _url(self, batch: Sequence[ArxivId], start: int = 0) -> str:
        # The same parameters, in the same order, as arxiv.Client puts in its URLs.
        args = {
            "search_query": "",
            "id_list": ",".join(str(i) for i in batch),
            "sortBy": "relevance",
            "sortOrder": "descending",
            "start": str(start),
            "max_results": str(PAGE_SIZE),
        }
        return self.config.api_url + "?" + urlencode(args)

    def harvest(
        self, ids: Sequence[ArxivId], on_batch: BatchCallback | None = None
    ) -> HarvestResult:
        """Fetch every identifier; `on_batch` sees each batch's records as they arrive."""
        if self.config.budget:
            self.throttle.deadline = self.clock.monotonic() + self.config.budget
        result = HarvestResult()
        missing = self._harvest_round(ids, result, on_batch)
        if missing and not result.failure:
            # The service sometimes drops results from a page; ask once more.
            log.info("asking again for %s arXiv did not return", plural(len(missing), "identifier"))
            missing = self._harvest_round(missing, result, on_batch)
        if result.failure:
            result.unreached = [
                i for i in ids if i.base not in result.records and i not in result.rejected
            ]
        else:
            result.not_found = missing
            result.unreached = list(result.incomplete)
        if result.incomplete:
            note = f"arXiv sent {_incomplete(result.incomplete)} on every try"
            result.failure = f"{result.failure}; {note}" if result.failure else note
        result.requests = self.throttle.requests
        return result

    def _harvest_round(
        self, ids: Sequence[ArxivId], result: HarvestResult, on_batch: BatchCallback | None
    ) -> list[ArxivId]:
        """Fetch ids batch by batch until done or the service fails; return those missing."""
        missing: list[ArxivId] = []
        for batch in self.batches(ids):
            if self.budget_spent():
                result.failure = self._budget_note("stopped fetching")
                break
            found = self._fetch_isolating(batch, result)
            if found:
                result.records.update(found)
                if on_batch is not None:
                    on_batch(batch, found)
            if result.failure:
                break
            missing.extend(
                i
                for i in batch
                if i.base not in found and i not in result.rejected and i not in result.incomplete
            )
        return missing

    def _fetch_isolating(self, batch: list[ArxivId], result: HarvestResult) -> dict[str, Record]:
        """Fetch a batch; on HTTP 400 or 414 split it until the offending id stands alone.

        When the service fails, the whole records it sent before failing are kept.
        """
        answer = _BatchAnswer({i.base: i for i in batch})
        try:
            self._fetch(batch, answer)
            return answer.records
        except IncompleteFeedError:
            result.incomplete.update(answer.incomplete)
            return answer.records
        except BadRequestError as err:
            if len(batch) == 1:
                result.rejected[batch[0]] = err.reason
                return {}
        except ServiceError as err:
            if err.status != 414 or len(batch) == 1:
                result.failure = self._budget_note(_service_failure(err))
                return answer.records
        except requests.RequestException as err:
            result.failure = self._budget_note(f"arXiv could not be reached ({describe(err)})")
            return answer.records
        half = len(batch) // 2
        found = self._fetch_isolating(batch[:half], result)
        if not result.failure:
            found.update(self._fetch_isolating(batch[half:], result))
        return found

    def budget_spent(self, upcoming: float = 0.0) -> bool:
        """Whether the run's time budget is spent, or would be after `upcoming` seconds."""
        deadline = self.throttle.deadline
        return deadline is not None and self.clock.monotonic() + upcoming >= deadline

    def _budget_note(self, reason: str) -> str:
        if not (self.out_of_budget or self.budget_spent()):
            return reason
        return f"{reason}; the time budget of {self.config.budget:g} s is spent"

    def search(self, query: str, most: int, page_size: int, since: str | None) -> list[Record]:
        """The newest `most` results of an arXiv search, stopping at the first one first
        submitted before `since` (YYYY-MM-DD); entries that are not whole are skipped
        and logged. Faults are retried as for a batch."""
        records: list[Record] = []
        for attempt in self.retrying:
            with attempt:
                records = self._search_pages(query, most, page_size, since)
        return records

    def _search_pages(
        self, query: str, most: int, page_size: int, since: str | None
    ) -> list[Record]:
        records: list[Record] = []
        start = 0
        while start < most:
            args = {
                "search_query": query,
                "id_list": "",
                "sortBy": "submittedDate",
                "sortOrder": "descending",
                "start": str(start),
                "max_results": str(min(page_size, most - start)),
            }
            url = self.config.api_url + "?" + urlencode(args)
            feed = ET.fromstring(self.session.get(url).content)
            entries = feed.findall("atom:entry", ATOM)
            for entry in entries:
                try:
                    record = record_from_entry(entry, None)
                except IncompleteEntryError as err:
                    log.warning("ignoring an incomplete result: %s", err)
                    continue
                if record is None:
                    continue
                if since and record.published[:10] < since:
                    return records  # newest first: every later result is older still
                records.append(record)
            start += len(entries)
            total = _total_results(feed)
            if start >= min(total, most):
                break
            if not entries:
                raise ServiceError(
                    url, 200, f"an empty page although the feed counts {plural(total, 'result')}"
                )
        return records

    def _fetch(self, batch: Sequence[ArxivId], answer: _BatchAnswer) -> None:
        """Fetch a batch into `answer`, retrying faults and answers that are not whole."""
        for attempt in self.retrying:
            with attempt:
                self._read_pages(batch, answer)

    def _read_pages(self, batch: Sequence[ArxivId], answer: _BatchAnswer) -> None:
        """One try at a batch: every page of its results, each entry into `answer`."""
        start = 0
        while True:
            url = self._url(batch, start)
            # The adapter has proved the body one well-formed feed without a DTD.
            feed = ET.fromstring(self.session.get(url).content)
            entries = feed.findall("atom:entry", ATOM)
            for entry in entries:
                answer.take(entry)
            start += len(entries)
            total = _total_results(feed)
            # An id_list query has at most one result per id, whatever the feed claims.
            if start >= min(total, len(batch)):
                break
            if not entries:
                raise ServiceError(
                    url, 200, f"an empty page although the feed counts {plural(total, 'result')}"
                )
        if answer.incomplete:
            raise IncompleteFeedError(url, 200, _incomplete(answer.incomplete))


@dataclass
class _BatchAnswer:
    """The whole records a batch's tries brought, and the asked-for ids whose entries were
    not whole on any of them."""

    wanted: dict[str, ArxivId]
    records: dict[str, Record] = field(default_factory=dict)
    incomplete: dict[ArxivId, str] = field(default_factory=dict)

    def take(self, entry: ET.Element) -> None:
        try:
            record = record_from_entry(entry, self.wanted)
        except IncompleteEntryError as err:
            if err.arxiv_id.base not in self.records:
                self.incomplete[err.arxiv_id] = err.problem
            return
        if record is not None:
            self.records[record.id] = record
            self.incomplete.pop(self.wanted[record.id], None)


class IncompleteEntryError(ValueError):
    """An entry for an asked-for paper is not a whole record: `problem` says what it lacks."""

    def __init__(self, arxiv_id: ArxivId, problem: str) -> None:
        self.arxiv_id = arxiv_id
        self.problem = problem
        super().__init__(f"{arxiv_id}: {problem}")


def record_from_entry(entry: ET.Element, wanted: dict[str, ArxivId] | None) -> Record | None:
    """Turn one feed `<entry>` into a Record, if it is one of the identifiers asked for
    (`wanted=None` takes any, as a search returns).

    Raises IncompleteEntryError when it is asked for but not whole.
    """

    def text(path: str) -> str:
        return normalise(entry.findtext(path, None, ATOM))

    primary = entry.find("arxiv:primary_category", ATOM)
    return _record(
        entry.findtext("atom:id", "", ATOM).strip(),
        wanted,
        title=text("atom:title"),
        authors=[normalise(name.text) for name in entry.iterfind("atom:author/atom:name", ATOM)],
        abstract=text("atom:summary"),
        published=_moment(entry.findtext("atom:published", None, ATOM)),
        updated=_moment(entry.findtext("atom:updated", None, ATOM)),
        primary_category=primary.get("term", "") if primary is not None else "",
        categories=[c.get("term", "") for c in entry.iterfind("atom:category", ATOM)],
        doi=text("arxiv:doi"),
        journal_ref=text("arxiv:journal_ref"),
        comment=text("arxiv:comment"),
    )


def _record(
    entry_id: str,
    wanted: dict[str, ArxivId] | None,
    *,
    title: str,
    authors: list[str],
    abstract: str,
    published: datetime | None,
    updated: datetime | None,
    primary_category: str,
    categories: list[str],
    doi: str,
    journal_ref: str,
    comment: str,
) -> Record | None:
    """The Record of an entry's normalised fields, None if it was not asked for.

    Raises IncompleteEntryError unless it has a title, authors, an abstract and valid dates:
    anything less would blank good cached data.
    """
    try:
        got = arxiv_ids.parse_written(entry_id)
    except ValueError:
        log.warning("ignoring a result with an unreadable id: %r", entry_id)
        return None
    asked = got if wanted is None else wanted.get(got.base)
    if asked is None:
        log.warning("ignoring %s, which was not asked for", got)
        return None
    lacks = [
        what
        for what, present in (
            ("title", title),
            ("authors", authors and all(authors)),
            ("abstract", abstract),
            ("valid published date", published),
            ("valid updated date", updated),
        )
        if not present
    ]
    if lacks or published is None or updated is None:
        raise IncompleteEntryError(asked, "no " + ", no ".join(lacks))
    return Record(
        id=got.base,
        version=got.version or 1,
        requested=str(asked),
        title=title,
        authors=authors,
        abstract=abstract,
        published=_iso(published),
        updated=_iso(updated),
        primary_category=primary_category,
        categories=categories,
        doi=doi or None,
        journal_ref=journal_ref or None,
        comment=comment or None,
        withdrawn=bool(comment and WITHDRAWN.search(comment)),
    )


def _moment(text: str | None) -> datetime | None:
    """An Atom date (2018-12-18T09:11:02Z), or None when it is missing or not a date."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc)


def _total_results(feed: ET.Element) -> int:
    text = feed.findtext("opensearch:totalResults", "", ATOM).strip()
    return int(text) if text.isdigit() else 0


def _incomplete(incomplete: dict[ArxivId, str]) -> str:
    """The incomplete entries in a few words, naming the first three papers and what they lack."""
    shown = "; ".join(f"{i}: {problem}" for i, problem in list(incomplete.items())[:3])
    more = "; …" if len(incomplete) > 3 else ""
    return f"incomplete entries for {plural(len(incomplete), 'paper')} ({shown}{more})"


def _service_failure(err: ServiceError) -> str:
    """How a service error ends the run, in the words of the report."""
    if err.retry_after is not None and err.retry_after > MAX_RETRY_AFTER:
        return f"arXiv asked us to come back {_come_back(err.retry_after)} ({err.reason})"
    return str(err)


def _come_back(seconds: float) -> str:
    """When the service asked to be asked again: "in 28 h", or the day for a longer wait.

    >>> _come_back(100000), _come_back(3000), _come_back(90)
    ('in 28 h', 'in 50 min', 'in 90 s')
    """
    if seconds >= 2 * 86400:
        day = datetime.fromtimestamp(round(time.time() + seconds), timezone.utc)
        return f"in more than two days, on {day:%Y-%m-%d}"
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"in {seconds / size:.0f} {unit}"
    return f"in {seconds:.0f} s"


def normalise(text: str | None) -> str:
    """Collapse the line wrapping and indentation the API puts in its text fields."""
    return " ".join((text or "").split())


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(err: BaseException) -> str:
    """How a request failed, in a few words: "timed out", "connection failed"."""
    if isinstance(err, requests.Timeout):
        return "timed out"
    host = unresolved_host(err)
    if host is not None:
        return f"cannot look up {host}: no network, or DNS is failing"
    if isinstance(err, requests.ConnectionError):
        return "connection failed"
    return type(err).__name__


class _BudgetSpent(stop_base):
    """Stop retrying when the next wait would run past the harvest's time budget."""

    def __init__(self, harvester: Harvester) -> None:
        self.harvester = harvester

    def __call__(self, retry_state: RetryCallState) -> bool:
        spent = self.harvester.budget_spent(retry_state.upcoming_sleep)
        self.harvester.out_of_budget |= spent
        return spent


class _RetryAfterTooLong(stop_base):
    """Stop at once when the service asks to be left alone for longer than MAX_RETRY_AFTER."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        error = _failure(retry_state)
        return (
            isinstance(error, ServiceError)
            and error.retry_after is not None
            and error.retry_after > MAX_RETRY_AFTER
        )


class _NameUnresolved(stop_base):
    """Stop after NAME_RESOLUTION_ATTEMPTS tries when arXiv's host name does not resolve."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        error = _failure(retry_state)
        return (
            retry_state.attempt_number >= NAME_RESOLUTION_ATTEMPTS
            and error is not None
            and unresolved_host(error) is not None
        )


class _RetryAfterOrBackoff(wait_base):
    """Exponential backoff with jitter, never shorter than the service's Retry-After.

    Backoff starts at the politeness delay: 3 s, 6 s, 12 s, … plus up to 3 s of jitter,
    so that many clients failing together do not come back together.
    """

    def __init__(self, delay: float) -> None:
        delay = max(delay, 0.0)
        self.backoff = wait_exponential(multiplier=delay, max=MAX_BACKOFF) + wait_random(0, delay)

    def __call__(self, retry_state: RetryCallState) -> float:
        backoff = float(self.backoff(retry_state))
        error = _failure(retry_state)
        if isinstance(error, ServiceError) and error.retry_after is not None:
            return max(backoff, error.retry_after)
        return backoff


def _failure(retry_state: RetryCallState) -> BaseException | None:
    """The error the last try ended with, if it failed."""
    outcome = retry_state.outcome
    return outcome.exception() if outcome is not None else None


def _log_retry(retry_state: RetryCallState) -> None:
    error = _failure(retry_state)
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    reason = error.reason if isinstance(error, ServiceError) else describe(error or Exception())
    log.warning("arXiv: %s; retrying in %.1f s", reason, wait)
