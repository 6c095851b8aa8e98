"""The BibTeX and CSL-JSON exports, read back by a real BibTeX parser and a JSON schema."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from project import ROOT, bundled_project
from pybtex.database import parse_string
from pylatexenc.latex2text import LatexNodes2Text

from litsync.catalogue.load import load
from litsync.catalogue.model import Entry, Settings
from litsync.cli import main
from litsync.output import bibtex, csl
from litsync.output.citations import draft, split_name
from litsync.output.exports import render_exports
from litsync.project import Project
from litsync.sources import arxiv_papers
from litsync.sources.arxiv_ids import ArxivId
from litsync.sources.paper import Paper
from litsync.sources.record import Record
from litsync.store.cache import Cache

SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text("utf-8"))
BIB = Path("generated") / "references.bib"
CSL = Path("generated") / "papers.json"


def record(
    arxiv_id: str, title: str, authors: list[str], published: str, **fields: object
) -> Record:
    values: dict[str, object] = {
        "id": arxiv_id,
        "version": 1,
        "requested": arxiv_id,
        "title": title,
        "authors": authors,
        "abstract": f"Abstract of {arxiv_id}.",
        "published": published,
        "updated": published,
        "primary_category": "cs.CV",
        "categories": ["cs.CV"],
    }
    values.update(fields)
    return Record(**values)  # type: ignore[arg-type]


def paper_of(cached: Record) -> Paper:
    """The paper the arXiv source makes of a cached record, listed without overrides."""
    entry = Entry(1, "U", ("T",), arxiv_id=ArxivId(cached.id))
    return arxiv_papers.paper(entry, Settings(), Cache(Path("cache.json"), {cached.id: cached}))


def project_with(tmp_path: Path, catalogue: str, records: list[Record]) -> Path:
    """A project with this catalogue and these cached records."""
    root = tmp_path / "list"
    (root / "catalogue").mkdir(parents=True)
    (root / "catalogue" / "ids.yaml").write_text(catalogue, encoding="utf-8")
    Cache(root / "catalogue" / "cache.json", {r.id: r for r in records}).save()
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def papers_yaml(*ids: str) -> str:
    return "papers:\n" + "".join(f"  - id: {i}\n    usecase: U\n    topics: [T]\n" for i in ids)


def render(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    assert main(["render", "--root", str(root)]) == 0
    return capsys.readouterr().out


def decode(latex: str) -> str:
    return LatexNodes2Text(math_mode="verbatim").latex_to_text(latex)


def test_bundled_bibtex_parses_and_says_what_the_cache_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    render(capsys, root)
    data = parse_string((root / BIB).read_text("utf-8"), "bibtex")
    assert list(data.entries) == [
        "james2018simtoreal", "shrivastava2016learning", "tobin2017domain", "loquercio2019deep",
        "prakash2018structured", "le2017using", "varol2017learning", "srivastava2019multi",
        "hahner2019semantic", "nikolenko2019synthetic", "lyu2018learning",
        "martinezgonzalez2021unrealrox", "anon2016synthia",
    ]  # fmt: skip
    kinds = {key: entry.type for key, entry in data.entries.items()}
    assert kinds["varol2017learning"] == "inproceedings"  # journal ref "CVPR 2017"
    assert kinds["loquercio2019deep"] == "article"  # "Accepted for publication in the IEEE T-RO"
    assert data.entries["loquercio2019deep"].fields["journal"].startswith("IEEE Transaction on")
    assert kinds["hahner2019semantic"] == "inproceedings"  # "presented at the IEEE ITSC 2019"
    assert kinds["anon2016synthia"] == "misc"  # not on arXiv
    assert sum(kind == "misc" for kind in kinds.values()) == 10
    cache = Cache.load(root / "catalogue" / "cache.json")
    for key, entry in data.entries.items():
        if key == "anon2016synthia":
            continue
        cached = cache.get(entry.fields["eprint"])
        assert cached is not None
        assert entry.fields["archivePrefix"] == "arXiv"
        assert entry.fields["primaryClass"] == cached.primary_category
        assert decode(entry.fields["title"]) == cached.title
        assert decode(entry.fields["abstract"]) == cached.abstract
        names = [decode(str(person)) for person in entry.persons["author"]]
        assert names == [split_last_first(a) for a in cached.authors]


def split_last_first(name: str) -> str:
    """How pybtex prints a plain "Given Family" name back: "Family, Given", a particle
    (Luc Van Gool, the one in the bundled list) leading the family name."""
    given, family = name.rsplit(" ", 1)
    if given.endswith(" Van"):
        given, family = given.removesuffix(" Van"), f"Van {family}"
    return f"{family}, {given}"


def test_bibtex_entries_in_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    render(capsys, root)
    text = (root / BIB).read_text("utf-8")
    assert text.startswith(
        "% Generated by litsync from catalogue/ids.yaml and catalogue/cache.json;\n"
        "% edit those and run `litsync render`, not this file.\n\n@misc{james2018simtoreal,\n"
    )
    varol = text[text.index("@inproceedings{varol2017learning") :].split("\n}\n")[0]
    assert varol.splitlines()[:11] == [
        "@inproceedings{varol2017learning,",
        '  author = {Varol, G{\\"u}l and Romero, Javier and Martin, Xavier and Mahmood, '
        "Naureen and Black, Michael J. and Laptev, Ivan and Schmid, Cordelia},",
        "  title = {Learning from Synthetic Humans},",
        "  booktitle = {CVPR 2017},",
        # The document shows 2018 (the latest version); the paper was published in 2017.
        "  year = {2017},",
        "  doi = {10.1109/CVPR.2017.492},",
        "  eprint = {1701.01370},",
        "  archivePrefix = {arXiv},",
        "  primaryClass = {cs.CV},",
        "  url = {https://arxiv.org/abs/1701.01370},",
        "  abstract = {Estimating human pose, shape, and motion from images and videos are "
        "fundamental challenges with many applications. Recent advances in 2D human pose "
        "estimation use large amounts of manually-labeled training data for learning "
        "convolutional neural networks (CNNs). Such data is time consuming to acquire and "
        "difficult to extend. Moreover, manual labeling of 3D pose, depth and motion is "
        "impractical. In this work we present SURREAL (Synthetic hUmans foR REAL tasks): a "
        "new large-scale dataset with synthetically-generated but realistic images of people "
        "rendered from 3D sequences of human motion capture data. We generate more than 6 "
        "million frames together with ground truth pose, depth maps, and segmentation masks. "
        "We show that CNNs trained on our synthetic dataset allow for accurate human depth "
        "estimation and human part segmentation in real RGB images. Our results and the new "
        "dataset open up new possibilities for advancing person analysis using cheap and "
        "large-scale synthetic data.},",
    ]
    synthia = text[text.index("@misc{anon2016synthia") :]
    assert synthia.splitlines()[:4] == [
        "@misc{anon2016synthia,",
        "  title = {The {SYNTHIA} Dataset: A Large Collection of Synthetic Images for Semantic "
        "Segmentation of Urban Scenes},",
        "  year = {2016},",
        "  url = {https://openaccess.thecvf.com/content_cvpr_2016/html/"
        "Ros_The_SYNTHIA_Dataset_CVPR_2016_paper.html},",
    ]
    assert "semantic segmentation {\\textendash} in particular" in synthia
    assert (
        "\n  title = {{UnrealROX}+: An Improved Tool for Acquiring Synthetic Data from Virtual"
        " {3D} Environments},\n"
    ) in text
    # The document shows 2020 (an override); the key keeps the first version's year.
    assert "@misc{prakash2018structured,\n" in text and "  year = {2020},\n" in text


def test_csl_json_is_valid_and_matches_the_bibtex(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    root = bundled_project(tmp_path, with_cache=True)
    render(capsys, root)
    items = json.loads((root / CSL).read_text("utf-8"))
    jsonschema.Draft7Validator(SCHEMA).validate(items)
    bibtex = parse_string((root / BIB).read_text("utf-8"), "bibtex")
    assert [item["id"] for item in items] == list(bibtex.entries)
    by_id = {item["id"]: item for item in items}
    assert by_id["james2018simtoreal"] == {
        "id": "james2018simtoreal",
        "type": "article",
        "title": "Sim-to-Real via Sim-to-Sim: Data-efficient Robotic Grasping via "
        "Randomized-to-Canonical Adaptation Networks",
        "author": [
            {"family": "James", "given": "Stephen"},
            {"family": "Wohlhart", "given": "Paul"},
            {"family": "Kalakrishnan", "given": "Mrinal"},
            {"family": "Kalashnikov", "given": "Dmitry"},
            {"family": "Irpan", "given": "Alex"},
            {"family": "Ibarz", "given": "Julian"},
            {"family": "Levine", "given": "Sergey"},
            {"family": "Hadsell", "given": "Raia"},
            {"family": "Bousmalis", "given": "Konstantinos"},
        ],
        # year_from: updated, so the latest version's date, as in the document.
        "issued": {"date-parts": [[2019, 7, 21]]},
        "URL": "https://arxiv.org/abs/1812.07252",
        "publisher": "arXiv",
        "number": "arXiv:1812.07252",
        "abstract": Cache.load(root / "catalogue" / "cache.json").records["1812.07252"].abstract,
    }
    varol = by_id["varol2017learning"]
    assert (varol["type"], varol["container-title"], varol["DOI"], varol["note"]) == (
        "paper-conference", "CVPR 2017", "10.1109/CVPR.2017.492", "arXiv:1701.01370",
    )  # fmt: skip
    assert varol["author"][0] == {"family": "Varol", "given": "Gül"}
    assert varol["issued"] == {"date-parts": [[2017]]}
    assert by_id["loquercio2019deep"]["type"] == "article-journal"
    # An override of the year leaves only the year: the day would be arXiv's, not the list's.
    assert by_id["prakash2018structured"]["issued"] == {"date-parts": [[2020]]}
    synthia = by_id["anon2016synthia"]
    assert "author" not in synthia and synthia["issued"] == {"date-parts": [[2016]]}


def test_schema_rejects_what_csl_forbids() -> None:
    validator = jsonschema.Draft7Validator(SCHEMA)
    good = {"id": "a", "type": "article", "issued": {"date-parts": [[2020, 1, 2]]}}
    assert validator.is_valid([good])
    for bad in (
        {**good, "type": "preprint"},
        {**good, "Title": "x"},
        {**good, "issued": {"date-parts": [[2020, 1, 2, 3]]}},
        {**good, "author": [{"family": "A", "first": "B"}]},
        {"type": "article"},
    ):
        assert not validator.is_valid([bad]), bad


HOSTILE = """\
papers:
  - id: 2101.00001
    usecase: U
    topics: [T]
  - title: "Manual: 100% {legit} R&D_2"
    url: https://example.org/a b{c}
    year: 2015
    authors: [Ludwig van Beethoven, ATLAS Collaboration, Martin Luther King Jr.]
    usecase: U
    topics: [T]
