import re
from datetime import date
from pathlib import Path

import pytest

from litsync.catalogue.load import parse
from litsync.errors import TemplateError
from litsync.output.document import build_view, render_document
from litsync.output.markdown import Trusted, escape
from litsync.sources.record import Record
from litsync.store.cache import Cache

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

CATALOGUE = """\
settings:
  title: Hostile list
  introduction: Kept *as written* by the maintainer.
  topics: [Theory, Systems]
  year_from: published
papers:
  - id: 2101.00001
    usecase: "Pipes | and *stars*"
    topics: [Systems, Theory]
  - id: 2101.00002v2
    usecase: Plain
    topics: [Theory]
    overrides:
      year: 2019
  - id: 2101.00003
    usecase: Not fetched yet
    topics: [Theory]
"""


def record(key: str, **fields: object) -> Record:
    values: dict[str, object] = {
        "id": key,
        "version": 1,
        "requested": key,
        "title": "A title",
        "authors": ["Ann Author"],
        "abstract": "An abstract.",
        "published": "2021-01-04T10:00:00Z",
        "updated": "2022-02-01T10:00:00Z",
        "primary_category": "cs.LG",
        "categories": ["cs.LG"],
    }
    values.update(fields)
    return Record(**values)  # type: ignore[arg-type]


def hostile_cache() -> Cache:
    return Cache(
        Path("unused.json"),
        {
            "2101.00001": record(
                "2101.00001",
                title="<script>alert(1)</script> [x](javascript:alert(1)) `code` # *b* _i_",
                authors=["O'Brien & <Sons>", "Ünïcødé | Näme"],
                abstract="Costs $O(n_1^2)$ and $a<b$ time; see [here](http://evil) ~~gone~~ \\",
                journal_ref="<i>J.</i> *Hostile* [1](x)",
                doi="10.1/x_(y)",
            ),
            "2101.00002": record(
                "2101.00002", version=2, requested="2101.00002v2", withdrawn=True, missing=True
            ),
        },
    )


EXPECTED = """\
# Hostile list

Kept *as written* by the maintainer.

**... usecase:**

- Theory: [1](#ref1), [2](#ref2)
- Systems: [1](#ref1)

**... year:**

- 2019: [2](#ref2)
- 2021: [1](#ref1)

# Papers

## [\\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1)) \\`code\\` # \\*b\\* \\_i\\_](https://arxiv.org/abs/2101.00001) <a name="ref1"></a>

**Usecase** Pipes \\| and \\*stars\\*

**Year** 2021

**Authors** O'Brien \\& \\<Sons\\>, Ünïcødé \\| Näme

**Published** \\<i\\>J.\\</i\\> \\*Hostile\\* \\[1\\](x)

**arXiv** [v1](https://arxiv.org/abs/2101.00001) of 2022-02-01, cs.LG · [DOI](https://doi.org/10.1/x_%28y%29)

**Abstract** Costs $`O(n_1^2)`$ and $`a<b`$ time; see \\[here\\](http:\\//evil) \\~\\~gone\\~\\~ \\\\

---

## [A title](https://arxiv.org/abs/2101.00002v2) <a name="ref2"></a>

**Withdrawn** The authors withdrew this paper from arXiv.

**Note** arXiv no longer returns this paper; the details below are the last known ones.

**Usecase** Plain

**Year** 2019

**Authors** Ann Author

**arXiv** [v2](https://arxiv.org/abs/2101.00002v2) of 2022-02-01, cs.LG

**Abstract** An abstract.

---
"""


def test_golden_document_with_hostile_text() -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    view = build_view(catalogue, hostile_cache())
    assert view.unresolved == ("2101.00003",)
    assert render_document(view, TEMPLATES, "document.md.j2") == EXPECTED


@pytest.mark.parametrize(("template", "expected"), [
    ("", "\n"), ("\n\n\n", "\n"), ("a\n\n\nb", "a\n\n\nb\n"), ("a\n\n\n", "a\n"),
    ("{% for i in range(3) %}x\n\n{% endfor %}", "x\n\nx\n\nx\n"),
])  # fmt: skip
def test_the_document_ends_in_one_newline(tmp_path: Path, template: str, expected: str) -> None:
    (tmp_path / "t.md.j2").write_text(template, encoding="utf-8")
    assert render_document(None, tmp_path, "t.md.j2") == expected


