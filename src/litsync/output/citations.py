"""What the exports cite: each paper of the document with its citation key and kind.

Both exports (BibTeX and CSL-JSON) are built from these, so a paper has the same key in
both and `[@varol2017learning]` works with either file. The papers, their titles, years
and authors are the document's own (overrides included), so a citation never
contradicts the list it comes from.
"""

from __future__ import annotations

import itertools
import re
import string
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Literal, NamedTuple

from litsync.sources.arxiv_ids import base_of
from litsync.sources.paper import Paper

Kind = Literal["preprint", "article", "inproceedings", "manual"]

# A journal reference or DOI naming a conference means a proceedings paper; any other
# journal reference or DOI, a journal article.
_PROCEEDINGS = re.compile(
    r"\b(?:proc\.|conf\.|(?:proceedings|conference|workshops?|symposium|lecture notes|"
    r"CVPR|ICCV|ECCV|WACV|BMVC|NeurIPS|NIPS|ICML|ICLR|AAAI|IJCAI|ICRA|IROS|CoRL|RSS|"
    r"ACL|EMNLP|NAACL|KDD|SIGGRAPH|MICCAI|ITSC|ICPR|ICIP|ICASSP|INTERSPEECH)\b)"
    # Springer's proceedings volumes are books: their DOIs carry an ISBN.
    r"|^10\.1007/978-",
    re.IGNORECASE,
)
# The year in a journal reference: "CVPR 2017", "Phys. Rev. D 50, 1234 (1994)".
_JOURNAL_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_KEY_STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "at", "by", "from", "is"}
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Particles that arXiv's authors write capitalised (Luc Van Gool, Giuseppe Di Battista).
_CAPITALISED_PARTICLES = frozenset(
    {"Van", "Von", "Der", "Den", "De", "Del", "Della", "Di", "Da", "Du", "Dos", "Das", "Le",
     "La", "Ter", "Ten"}
)  # fmt: skip
_COLLECTIVE = re.compile(r"\b(?:collaboration|consortium|team|group|project)\b", re.IGNORECASE)
_NOT_ALPHANUMERIC = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum() or chr(c).isupper())
)
# Letters that Unicode does not decompose into an ASCII letter and an accent.
_ASCII_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "\u0131": "i", "ß": "ss",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"}
)  # fmt: skip


class Name(NamedTuple):
    """A person's name split the way BibTeX and CSL both understand it."""

    family: str
    given: str = ""
    particle: str = ""
    """Lowercase words before the family name: ``van`` in Ludwig van Beethoven."""
    suffix: str = ""
    literal: bool = False
    """A name that must not be split (a collaboration, or one that already has a comma)."""


class Citable(NamedTuple):
    """One paper of the document, ready to be written as a BibTeX entry or CSL item."""

    key: str
    """Citation key: a draft's is `base_key`'s, which `citations` makes unique."""
    kind: Kind
    title: str
    authors: tuple[Name, ...]
    year: int
    issued: tuple[int, ...]
    """(year, month, day) of arXiv's version; (year,) for a maintainer's or journal's year."""
    abstract: str
    url: str
    arxiv_id: str | None
    """As cited: with its version when the catalogue pins one."""
    primary_class: str | None
    doi: str | None
    """A publication's DOI (arXiv's own DataCite DOIs are left out)."""
    venue: str | None
    """Where the paper was published (`Paper.venue`)."""


def citations(papers: Sequence[Paper], given: Mapping[str, str] | None = None) -> list[Citable]:
    """The citation of each of the document's papers, in document order, keys unique.

    `given` maps arXiv ids (without version) to the keys the exports already gave them:
    people cite those keys, so a paper keeps its key when a new version changes its
    first author or title word. The other papers' keys are made anew, none taking a
    given one.
    """
    drafts = [draft(paper) for paper in papers]
    given = given or {}
    kept = [given.get(base_of(p.arxiv_id)) if p.arxiv_id else None for p in papers]
    claims = Counter(key for key in kept if key)
    kept = [key if key and claims[key] == 1 else None for key in kept]
    fresh = [index for index, key in enumerate(kept) if key is None]
    made = unique_keys(
        [drafts[i].key for i in fresh],
        [_seniority(papers[i]) for i in fresh],
        taken={key for key in kept if key},
    )
    keys = [key or "" for key in kept]
    for index, key in zip(fresh, made, strict=True):
        keys[index] = key
    return [d._replace(key=key) for d, key in zip(drafts, keys, strict=True)]


def draft(paper: Paper) -> Citable:
    """The paper's citation, with its key not yet made unique (see `cite_keys`).

    The cited year is the document's, except that a published paper is cited in the year
    its journal reference gives, unless the maintainer overrode the year. The key's year
    is that of the first version, which never changes, so a new version does not change
    the key.
    """
    authors = tuple(split_name(a) for a in paper.authors)
    first_year = int(paper.published[:4]) if paper.published else paper.year
    key = base_key(authors[0] if authors else None, first_year, paper.title)
    if paper.day is None:
        return Citable(key, "manual", paper.title, authors, paper.year, (paper.year,),
                       paper.abstract, paper.url, None, None, None, None)  # fmt: skip
    day = paper.day
    doi = paper.doi
    kind = publication_kind(paper.venue, doi)
    year = paper.year
    # A year the maintainer overrode stands alone: arXiv's day would contradict it.
    issued: tuple[int, ...] = (year,)
    if int(day[:4]) == paper.year:
        published_in = _JOURNAL_YEAR.findall(paper.venue or "")
        if kind != "preprint" and published_in:
            year = int(published_in[-1])
            issued = (year,)
        else:
            issued = (year, int(day[5:7]), int(day[8:10]))
    return Citable(
        key, kind, paper.title, authors, year, issued, paper.abstract, paper.url,
        paper.arxiv_id, paper.primary_category, doi, paper.venue,
    )  # fmt: skip


