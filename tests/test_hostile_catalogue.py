"""Careless and hostile catalogues: every layout YAML allows is added to without loss, or
refused at a line with nothing written; values that cannot be used are refused at theirs.

docs/RELIABILITY.md's "Hostile and careless catalogues" rows are written from here.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from conftest import ReliabilityLog
from project import bundled_project, refused_by_every_command, run, snapshot

from litsync.catalogue.load import load
from litsync.catalogue.model import Entry
from litsync.sources.arxiv_ids import ArxivId

SECTION = "Hostile and careless catalogues"
CATALOGUE = Path("catalogue") / "ids.yaml"
NEW = "2104.11776"
# 1812.07252 in full-width and in Arabic-Indic digits.
FULL_WIDTH = "\uff11\uff18\uff11\uff12.\uff10\uff17\uff12\uff15\uff12"
ARABIC_INDIC = "\u0661\u0668\u0661\u0662.\u0660\u0667\u0662\u0665\u0662"


def catalogue_project(tmp_path: Path, text: str) -> Path:
    """A list whose catalogue is `text`."""
    root = tmp_path / "list"
    (root / "catalogue").mkdir(parents=True)
    (root / CATALOGUE).write_text(text, encoding="utf-8")
    return root


def entries(path: Path) -> list[Entry]:
    """Everything each entry says, without where it stands in its file."""
    return [dataclasses.replace(e, line=0) for e in load(path).entries]


def changed(before: list[Entry], after: list[Entry]) -> str:
    """The papers of `before` that `after` does not hold as they were, in their place."""
    lost = [e.key for n, e in enumerate(before) if after[n : n + 1] != [e]]
    return ", ".join(lost) if lost else "nothing"


# --- layouts `add` must keep --------------------------------------------------------------

FLOW_LIST = (
    "papers: [ {id: 1812.07252, usecase: Grasping, topics: [Robotics]}, "
    "{id: 1612.07828, usecase: Gaze, topics: [Humans]} ]\n"
)
LAYOUTS = {
    "a flow list on one line, `papers: [ {id: …}, {id: …} ]`": FLOW_LIST,
    "a flow list over several lines, with comments and a trailing comma": (
        "# My list.\n"
        "papers: [  # in reading order\n"
        "  # the first one\n"
        "  {id: 1812.07252, usecase: Grasping, topics: [Robotics]},  # RCAN\n"
        "  {id: 1612.07828,\n"
        "   usecase: Gaze, topics: [Humans]},\n"
        "  # more to come\n"
        "]  # end of papers\n"
        "rejected: [1703.06907]\n"
    ),
    "a flow list with a tag, an anchored entry and a quoted usecase over two lines": (
        "%YAML 1.1\n---\n"
        'papers: !!seq [&rcan {id: 1812.07252, usecase: "Robotic\n  Grasping",\n'
        "  topics: [Robotics]},\n"
        "  !!map {id: 1612.07828, usecase: Gaze, topics: [Humans]}]\n"
        "...\n"
    ),
    "an alias as the last entry's last value (`topics: *t`)": (
        "papers:\n"
        "  - id: 1812.07252\n    usecase: Grasping\n    topics: &t [Robotics]\n"
        "  - id: 1612.07828\n    usecase: Gaze\n    topics: *t\n"
    ),
    "a last usecase in a `>+` block, whose final blank lines are its text": (
        "papers:\n"
        "  - id: 1812.07252\n    topics: [Robotics]\n    usecase: >+\n      Grasping\n\n\n"
        "# Not again.\nrejected: []\n"
    ),
}


@pytest.mark.parametrize("case", LAYOUTS)
def test_add_keeps_every_paper_in_any_layout(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
) -> None:
    text = LAYOUTS[case]
    root = catalogue_project(tmp_path, text)
    before = entries(root / CATALOGUE)
    code, _, err = run(
        capsys, "add", NEW, "--usecase", "Tools", "--topic", "Robotics", "--root", str(root)
    )
    after = entries(root / CATALOGUE)
    written = (root / CATALOGUE).read_text(encoding="utf-8")
    comments = [c for c in re.findall(r"#[^\n]*", text) if c not in written]
    reliability.record(
        SECTION,
        f"`add` to a catalogue with {case}",
        f"exit {code}; {len(after)} papers listed, {len(comments)} comments lost",
        changed(before, after),
    )
    assert code == 0, err
    assert after == [*before, Entry(0, "Tools", ("Robotics",), arxiv_id=ArxivId(NEW))]
    assert comments == []


def test_import_into_a_flow_list_keeps_every_paper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reliability: ReliabilityLog
) -> None:
    root = catalogue_project(tmp_path, FLOW_LIST)
    listed = root / "list.md"
    listed.write_text(
        f"# Papers\n\n## Robotics\n\n- [Sim2Real](https://arxiv.org/abs/{NEW})\n", encoding="utf-8"
    )
    before = entries(root / CATALOGUE)
    code, _, err = run(capsys, "import", "--offline", str(listed), "--root", str(root))
    after = entries(root / CATALOGUE)
    reliability.record(
        SECTION,
        "`import` into a catalogue with a flow list",
        f"exit {code}; {len(after)} papers listed",
        changed(before, after),
    )
    assert code == 0, err
    assert after[:-1] == before
    assert after[-1].arxiv_id == ArxivId(NEW)


# --- what `add` cannot keep, or must not write --------------------------------------------

REFUSED = {
    "an alias as the last item of an entry's nested list": (
        "papers:\n"
        "  - id: 1812.07252\n    usecase: Grasping\n    topics: [&h Humans]\n"
        "  - id: 1612.07828\n    usecase: Gaze\n    topics:\n      - Robotics\n      - *h\n",
        [NEW],
        "catalogue/ids.yaml:5: cannot add to `papers:` without changing the entry here as it "
        "is written (an alias at its end, say); write it more plainly, or add the new entry "
        "by hand",
    ),
    "the whole catalogue as one flow mapping, `{papers: […]}`": (
        "{papers: [{id: 1812.07252, usecase: Grasping, topics: [Robotics]}]}\n",
        [NEW],
        "catalogue/ids.yaml:1: cannot add to a catalogue written as one `{…}` mapping; write "
        "its keys as `key: value` lines (settings:, papers:) and add again",
    ),
    "an id in full-width digits of a paper listed": (
        FLOW_LIST,
        [FULL_WIDTH],
        f"catalogue/ids.yaml: cannot add: '{FULL_WIDTH}' is not an arXiv identifier: "
        f"'{FULL_WIDTH[0]}' (U+FF11) is not an ASCII character; type it again",
    ),
    "an empty usecase, `--usecase ''`": (
        FLOW_LIST,
        [NEW, "--usecase", ""],
        "catalogue/ids.yaml: cannot add: usecase is empty; say what the paper is for, "
        "like Grasping",
    ),
    "a usecase from a terminal that is not UTF-8 (a lone surrogate)": (
        FLOW_LIST,
        [NEW, "--usecase", "Gra\udcfcsping"],
        "catalogue/ids.yaml: cannot add: YAML error: '\\udcfc' is half of a UTF-16 pair, not "
        "a character, and cannot be written to a file; remove it or write the character meant",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_add_refuses_what_it_cannot_keep_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
) -> None:
    text, args, message = REFUSED[case]
    root = catalogue_project(tmp_path, text)
    before = snapshot(root)
    usecase = [] if "--usecase" in args else ["--usecase", "Tools"]
    code, out, err = run(capsys, "add", *args, *usecase, "--topic", "Robotics", "--root", str(root))
    lost = "nothing written" if snapshot(root) == before else "the catalogue was changed"
    reliability.record(SECTION, f"`add` with {case}", f"exit {code}: `` {err.strip()} ``", lost)
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {message}") and err.count("\n") == 1, err
    assert snapshot(root) == before


ODD_VALUES = [
    "Next\x85Line",
    "Line\u2028Separator and\u2029Paragraph",
    "\ufeffBOM first",
    "C1 \x80 and DEL \x7f",
    'Quotes " and \\ and a tab\there',
]


def test_add_writes_every_value_as_it_was_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reliability: ReliabilityLog
) -> None:
    root = catalogue_project(tmp_path, "papers:\n")
    read_back = []
    for number, usecase in enumerate(ODD_VALUES):
        arxiv_id = f"2104.1177{number}"
        code, _, err = run(
            capsys, "add", arxiv_id, "--usecase", usecase, "--topic", usecase, "--root", str(root)
        )
        assert code == 0, err
        entry = load(root / CATALOGUE).entries[-1]
        read_back.append((entry.usecase, entry.topics))
    differ = [repr(v) for v, got in zip(ODD_VALUES, read_back, strict=True) if got != (v, (v,))]
    reliability.record(
        SECTION,
        "`add` of usecases and topics with U+0085, U+2028, U+2029, a BOM, C1 controls, quotes",
        f"{len(ODD_VALUES) - len(differ)} of {len(ODD_VALUES)} read back as given",
        ", ".join(differ) if differ else "nothing",
    )
    assert read_back == [(v, (v,)) for v in ODD_VALUES]


# --- values every command refuses at their line --------------------------------------------

ENTRY = "  - id: {id}\n    usecase: {usecase}\n    topics: {topics}\n"
LISTED = ENTRY.format(id="1812.07252", usecase="Grasping", topics="[Robotics]")


def paper(id: str = "1612.07828", usecase: str = "Gaze", topics: str = "[Humans]") -> str:
    return "papers:\n" + LISTED + ENTRY.format(id=id, usecase=usecase, topics=topics)


BAD_VALUES = [
    ("an id in full-width digits of a paper listed", paper(id=FULL_WIDTH),
     f"catalogue/ids.yaml:5: '{FULL_WIDTH}' is not an arXiv identifier: '{FULL_WIDTH[0]}' "
     "(U+FF11) is not an ASCII character; type it again"),
    ("an id in Arabic-Indic digits of a paper listed", paper(id=ARABIC_INDIC),
     f"catalogue/ids.yaml:5: '{ARABIC_INDIC}' is not an arXiv identifier: "
     f"'{ARABIC_INDIC[0]}' (U+0661) is not an ASCII character; type it again"),
    ("a lone surrogate in a usecase, `\"\\ud800\"`", paper(usecase='"Gaze \\ud800"'),
     "catalogue/ids.yaml:6: YAML error: '\\ud800' is half of a UTF-16 pair, not a character, "
     "and cannot be written to a file; remove it or write the character meant"),
    ("5,000 nested `[`", paper(topics="[" * 5000),
     "catalogue/ids.yaml:7: YAML syntax error: exceeded maximum nesting depth"),
    ("500 nested lists, closed", paper(topics="[" * 500 + "]" * 500),
     "catalogue/ids.yaml:7: YAML error: nested too deeply to read; a value is text or a list "
     "of names"),
    ("a NUL byte", paper(usecase="Ga\0ze"),
     "catalogue/ids.yaml:6: YAML error: unacceptable character #x0000: special characters "
     "are not allowed; remove it"),
    ("`topics: []`", paper(topics="[]"),
     "catalogue/ids.yaml:7: topics is empty; give one or more, like [Robotics]"),
    ("`usecase: ''`", paper(usecase="''"),
     "catalogue/ids.yaml:6: usecase is empty; say what the paper is for, like Grasping"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "message"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
def test_every_command_refuses_a_bad_value_at_its_line(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    text: str,
    message: str,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / CATALOGUE).write_text(text, encoding="utf-8")
    check_refused(root, arxiv_server, capsys, reliability, case, message)


def test_a_catalogue_that_is_not_utf8_is_refused_at_its_line(
    tmp_path: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
) -> None:
    root = bundled_project(tmp_path, with_cache=True, with_document=True)
    (root / CATALOGUE).write_bytes(paper(usecase="Ga\xffze").encode("latin-1"))
    check_refused(root, arxiv_server, capsys, reliability, "a byte that is not UTF-8",
                  "catalogue/ids.yaml:6: cannot read the catalogue: 'utf-8' codec can't decode "
                  "byte 0xff in position 106: invalid start byte")  # fmt: skip


def check_refused(
    root: Path,
    server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    reliability: ReliabilityLog,
    case: str,
    message: str,
) -> None:
    """`refresh`, `render` and `check` each print `message` as one line, exit 2, ask arXiv
    nothing and write nothing."""
    line = refused_by_every_command(root, server, capsys, 2, message)
    reliability.record(
        SECTION, f"catalogue with {case}", f"exit 2: `` {line} ``", "nothing written"
    )