"""


def test_latex_specials_and_unicode_survive_a_real_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "GANs for R&D: 50% of {x} ~ a_b^c #1 \\cmd <tag> in $O(n^{2})$ time"
    # Curly quotes and an en dash, as arXiv abstracts have them.
    abstract = (
        "M\u00fcller\u2019s \u201cna\u00efve\u201d method \u2013 costs $\\alpha < \\beta$; "
        "unsafe $x}$ and 100%."
    )
    authors = [
        "Gül Varol",
        "José García-López",
        "Łukasz Kaiser",
        "张伟",
        "Jean-Pierre de la Fontaine",
    ]
    cached = record("2101.00001", title, authors, "2021-01-01T00:00:00Z", abstract=abstract)
    root = project_with(tmp_path, HOSTILE, [cached])
    render(capsys, root)
    text = (root / BIB).read_text("utf-8")
    entries = parse_string(text, "bibtex").entries
    paper = entries["varol2021gans"]
    assert paper.fields["title"] == (
        "{GANs} for {R{\\&}D}: 50{\\%} of {\\textbraceleft}x{\\textbraceright} "
        "{\\textasciitilde} a{\\_}b{\\textasciicircum}c {\\#}1 {\\textbackslash}cmd "
        "{\\ensuremath{<}}tag{\\ensuremath{>}} in {$O(n^{2})$} time"
    )
    assert paper.fields["abstract"] == (
        'M{\\"u}ller{\\textquoteright}s {\\textquotedblleft}na{\\"\\i}ve'
        "{\\textquotedblright} method {\\textendash} costs $\\alpha < \\beta$; unsafe "
        "{\\$}x{\\textbraceright}{\\$} and 100{\\%}."
    )
    assert decode(paper.fields["abstract"]) == abstract.replace("$x}$", "$x$")
    persons = [(p.first_names, p.prelast_names, p.last_names) for p in paper.persons["author"]]
    assert persons == [
        (['G{\\"u}l'], [], ["Varol"]),
        (["Jos{\\'e}"], [], ["Garc{\\'\\i}a-L{\\'o}pez"]),
        (["{\\L}ukasz"], [], ["Kaiser"]),
        ([], [], ["张伟"]),
        (["Jean-Pierre"], ["de", "la"], ["Fontaine"]),
    ]
    manual = entries["beethoven2015manual"]
    assert [str(p) for p in manual.persons["author"]] == [
        "van Beethoven, Ludwig", "{ATLAS Collaboration}", "King, Jr., Martin Luther",
    ]  # fmt: skip
    assert (
        manual.fields["title"]
        == "Manual: 100{\\%} {\\textbraceleft}legit{\\textbraceright} {R{\\&}D{\\_}2}"
    )
    assert manual.fields["url"] == "https://example.org/a%20b%7Bc%7D"
    items = json.loads((root / CSL).read_text("utf-8"))
    jsonschema.Draft7Validator(SCHEMA).validate(items)
    assert items[0]["title"] == title and items[0]["abstract"] == abstract
    assert items[1]["author"] == [
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"literal": "ATLAS Collaboration"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
    ]


def cited(capsys: pytest.CaptureFixture[str], root: Path) -> list[dict[str, object]]:
    """The CSL items of the project's papers, as `render` writes them."""
    render(capsys, root)
    items: list[dict[str, object]] = json.loads((root / CSL).read_text("utf-8"))
    return items


