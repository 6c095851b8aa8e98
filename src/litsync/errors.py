"""Typed errors raised by the library; the CLI turns each into one line and an exit code.

Exit codes are part of the interface (documented in docs/commands.md), so every error class
carries its own and the CLI never guesses.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 3
EXIT_UNREACHABLE = 4
EXIT_OUT_OF_DATE = 5
EXIT_BAD_TEMPLATE = 6
EXIT_BAD_CACHE = 7
EXIT_LOCKED = 8


class LitsyncError(Exception):
    """Base class of every error litsync reports to its user."""

    exit_code = EXIT_FAILURE


class LocatedError(LitsyncError):
    """An error that points at a line of a file the user can open and fix."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        super().__init__(self.located())

    def located(self, root: Path | None = None) -> str:
        """``file:line: problem``, the file relative to `root` when it lies inside it."""
        path = self.path
        if root is not None and path.is_relative_to(root):
            path = path.relative_to(root)
        where = f"{path}:{self.line}" if self.line is not None else f"{path}"
        return f"{where}: {self.problem}"


class OptionError(LitsyncError):
    """A command-line option or LITSYNC_* environment variable has an unusable value."""

    exit_code = EXIT_BAD_INPUT


class CatalogueError(LocatedError):
    """`catalogue/ids.yaml` is missing, malformed or contradicts itself."""

    exit_code = EXIT_BAD_INPUT


class IdentifierError(ValueError):
    """A string is not an arXiv identifier; the catalogue loader adds file and line."""


class TemplateError(LocatedError):
    """The document template does not parse or uses a variable litsync does not provide."""

    exit_code = EXIT_BAD_TEMPLATE


class CacheError(LocatedError):
    """The metadata cache cannot be read; it is never silently replaced."""

    exit_code = EXIT_BAD_CACHE


class LockedError(LitsyncError):
    """Another litsync run holds the project's lock."""

    exit_code = EXIT_LOCKED


class ServiceError(LitsyncError):
    """The arXiv API answered, but not with a usable feed.

    `status` is the HTTP status (200 for a body that is not a feed) and `retry_after`
    the seconds the service asked us to wait, when it said so.
    """

    exit_code = EXIT_UNREACHABLE

    def __init__(
        self, url: str, status: int, reason: str, retry_after: float | None = None
    ) -> None:
        self.url = url
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(f"arXiv API: {reason}")


class BadRequestError(ServiceError):
    """HTTP 400: arXiv rejected an identifier in the request; retrying cannot help."""


class UnsafeFeedError(ServiceError):
    """The response declares a DTD or entities; it is refused, never expanded."""


class ListFileError(LocatedError):
    """The Markdown list given to `litsync import` cannot be read or lists no paper."""

    exit_code = EXIT_BAD_INPUT


class GitError(LitsyncError):
    """A git command failed: not a repository, an unknown revision, git missing."""

    exit_code = EXIT_BAD_INPUT


class ResponseTooLargeError(ServiceError):
    """The response's decoded body is larger than any feed arXiv sends; it is not read on."""


class IncompleteFeedError(ServiceError):
    """A well-formed feed whose entries for some papers lack a title, authors, an abstract
    or a valid date; the papers' cached data is kept."""
