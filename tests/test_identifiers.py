from datetime import date

import pytest

from litsync.errors import IdentifierError
from litsync.sources.arxiv_ids import ArxivId, parse

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1812.07252", ArxivId("1812.07252")),
        ("1812.07252v3", ArxivId("1812.07252", 3)),
        ("arXiv:1812.07252", ArxivId("1812.07252")),
        ("ARXIV: 1812.07252v2", ArxivId("1812.07252", 2)),
        ("https://arxiv.org/abs/1812.07252", ArxivId("1812.07252")),
        ("https://arxiv.org/abs/1812.07252v1/", ArxivId("1812.07252", 1)),
        ("https://arxiv.org/pdf/1810.10286v2.pdf", ArxivId("1810.10286", 2)),
        ("https://arxiv.org/pdf/1810.10286", ArxivId("1810.10286")),
        ("https://arxiv.org/html/2104.11776v1", ArxivId("2104.11776", 1)),
        ("http://export.arxiv.org/abs/1812.07252", ArxivId("1812.07252")),
        ("https://www.arxiv.org/abs/1812.07252?context=cs", ArxivId("1812.07252")),
        ("  0704.0001 ", ArxivId("0704.0001")),
        ("1412.9999", ArxivId("1412.9999")),
        ("1501.00001", ArxivId("1501.00001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("arXiv:math.GT/0309136v1", ArxivId("math/0309136", 1)),
        ("https://arxiv.org/abs/cond-mat/0112345", ArxivId("cond-mat/0112345")),
        ("2611.00001", ArxivId("2611.00001")),
    ],
)
def test_accepts_every_pasted_form(text: str, expected: ArxivId) -> None:
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1813.00001", "13 is not a month"),
        ("1800.00001", "00 is not a month"),
        ("1412.12345", "have a 4-digit sequence number, not 5"),
        ("1501.1234", "have a 5-digit sequence number, not 4"),
        ("0703.0001", "new-style identifiers start in April 2007"),
        ("2612.00001", "2612 is a month in the future"),
        ("foo-bar/9901001", "'foo-bar' is not an arXiv archive"),
        ("hep-th/0704001", "old-style identifiers run from 9108 to 0703"),
        ("hep-th/9013001", "13 is not a month"),
        ("hep-th/99010011", "is not an arXiv identifier"),
        ("1812.07252v0", "versions start at v1"),
        ("arxivlink", "is not an arXiv identifier"),
        ("", "is not an arXiv identifier"),
        ("https://example.org/abs/1812.07252", "is not an arXiv identifier"),
    ],
)
def test_rejects_what_arxiv_never_issued(text: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        parse(text, TODAY)


def test_string_forms_and_links() -> None:
    assert str(ArxivId("1812.07252", 3)) == "1812.07252v3"
    assert ArxivId("math/0309136").abs_url == "https://arxiv.org/abs/math/0309136"