def publication_kind(venue: str | None, doi: str | None) -> Kind:
    """Preprint, journal article or proceedings paper, from where it was published
    (`Paper.venue`) and its DOI. A DOI alone names no journal: unless it names a
    conference, the paper stays a preprint (with its DOI), never an article without one.

    >>> publication_kind("CVPR 2017", "10.1109/CVPR.2017.492")
    'inproceedings'
    >>> publication_kind("IEEE Transactions on Robotics, 2019", "10.1109/TRO.2019.2942989")
    'article'
    >>> publication_kind(None, "10.1109/ICRA.2021.1"), publication_kind(None, "10.1/x")
    ('inproceedings', 'preprint')
    """
    if venue:
        return "inproceedings" if _PROCEEDINGS.search(venue) else "article"
    return "inproceedings" if doi and _PROCEEDINGS.search(doi) else "preprint"


def _seniority(paper: Paper) -> tuple[str, str]:
    """Which of two papers with the same key came first: the older keeps the plain key."""
    if paper.published is None or paper.arxiv_id is None:
        return (str(paper.year), paper.url)
    return (paper.published, base_of(paper.arxiv_id))


def split_name(name: str) -> Name:
    """Split a name as arXiv writes it ("Given Family") into its parts.

    >>> split_name("Ludwig van Beethoven")
    Name(family='Beethoven', given='Ludwig', particle='van', suffix='', literal=False)
    >>> split_name("Martin Luther King Jr.").suffix
    'Jr.'
    >>> split_name("Luc Van Gool")
    Name(family='Gool', given='Luc', particle='Van', suffix='', literal=False)
    """
    if "," in name or _COLLECTIVE.search(name):
        return Name(family=name, literal=True)
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _NAME_SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return Name(family=" ".join(words), suffix=suffix)
    family = words[-1]
    start = len(words) - 1
    # Lowercase words right before the family name are its particle (van, de, von der), and
    # so are the usual particles capitalised.
    while start > 1 and (
        words[start - 1][:1].islower() or words[start - 1] in _CAPITALISED_PARTICLES
    ):
        start -= 1
    return Name(family, " ".join(words[:start]), " ".join(words[start:-1]), suffix)


def base_key(author: Name | None, year: int, title: str) -> str:
    """First author's family name, year, first significant word of the title.

    >>> base_key(split_name("Gül Varol"), 2017, "Learning from Synthetic Humans")
    'varol2017learning'
    >>> base_key(None, 2016, "The SYNTHIA Dataset")
    'anon2016synthia'
    """
    family = ascii_word(author.family) if author else ""
    first = ""
    for word in title.split():
        first = ascii_word(word)
        if first and first not in _KEY_STOPWORDS:
            break
    else:
        first = ""
    return f"{family or 'anon'}{year}{first}"


def ascii_word(text: str) -> str:
    """Lowercase ASCII letters and digits of `text`, accents dropped: Müller → muller."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_LETTERS)).lower()
    # Decomposed, an accented letter is its ASCII letter and a combining accent, dropped
    # here with every other character that is not ASCII.
    return folded.encode("ascii", "ignore").decode("ascii").translate(_NOT_ALPHANUMERIC)


def unique_keys(
    keys: Sequence[str], order: Sequence[tuple[str, str]], taken: Set[str] = frozenset()
) -> list[str]:
    """Make keys unique: among papers sharing a key the oldest keeps it, the others get
    b, c, … in order of age, so adding a newer paper never changes an existing key; a
    key already `taken` by another paper is kept by none of them.

    >>> unique_keys(["smith2020deep", "smith2020deep", "li2019a"],
    ...             [("2020-05", "x"), ("2020-01", "y"), ("2019", "z")])
    ['smith2020deepb', 'smith2020deep', 'li2019a']
    >>> unique_keys(["li2019a"], [("2019", "z")], taken={"li2019a"})
    ['li2019ab']
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        groups[key].append(index)
    used = set(groups) | set(taken)
    result = list(keys)
    # Only keys that several papers share (or another's already) change, in the order of
    # the keys: a suffix one takes is not free for the next.
    shared = sorted(key for key, members in groups.items() if len(members) > 1 or key in taken)
    for key in shared:
        by_age = sorted(groups[key], key=lambda i: order[i])
        others = by_age if key in taken else by_age[1:]
        free = (key + s for s in _suffixes() if key + s not in used)
        for index in others:
            result[index] = next(free)
            used.add(result[index])
    return result


def _suffixes() -> Iterator[str]:
    """b … z, then aa, ab, …"""
    yield from string.ascii_lowercase[1:]
    for length in itertools.count(2):
        for letters in itertools.product(string.ascii_lowercase, repeat=length):
            yield "".join(letters)
