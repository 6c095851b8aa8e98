"""`litsync import`, end to end: a hand-kept list into the catalogue, against the local server."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, generate_papers
from project import DOCUMENT, ROOT, bundled_project, empty_project, run, snapshot

from litsync.catalogue.load import load
from litsync.catalogue.model import Catalogue
from litsync.files import project_lock
from litsync.project import Project

DATA = Path(__file__).parent / "data"
SEED = DATA / "synthetic-data-literature.md"
SYNTHIA_SEARCH = (
    "https://scholar.google.com/scholar?q=The+SYNTHIA+Dataset%3A+A+Large+Collection+of+"
    "Synthetic+Images+for+Semantic+Segmentation+of+Urban+Scenes"
)
SYNTHIA_PAGE = "https://openaccess.thecvf.com/content_cvpr_2016/html/Ros_The_SYNTHIA_Dataset_CVPR_2016_paper.html"
SEED_NOTES = [
    f"{SEED.name}:148: \"The SYNTHIA Dataset: A Large Collection of Synthetic Images…\" links to "
    '"arxivlink", not a page: imported as a manual entry linking to a search for its title; '
    "put the paper's page in its `url:`",
    *(f"{SEED.name}:{line}: empty template section; skipped"
      for line in (158, 168, 178, 188, 198, 208)),
]  # fmt: skip


def seed_in(root: Path) -> Path:
    """The seed list in the project, under its own name (which names the output)."""
    shutil.copy(SEED, root / SEED.name)
    return root / SEED.name


def list_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """A project without catalogue, holding `list.md`, as the current directory."""
    root = empty_project(tmp_path)
    (root / "list.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def entries(catalogue: Catalogue) -> list[tuple[object, ...]]:
    """Everything an entry says, without where it stands in its file."""
    return [dataclasses.astuple(dataclasses.replace(e, line=0)) for e in catalogue.entries]


def test_round_trip_import_refresh_render_gives_the_seed_document(
    tmp_path: Path,
    api: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = empty_project(tmp_path)
    seed_in(root)
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "import", SEED.name)
    assert code == 0, err
    assert out.splitlines() == [
        f"{SEED.name}:68: 1810.10093: the list's year 2020 kept as an override (arXiv says 2018)",
        *SEED_NOTES,
        "Created catalogue/ids.yaml with 13 papers (12 on arXiv, 1 not on arXiv).",
        "Fetched 12 of 12 papers from arXiv in 1 request to compare years "
        "(kept in catalogue/cache.json).",
        "year_from: updated, 1 year kept as an override. The list gives each paper the year "
        "of its latest arXiv version (11 of 12 papers).",
        "Run `litsync refresh` to fetch the rest and render the document.",
    ]
    assert (
        err
        == "litsync: fetching 12 papers in 1 request\nlitsync: fetched 12/12 papers (1 request)\n"
    )
    written = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    assert written == (DATA / "golden" / "imported-ids.yaml").read_text(encoding="utf-8")

    # The bundled catalogue's semantics: same settings, papers, usecases, topics, overrides;
    # only the link of the paper the list gave none differs.
    imported, bundled = load(root / "catalogue" / "ids.yaml"), load(ROOT / "catalogue" / "ids.yaml")
    assert imported.settings == bundled.settings
    synthia = dataclasses.replace(bundled.entries[-1], url=SYNTHIA_SEARCH)
    assert entries(imported) == entries(dataclasses.replace(bundled, entries=(
        *bundled.entries[:-1], synthia)))  # fmt: skip

    code, out, _ = run(capsys, "refresh")
    assert (code, out) == (
        0,
        "Nothing due: every paper was checked recently.\n"
        "Wrote generated/synthetic-data-literature.md\n"
        "Wrote generated/references.bib\n"
        "Wrote generated/papers.json\n",
    )
    assert len(api.requests) == 1  # the import's fetch was kept for the refresh
    code, out, _ = run(capsys, "render")
    assert (code, out.splitlines()[0]) == (0, "Unchanged: generated/synthetic-data-literature.md")
    golden = (DATA / "golden" / "synthetic-data-literature.md").read_text(encoding="utf-8")
    assert SYNTHIA_PAGE in golden
    assert (root / DOCUMENT).read_text(encoding="utf-8") == golden.replace(
        SYNTHIA_PAGE, SYNTHIA_SEARCH
    )
    committed = (ROOT / "catalogue" / "cache.json").read_text(encoding="utf-8")
    assert (root / "catalogue" / "cache.json").read_text(encoding="utf-8") == committed


def test_importing_litsyncs_own_document_gives_back_its_catalogue(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = empty_project(tmp_path)
    shutil.copy(ROOT / DOCUMENT, root / DOCUMENT.name)
    code, out, _ = run(capsys, "import", str(root / DOCUMENT.name), "--root", str(root))
    assert code == 0
    assert out.splitlines()[0] == (
        f"{root / DOCUMENT.name}:86: 1810.10093: the list's year 2020 kept as an override "
        "(arXiv says 2018)"
    )
    imported, bundled = load(root / "catalogue" / "ids.yaml"), load(ROOT / "catalogue" / "ids.yaml")
    assert imported.settings == bundled.settings
    assert entries(imported) == entries(bundled)
    assert run(capsys, "refresh", "--root", str(root))[0] == 0
    assert (root / DOCUMENT).read_bytes() == (ROOT / DOCUMENT).read_bytes()


def test_import_compares_years_with_the_cache_without_asking_arxiv(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = empty_project(tmp_path)
    (root / "catalogue").mkdir()
    shutil.copy(ROOT / "catalogue" / "cache.json", root / "catalogue" / "cache.json")
    code, out, _ = run(capsys, "import", str(seed_in(root)), "--root", str(root))
    assert code == 0
    assert api.requests == []
    assert "Fetched" not in out
    written = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    assert written == (DATA / "golden" / "imported-ids.yaml").read_text(encoding="utf-8")


def test_offline_import_keeps_every_year_as_it_was(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = empty_project(tmp_path)
    seed = seed_in(root)
    code, out, _ = run(capsys, "import", "--offline", str(seed), "--root", str(root))
    assert code == 0
    assert api.requests == []
    lines = out.splitlines()
    assert lines[0] == (
        f"{seed}:29: 1812.07252: the list's year 2019 kept as an override, not compared with "
        "arXiv (offline); delete it where arXiv agrees"
    )
    assert sum("not compared with arXiv (offline)" in line for line in lines) == 12
    assert lines[-3:] == [
        "Created catalogue/ids.yaml with 13 papers (12 on arXiv, 1 not on arXiv).",
        "year_from: published, 12 years kept as overrides. The list's years were not compared "
        "with arXiv: see overrides.",
        "Run `litsync refresh` to fetch the rest and render the document.",
    ]
    text = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    assert (
        "  # The list's years were not compared with arXiv: see overrides.\n"
        "  year_from: published\n"
    ) in text
    assert (
        "  - id: 1812.07252\n"
        "    usecase: Robotic Grasping\n"
        "    topics: [Robotics]\n"
        "    overrides:\n"
        "      year: 2019  # the list's year; not compared with arXiv\n"
    ) in text
    # Whatever arXiv says later, the document shows the list's years.
    assert run(capsys, "refresh", "--root", str(root))[0] == 0
    golden = (DATA / "golden" / "synthetic-data-literature.md").read_text(encoding="utf-8")
    assert (root / DOCUMENT).read_text(encoding="utf-8") == golden.replace(
        SYNTHIA_PAGE, SYNTHIA_SEARCH
    )


def test_importing_the_seed_into_the_bundled_catalogue_adds_nothing(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path, with_cache=True)
    seed = seed_in(root)
    before = snapshot(root)
    code, out, _ = run(capsys, "import", str(seed), "--root", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"{seed}:29: 1812.07252 is already in catalogue/ids.yaml (line 31); skipped"
    )
    assert lines[10] == (
        f"{seed}:128: 1810.10286v2 is already in catalogue/ids.yaml (line 73); skipped"
    )
    # The manual entry is recognised by its title, whatever its link.
    assert lines[12] == (
        f'{seed}:148: "The SYNTHIA Dataset: A Large Collection of Synthetic '
        'Images…" is already in catalogue/ids.yaml (line 82); skipped'
    )
    assert lines[-1] == "Nothing to add: 13 papers already listed."
    assert len(lines) == 13 + 6 + 1
    assert snapshot(root) == before
    assert api.requests == []


AWESOME = """\
# Sim2Real papers