def test_rendering_is_deterministic() -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    first = render_document(build_view(catalogue, hostile_cache()), TEMPLATES, "document.md.j2")
    second = render_document(build_view(catalogue, hostile_cache()), TEMPLATES, "document.md.j2")
    assert first == second


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("line\n  wrapped   text", "line wrapped text"),
        ("# heading?\n- list?", "# heading? - list?"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("&amp; entity", "\\&amp; entity"),
        ("$x_1$ and $y_2$", "$`x_1`$ and $`y_2`$"),
        ("$[a](javascript:b)$", "$`[a](javascript:b)`$"),
        ("$a > b$ `tick` $c`d$", "$`a > b`$ \\`tick\\` $`c'd`$"),
        ("costs $5 and more", "costs $5 and more"),
        # Whitespace other than single spaces is collapsed, wherever it is.
        ("tab\there", "tab here"),
        ("no\u00a0break", "no break"),
        ("two  spaces", "two spaces"),
        (" edges ", " edges "),
        ("  edges\n", " edges "),
        (2019, "2019"),
        ("Müller, O'Brien", "Müller, O'Brien"),
    ],
)
def test_escape(text: object, expected: str) -> None:
    assert escape(text) == expected


def test_trusted_text_is_not_escaped() -> None:
    assert escape(Trusted("**bold** [link](https://x)")) == "**bold** [link](https://x)"


def write_template(tmp_path: Path, text: str) -> Path:
    (tmp_path / "t.md.j2").write_text(text, encoding="utf-8")
    return tmp_path


def test_undefined_variable_is_a_template_error(tmp_path: Path) -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    view = build_view(catalogue, hostile_cache())
    templates = write_template(tmp_path, "# {{ document.title }}\n\n{{ document.subtitle }}\n")
    with pytest.raises(TemplateError) as info:
        render_document(view, templates, "t.md.j2")
    assert str(info.value).startswith(f"{templates / 't.md.j2'}:3: ")
    assert "has no attribute 'subtitle'" in str(info.value)
    assert "(it has title, introduction, index_note, by_topic, by_year, papers, unresolved)" in str(
        info.value
    )


def test_template_syntax_error_names_the_line(tmp_path: Path) -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    view = build_view(catalogue, hostile_cache())
    templates = write_template(tmp_path, "# {{ document.title }}\n{% for x in %}\n")
    with pytest.raises(TemplateError, match=r"t\.md\.j2:2: template syntax error: "):
        render_document(view, templates, "t.md.j2")


def test_missing_template(tmp_path: Path) -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    view = build_view(catalogue, hostile_cache())
    with pytest.raises(
        TemplateError,
        match=re.escape(
            "template not found here or among litsync's defaults; check settings.template"
        ),
    ):
        render_document(view, tmp_path, "nope.md.j2")


def test_a_list_without_templates_uses_litsyncs_default(tmp_path: Path) -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    view = build_view(catalogue, hostile_cache())
    text = render_document(view, tmp_path / "templates", "document.md.j2")
    assert text.startswith(
        "# Hostile list\n\nKept *as written* by the maintainer.\n\n**By topic:**\n"
    )
    assert text.endswith(EXPECTED.split("# Papers\n", 1)[1])


def test_a_papers_missing_field_is_named_with_the_fields_it_has(tmp_path: Path) -> None:
    catalogue = parse(CATALOGUE, Path("ids.yaml"), date(2026, 11, 25))
    view = build_view(catalogue, hostile_cache())
    templates = write_template(tmp_path, "{% for p in document.papers %}{{ p.titel }}{% endfor %}")
    with pytest.raises(TemplateError) as info:
        render_document(view, templates, "t.md.j2")
    has = str(info.value).split("(it has ", 1)[1].split(")", 1)[0].split(", ")
    assert {"number", "anchor", "usecase", "title", "version", "venue", "links"} <= set(has)
    assert "paper" not in has
