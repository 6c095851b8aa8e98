"""arXiv identifiers: parse every form people paste, validate, canonicalise.

The scheme is arXiv's own (https://info.arxiv.org/help/arxiv_identifier.html):
- new style, from April 2007: ``YYMM.NNNN`` up to 1412, ``YYMM.NNNNN`` from 1501;
- old style, until March 2007: ``archive/YYMMNNN``, optionally written with a subject
  class (``math.GT/0309136``), which is not part of the identifier.
Either may carry a version suffix ``vN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from litsync.errors import IdentifierError

# Archives that issued old-style identifiers; anything else before 0704 is a typo.
OLD_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th",
        "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
        "quant-ph", "solv-int", "supr-con",
    }
)  # fmt: skip

# ASCII only: `\d` and case folding would also take look-alikes (full-width or
# Arabic-Indic digits, the Kelvin sign for `k`), which arXiv has no paper for.
_NEW = re.compile(r"(?P<yymm>\d{4})\.(?P<seq>\d{4,5})(?:v(?P<version>\d+))?", re.ASCII)
_OLD = re.compile(
    r"(?P<archive>[a-z][a-z-]*)(?:\.(?P<subject>[A-Za-z-]+))?/"
    r"(?P<yymm>\d{4})(?P<seq>\d{3})(?:v(?P<version>\d+))?",
    re.ASCII,
)
# Prefixes of the URL forms: abs/pdf/html pages on any arxiv.org host, http or https.
_URL = re.compile(r"^https?://(?:[a-z]+\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE | re.ASCII)
_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE | re.ASCII)
_VERSION_SUFFIX = re.compile(r"v\d+$", re.ASCII)

# An arXiv category: cs.CV, hep-th, astro-ph.CO.
CATEGORY = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?"

FIRST_NEW_STYLE = 704  # April 2007, as YYMM
FIRST_FIVE_DIGIT = 1501
FIRST_OLD_STYLE = (1991, 8)  # hep-th opened in August 1991


@dataclass(frozen=True, order=True)
class ArxivId:
    """A validated arXiv identifier, without and with its optional version."""

    base: str
    """The identifier without version: ``1812.07252`` or ``math/0309136``."""
    version: int | None = None
    """The pinned version, or None for "the latest"."""

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def abs_url(self) -> str:
        """The paper's abstract page on arXiv."""
        return f"https://arxiv.org/abs/{self}"


def strip_decoration(text: str) -> str:
    """Remove what surrounds an identifier when pasted: prefixes, URLs, ``.pdf``.

    >>> strip_decoration("https://arxiv.org/pdf/1810.10286v2.pdf")
    '1810.10286v2'
    """
    text = text.strip()
    if text[:1].isdigit():
        return text  # most ids: nothing around them to remove
    text = _PREFIX.sub("", text)
    if _URL.match(text):
        text = _URL.sub("", text)
        text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/")
        text = text.removesuffix(".pdf")
    return text


def parse(text: str, today: date | None = None) -> ArxivId:
    """Parse and validate one identifier in any pasted form; raise IdentifierError.

    ``today`` bounds the newest acceptable month, so a typo like ``3012.00001`` is caught.
    """
    raw = str(text)
    core = strip_decoration(raw)
    if match := _NEW.fullmatch(core):
        base = _check_new(match, raw, today or date.today())
    elif match := _OLD.fullmatch(core):
        base = _check_old(match, raw)
    else:
        raise IdentifierError(
            f"{raw!r} is not an arXiv identifier{_look_alike(core)} (expected e.g. "
            "1812.07252, hep-th/9901001 or https://arxiv.org/abs/1812.07252)"
        )
    version = match.group("version")
    if version is not None and int(version) < 1:
        raise IdentifierError(f"{raw!r}: versions start at v1")
    return ArxivId(base, int(version) if version else None)


def _look_alike(core: str) -> str:
    """For the error message: the first character of `core` that only looks like one of
    an identifier's (a full-width digit, say); nothing if all are ASCII."""
    foreign = next((c for c in core if not c.isascii()), None)
    if foreign is None:
        return ""
    return f": {foreign!r} (U+{ord(foreign):04X}) is not an ASCII character; type it again"


def _check_month(yymm: str, raw: str) -> tuple[int, int]:
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        raise IdentifierError(f"{raw!r}: {month:02d} is not a month (YYMM is {yymm})")
    return year, month


def _check_new(match: re.Match[str], raw: str, today: date) -> str:
    yymm, seq = match.group("yymm"), match.group("seq")
    year, month = _check_month(yymm, raw)
    if int(yymm) < FIRST_NEW_STYLE:
        raise IdentifierError(
            f"{raw!r}: new-style identifiers start in April 2007 (0704); "
            "older papers have identifiers like hep-th/9901001"
        )
    if (year, month) > (today.year, today.month):
        raise IdentifierError(f"{raw!r}: {yymm} is a month in the future")
    digits = 5 if int(yymm) >= FIRST_FIVE_DIGIT else 4
    if len(seq) != digits:
        raise IdentifierError(
            f"{raw!r}: identifiers from {yymm[:2]}{yymm[2:]} have a {digits}-digit "
            f"sequence number, not {len(seq)}"
        )
    return f"{yymm}.{seq}"


def _check_old(match: re.Match[str], raw: str) -> str:
    archive, yymm = match.group("archive"), match.group("yymm")
    if archive not in OLD_ARCHIVES:
        raise IdentifierError(f"{raw!r}: {archive!r} is not an arXiv archive")
    month = int(yymm[2:])
    year = (1900 if int(yymm[:2]) >= 91 else 2000) + int(yymm[:2])
    if not 1 <= month <= 12:
        raise IdentifierError(f"{raw!r}: {month:02d} is not a month (YYMM is {yymm})")
    if not FIRST_OLD_STYLE <= (year, month) < (2007, 4):
        raise IdentifierError(
            f"{raw!r}: old-style identifiers run from 9108 to 0703; "
            "since April 2007 they look like 0704.0001"
        )
    return f"{archive}/{yymm}{match.group('seq')}"


def base_of(canonical: str) -> str:
    """The identifier without version of one that litsync wrote (``str(ArxivId)``),
    without validating it again.

    >>> base_of("1812.07252v2"), base_of("solv-int/9901001v3"), base_of("solv-int/9901001")
    ('1812.07252', 'solv-int/9901001', 'solv-int/9901001')
    """
    return _VERSION_SUFFIX.sub("", canonical)


def parse_written(text: str) -> ArxivId:
    """Parse an identifier that arXiv wrote (a result's ``<id>``, an abs URL with its
    version; a listing's ``arXiv:ID``) or that litsync wrote itself.

    Their date is trusted (a paper may be younger than our idea of today on a machine with
    a wrong clock), so the future check is skipped.
    """
    return parse(text, today=date.max)