def test_keys_are_unique_and_stable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    same = {"title": "Deep learning of things", "authors": ["Anna Smith", "Bo Li"]}
    older = record("2001.00002", published="2020-01-05T00:00:00Z", **same)  # type: ignore[arg-type]
    newer = record("2003.00001", published="2020-03-01T00:00:00Z", **same)  # type: ignore[arg-type]
    newest = record("2006.00009", published="2020-06-01T00:00:00Z", **same)  # type: ignore[arg-type]
    # Its own key is what a suffix would make of the others' key.
    other = record("2005.00001", "Deepb nets", ["Anna Smith"], "2020-05-01T00:00:00Z")

    def keys(*ids: str) -> dict[str, str]:
        root = project_with(tmp_path / "-".join(ids), papers_yaml(*ids),
                            [older, newer, newest, other])  # fmt: skip
        return {str(i["number"]).removeprefix("arXiv:"): str(i["id"]) for i in cited(capsys, root)}

    assert keys("2003.00001", "2001.00002") == {
        "2001.00002": "smith2020deep", "2003.00001": "smith2020deepb",
    }  # fmt: skip
    # Adding a newer paper, or reordering, changes no existing key.
    assert keys("2006.00009", "2001.00002", "2003.00001") == {
        "2001.00002": "smith2020deep", "2003.00001": "smith2020deepb",
        "2006.00009": "smith2020deepc",
    }  # fmt: skip
    assert keys("2006.00009", "2005.00001", "2001.00002", "2003.00001") == {
        "2001.00002": "smith2020deep", "2005.00001": "smith2020deepb",
        "2003.00001": "smith2020deepc", "2006.00009": "smith2020deepd",
    }  # fmt: skip


