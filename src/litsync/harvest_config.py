"""How to reach the arXiv API: endpoint, politeness delay, timeout and their defaults.

Kept apart from the harvester, which needs the network stack (`arxiv`, `requests`): a
run with nothing to fetch reads its options without importing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_DELAY = 3.0  # arXiv's terms of use: no more than one request every three seconds
DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 5
# A nightly run of 10,000 papers needs about two minutes; half an hour leaves room for a
# bad night's retries while still ending long before the next run.
DEFAULT_BUDGET = 1800.0
MAX_URL_BYTES = 4000  # the service answers HTTP 414 well before 8 KB; stay clear of it


@dataclass(frozen=True)
class HarvestConfig:
    """How to talk to the service; every field has an option and an environment variable."""

    api_url: str = DEFAULT_API_URL
    delay: float = DEFAULT_DELAY
    """Seconds between requests (LITSYNC_DELAY)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds a request may stay silent before it is abandoned (LITSYNC_TIMEOUT)."""
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
        raise ValueError(f"{name} must be a number of seconds, not {text!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value