## Robotics

- [RCAN](arXiv:1812.07252v2) is already listed, as https://arxiv.org/abs/1812.07252v2
- [{title}](https://arxiv.org/pdf/{new}v1.pdf)

## Sim2Real

| Paper | Year |
| --- | --- |
| [{other_title}](https://arxiv.org/abs/{other}) | {other_year} |
"""


def test_merge_adds_new_papers_and_topics_keeping_the_catalogue_as_it_was(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    new, other = generate_papers(2, seed=11)
    api.add(new, other)
    root = bundled_project(tmp_path, with_cache=True)
    original = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    listed = root / "awesome.md"
    listed.write_text(
        AWESOME.format(title=new.title, new=new.base_id, other_title=other.title,
                       other=other.base_id, other_year=int(other.published[:4]) - 1),
        encoding="utf-8",
    )  # fmt: skip
    code, out, err = run(capsys, "import", str(listed), "--root", str(root))
    assert code == 0, err
    year = int(other.updated[:4])  # the bundled catalogue gives years with year_from: updated
    assert out.splitlines() == [
        f"{listed}:5: 1812.07252v2 is already in catalogue/ids.yaml (line 31); skipped",
        f"{listed}:12: {other.base_id}: the list's year {year - 1} kept as an override "
        f"(arXiv says {year})",
        "Added 2 papers to catalogue/ids.yaml (2 on arXiv, 0 not on arXiv); 1 already listed.",
        "New topics in settings.topics: Sim2Real.",
        "Fetched 1 of 1 paper from arXiv in 1 request to compare years "
        "(kept in catalogue/cache.json).",
        "year_from: updated, 1 year kept as an override.",
        "Run `litsync refresh` to fetch the rest and render the document.",
    ]
    assert [r.ids for r in api.requests] == [[other.base_id]]
    text = (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8")
    before_papers, after = original.split("  # Not on arXiv", 1)
    assert text == (
        before_papers.replace("    - Frameworks\n", "    - Frameworks\n    - Sim2Real\n")
        + "  # Not on arXiv"
        + after
        + "\n"
        f"  - id: {new.base_id}\n"
        "    usecase: Robotics\n"
        "    topics: [Robotics]\n"
        "\n"
        f"  - id: {other.base_id}\n"
        "    usecase: Sim2Real\n"
        "    topics: [Sim2Real]\n"
        "    overrides:\n"
        f"      year: {year - 1}  # the list's year; arXiv says {year}\n"
    )
    # A second import finds everything listed, in whatever form.
    code, out, _ = run(capsys, "import", str(listed), "--root", str(root))
    assert code == 0
    assert out.splitlines()[-1] == "Nothing to add: 3 papers already listed."


def test_a_link_to_an_old_version_is_reported_and_a_wrong_title_too(
    tmp_path: Path,
    api: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = list_project(
        tmp_path,
        monkeypatch,
        "# List\n\n## Robotics\n\n"
        "| Title | Year |\n| --- | --- |\n"
        "| [Sim-to-Real via Sim-to-Sim](https://arxiv.org/pdf/1812.07252v1.pdf) | 2019 |\n"
        "| [Learning to fly by crashing](https://arxiv.org/abs/1703.06907v1) | 2017 |\n",
    )
    code, out, _ = run(capsys, "import", "list.md")
    assert code == 0
    assert out.splitlines()[:2] == [
        "list.md:7: the list links 1812.07252v1, arXiv's latest is v3: the catalogue follows "
        "the latest; write `id: 1812.07252v1` to pin the version",
        "list.md:8: the list's title \"Learning to fly by crashing\" is not arXiv's title of "
        '1703.06907, "Domain Randomization for Transferring Deep Neural Networks…": '
        "check the link",
    ]
    catalogue = load(root / "catalogue" / "ids.yaml")
    assert [str(i) for i in catalogue.arxiv_ids] == ["1812.07252", "1703.06907"]
    assert catalogue.settings.year_from == "updated"


def test_unreachable_arxiv_keeps_the_years_and_exits_4(
    tmp_path: Path, unreachable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = empty_project(tmp_path)
    seed = seed_in(root)
    code, out, err = run(capsys, "import", str(seed), "--root", str(root))
    assert code == 4
    assert out.splitlines()[0] == (
        f"{seed}:29: 1812.07252: the list's year 2019 kept as an override, not "
        "compared with arXiv (arXiv could not be reached); delete it where arXiv agrees"
    )
    assert err.splitlines()[-1] == (
        "Error: arXiv could not be reached (connection failed); the list's years that could "
        "not be compared were kept as overrides"
    )
    assert len(load(root / "catalogue" / "ids.yaml").entries) == 13


def test_a_paper_arxiv_does_not_know_is_kept_and_exits_3(
    tmp_path: Path,
    api: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = list_project(
        tmp_path,
        monkeypatch,
        "## Ghosts\n\n| Paper | Year |\n|---|---|\n| arXiv:2001.99999 | 2020 |\n",
    )
    code, out, _ = run(capsys, "import", "list.md")
    assert code == 3
    assert out.splitlines()[0] == (
        "list.md:5: 2001.99999: not found on arXiv, check the link; "
        "the list's year 2020 kept as an override"
    )
    assert [str(i) for i in load(root / "catalogue" / "ids.yaml").arxiv_ids] == ["2001.99999"]


def test_a_list_without_years_needs_no_request(
    tmp_path: Path,
    api: ArxivServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = list_project(
        tmp_path,
        monkeypatch,
        "# Reading list\n\nPapers we like.\n\n## Robotics\n\n- arXiv:1812.07252\n",
    )
    code, out, _ = run(capsys, "import", "list.md")
    assert out.splitlines() == [
        "Created catalogue/ids.yaml with 1 paper (1 on arXiv, 0 not on arXiv).",
        "year_from: published, 0 years kept as overrides. A paper's year is that of its first "
        "arXiv version.",
        "Run `litsync refresh` to fetch the rest and render the document.",
    ]
    assert code == 0
    assert api.requests == []
    assert (root / "catalogue" / "ids.yaml").read_text(encoding="utf-8").split("\n\n", 1)[1] == (
        "settings:\n"
        "  title: Reading list\n"
        "  introduction: Papers we like.\n"
        "  # The order of the topic index.\n"
        "  topics:\n"
        "    - Robotics\n"
        "  # A paper's year is that of its first arXiv version.\n"
        "  year_from: published\n"
        "  output: generated/list.md\n"
        "\n"
        "papers:\n"
        "  - id: 1812.07252\n"
        "    usecase: Robotics\n"
        "    topics: [Robotics]\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Error: missing.md: no such file\n"),
        ("# Nothing here\n\nJust text.\n",
         "Error: missing.md: lists no paper: no arXiv link, arXiv: id or per-paper section "
         "with a year\n"),
        ("- arXiv:1913.00001\n",
         "Error: missing.md: lists no paper: no arXiv link, arXiv: id or per-paper section "
         "with a year (1 could not be placed; the first, line 1: 'arXiv:1913.00001': 13 is "
         "not a month (YYMM is 1913); skipped)\n"),
    ],
)  # fmt: skip
def test_a_list_that_cannot_be_read_or_lists_nothing_is_bad_input(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "missing.md").write_text(content, encoding="utf-8")
    before = snapshot(tmp_path)
    assert run(capsys, "import", "missing.md") == (2, "", message)
    assert snapshot(tmp_path) == before


def test_a_broken_catalogue_is_reported_and_left_alone(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bundled_project(tmp_path)
    (root / "catalogue" / "ids.yaml").write_text("papers: [\n", encoding="utf-8")
    seed = seed_in(root)
    before = snapshot(root)
    code, out, err = run(capsys, "import", str(seed), "--root", str(root))
    assert (code, out) == (2, "")
    assert err.startswith("Error: catalogue/ids.yaml:2: YAML syntax error")
    assert snapshot(root) == before
    assert api.requests == []


def test_import_waits_for_no_other_run(
    tmp_path: Path, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = empty_project(tmp_path)
    seed = seed_in(root)
    with project_lock(Project(root).lock):
        code, _, err = run(capsys, "import", str(seed), "--root", str(root))
    assert code == 8
    assert err == (
        "Error: another litsync run is working on this list (it holds .litsync/lock); "
        "wait for it to finish and run again\n"
    )
    assert not (root / "catalogue").exists()