def test_published_kinds_and_arxiv_dois(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = "2021-01-01T00:00:00Z"
    records = [
        record("2101.00001", "A", ["A B"], day, journal_ref="Phys. Rev. D 50, 1234"),
        record("2101.00002", "B", ["A B"], day, doi="10.1109/ICRA.2021.1"),
        record("2101.00003", "C", ["A B"], day, doi="10.48550/arXiv.2101.00003"),
        record("2101.00004", "D", ["A B"], day,
               journal_ref="Proc. of the 37th Int. Conf. on Machine Learning, PMLR 119 (2020)"),
        record("2101.00005", "E", ["A B"], day, doi="10.1007/978-3-030-58452-8_1"),
        # A DOI alone names no journal; the comment may name the venue.
        record("2101.00006", "F", ["A B"], day, doi="10.1109/TRO.2021.1"),
        record("2101.00007", "G", ["A B"], day, doi="10.1109/TRO.2021.2",
               comment="Accepted to IEEE Transactions on Robotics"),
    ]  # fmt: skip
    root = project_with(tmp_path, papers_yaml(*(r.id for r in records)), records)
    found = cited(capsys, root)
    assert [(i["type"], i.get("DOI"), i["issued"]) for i in found] == [
        ("article-journal", None, {"date-parts": [[2021, 1, 1]]}),  # no year in the reference
        ("paper-conference", "10.1109/ICRA.2021.1", {"date-parts": [[2021, 1, 1]]}),
        ("article", None, {"date-parts": [[2021, 1, 1]]}),  # a preprint
        ("paper-conference", None, {"date-parts": [[2020]]}),
        ("paper-conference", "10.1007/978-3-030-58452-8_1", {"date-parts": [[2021, 1, 1]]}),
        ("article", "10.1109/TRO.2021.1", {"date-parts": [[2021, 1, 1]]}),  # a preprint
        ("article-journal", "10.1109/TRO.2021.2", {"date-parts": [[2021, 1, 1]]}),
    ]
    assert found[6]["container-title"] == "IEEE Transactions on Robotics"


def test_split_name() -> None:
    assert split_name("Plato").family == "Plato"
    assert split_name("Smith, John").literal


def test_exports_can_be_switched_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = record("2101.00001", "A", ["A B"], "2021-01-01T00:00:00Z")
    root = project_with(tmp_path, "settings:\n  exports: []\n" + papers_yaml("2101.00001"), [rec])
    assert render(capsys, root) == "Wrote generated/literature.md\n"
    assert not (root / "generated" / "references.bib").exists()
    assert main(["check", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "OK: 1 paper; generated/literature.md is up to date.\n"
    catalogue = root / "catalogue" / "ids.yaml"
    catalogue.write_text("settings:\n  exports: [csl-json]\n" + papers_yaml("2101.00001"), "utf-8")
    assert render(capsys, root) == (
        "Unchanged: generated/literature.md\nWrote generated/papers.json\n"
    )


def test_check_names_only_the_stale_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    render(capsys, root)
    bib = root / BIB
    bib.write_text(bib.read_text("utf-8").replace("2017", "2071"), "utf-8")
    assert main(["check", "--root", str(root)]) == 5
    assert capsys.readouterr().err == (
        "Error: generated/references.bib is not what `litsync render` writes; "
        "run `litsync render` and commit the result\n"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("  exports: [bibtx]\n",
         "catalogue/ids.yaml:2: settings.exports: unknown 'bibtx' (did you mean 'bibtex'?); "
         "choose from bibtex, csl-json"),
        ("  exports: false\n",
         "catalogue/ids.yaml:2: settings.exports must be a list of formats (bibtex, csl-json) "
         "or []"),
        ("  exports: [bibtex, bibtex]\n",
         "catalogue/ids.yaml:2: 'bibtex' appears twice in settings.exports; keep one"),
    ],
)  # fmt: skip
def test_bad_exports_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: str, message: str
) -> None:
    rec = record("2101.00001", "A", ["A B"], "2021-01-01T00:00:00Z")
    root = project_with(tmp_path, "settings:\n" + settings + papers_yaml("2101.00001"), [rec])
    assert main(["render", "--root", str(root)]) == 2
    assert capsys.readouterr().err == f"Error: {message}\n"


def test_csl_json_is_laid_out_as_the_json_module_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = 'Quotes " \\ and\ttabs, \x01 control, M\u00fcller \u2028 \U0001f600'
    cached = record("2101.00001", odd, ["Gül Varol", "A B"], "2021-01-01T00:00:00Z", abstract=odd)
    root = project_with(tmp_path, papers_yaml("2101.00001"), [cached])
    assert cited(capsys, root)[0]["title"] == odd
    text = (root / CSL).read_text("utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("key", ["smith2020deepb", 'not "one" \\ litsync makes: ü'])
def test_a_csl_id_is_quoted_as_the_json_module_quotes_it(key: str) -> None:
    paper = draft(paper_of(record("2101.00001", "T", ["A B"], "2021-01-01T00:00:00Z")))
    keyed = paper._replace(key=key)
    text = csl.file([keyed]).decode()
    assert text == json.dumps([csl.item(keyed)], indent=2, ensure_ascii=False) + "\n"
    assert '"id": ' + json.dumps(key, ensure_ascii=False) + "," in text


@pytest.mark.parametrize(
    ("encode", "text", "expected"),
    [
        (bibtex.title, "plain words, as most are", "plain words, as most are"),
        (bibtex.title, "iPhone and (3D) GANs", "{iPhone} and ({3D}) {GANs}"),
        (bibtex.title, "a_b x|y don't [1] `q`", "a{\\_}b x|y don't [1] `q`"),
        # Punctuation around a word stays outside its braces; a word of it alone is left.
        (bibtex.title, "«NeRF»: (3D-to-2D)... --x_Y-- ?!",
         "{\\guillemotleft}{NeRF}{\\guillemotright}: ({3D-to-2D})... --{x{\\_}Y}-- ?!"),
        (bibtex.title, "Müller\u2019s €5 R&D",
         'M{\\"u}ller{\\textquoteright}s {\\texteuro}5 {R{\\&}D}'),
        (bibtex.latex, "Plain Name", "Plain Name"),
        (bibtex.latex, "", ""),
        (bibtex.latex, "Gül Varol", 'G{\\"u}l Varol'),
        (bibtex.latex, "costs $O(n)$ and 50%", "costs $O(n)$ and 50{\\%}"),
        # Non-ASCII text with specials, inside a formula and out.
        (bibtex.latex, "Spin $\\sigma = \u03b1$ at 5% in “quotes”",
         "Spin $\\sigma = {\\ensuremath{\\alpha}}$ at 5{\\%} in "
         "{\\textquotedblleft}quotes{\\textquotedblright}"),
        (bibtex.latex, "“A&B” $x_1$ \\ {y}",
         "{\\textquotedblleft}A{\\&}B{\\textquotedblright} $x_1$ {\\textbackslash} "
         "{\\textbraceleft}y{\\textbraceright}"),
        # A combining accent belongs to the letter before it, precomposed or not.
        (bibtex.latex, "Mu\u0308ller", 'M{\\"u}ller'),
        (bibtex.latex, "Caf\u00e9 and cafe\u0301", "Caf{\\'e} and caf{\\'e}"),
        (bibtex.latex, "R&D\u2019s cafe\u0301", "R{\\&}D{\\textquoteright}s caf{\\'e}"),
    ],
)  # fmt: skip
def test_text_written_for_latex(encode: Callable[[str], str], text: str, expected: str) -> None:
    assert encode(text) == expected


def test_exports_of_a_list_with_no_paper_yet(tmp_path: Path) -> None:
    project = Project(bundled_project(tmp_path, with_cache=True))
    exports = render_exports(load(project.catalogue).settings, [])
    written = [data for _, data in exports]
    assert written == [bibtex.HEADER.encode(), b"[]\n"]
    assert written[1] == (json.dumps([], indent=2) + "\n").encode()


def test_an_export_that_is_a_folder_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    (root / BIB).mkdir(parents=True)  # a folder where the file should go
    assert main(["render", "--root", str(root)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "Error: catalogue/ids.yaml: the export 'generated/references.bib' is a folder; "
        "name a file, or remove the folder\n",
    )


def test_a_key_once_given_stays_when_a_new_version_retitles_the_paper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = record("2101.00001", "Learning to grasp", ["Ann Lee"], "2021-01-01T00:00:00Z")
    root = project_with(tmp_path, papers_yaml("2101.00001"), [first])
    assert [i["id"] for i in cited(capsys, root)] == ["lee2021learning"]
    # v2 has another first author and title word; a new paper drafts the old key.
    second = first._replace(version=2, title="Grasping by learning", authors=["Bo Kim"])
    newcomer = record("2102.00002", "Learning to walk", ["Ann Lee"], "2021-02-01T00:00:00Z")
    cache = Cache(root / "catalogue" / "cache.json", {r.id: r for r in (second, newcomer)})
    cache.save()
    catalogue = root / "catalogue" / "ids.yaml"
    catalogue.write_text(papers_yaml("2101.00001", "2102.00002"), encoding="utf-8")
    assert [i["id"] for i in cited(capsys, root)] == ["lee2021learning", "lee2021learningb"]
    bib = parse_string((root / BIB).read_text("utf-8"), "bibtex")
    assert list(bib.entries) == ["lee2021learning", "lee2021learningb"]
    # Without the committed exports (a list that never rendered) keys are made afresh.
    (root / BIB).unlink()
    (root / CSL).unlink()
    assert [i["id"] for i in cited(capsys, root)] == ["kim2021grasping", "lee2021learning"]
