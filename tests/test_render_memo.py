"""Rendering is skipped only while nothing it reads, and nothing it wrote, has changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from arxiv_server import ArxivServer
from project import DOCUMENT, EXPORTS, bundled_project

from litsync.cli import main
from litsync.render_memo import RENDER_MEMO

UNCHANGED = (
    "Unchanged: generated/synthetic-data-literature.md\n"
    "Unchanged: generated/references.bib\n"
    "Unchanged: generated/papers.json\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A rendered list whose memo claims one more paper left out than there is, so that a
    warning about it tells an answer from the memo from a render."""
    root = bundled_project(tmp_path, with_cache=True)
    assert run(capsys, "render", "--root", str(root))[0] == 0
    memo = root / RENDER_MEMO
    data = json.loads(memo.read_text(encoding="utf-8"))
    assert list(data["files"]) == [str(DOCUMENT), *map(str, EXPORTS)]
    assert data["unresolved"] == []
    memo.write_text(json.dumps({**data, "unresolved": ["2101.99999"]}), encoding="utf-8")
    return root


def from_memo(err: str) -> bool:
    return "2101.99999" in err


def test_an_unchanged_list_is_not_rendered_again(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "render", "--root", str(root))
    assert (code, out) == (0, UNCHANGED)
    assert from_memo(err)
    code, out, err = run(capsys, "refresh", "--root", str(root))  # nothing due
    assert (code, out) == (0, "Nothing due: every paper was checked recently.\n" + UNCHANGED)
    assert from_memo(err)


@pytest.mark.parametrize(
    ("path", "old", "new", "shown"),
    [
        ("catalogue/cache.json", "Learning from Synthetic Humans", "Learning from Humans",
         "Learning from Humans"),
        ("catalogue/ids.yaml", "usecase: Robotic Grasping", "usecase: Grasping",
         "**Usecase** Grasping\n"),
        ("templates/document.md.j2", "**Usecase**", "**Use case**", "**Use case** "),
    ],
)  # fmt: skip
def test_a_changed_input_is_rendered(
    root: Path, capsys: pytest.CaptureFixture[str], path: str, old: str, new: str, shown: str
) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text and shown not in (root / DOCUMENT).read_text(encoding="utf-8")
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run(capsys, "render", "--root", str(root))
    assert code == 0 and not from_memo(err)
    assert "Wrote generated/synthetic-data-literature.md\n" in out
    assert shown in (root / DOCUMENT).read_text(encoding="utf-8")
    # And the memo now holds for the new inputs.
    assert run(capsys, "render", "--root", str(root))[1] == UNCHANGED


def test_a_template_added_to_the_project_is_an_input(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "templates" / "unused.md.j2").write_text("{{ nothing }}\n", encoding="utf-8")
    code, out, err = run(capsys, "render", "--root", str(root))
    assert (code, out) == (0, UNCHANGED)  # rendered again, to the same bytes
    assert not from_memo(err)


@pytest.mark.parametrize("generated", [DOCUMENT, *EXPORTS])
def test_a_generated_file_edited_or_deleted_is_written_again(
    root: Path, capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    original = (root / generated).read_bytes()
    (root / generated).write_bytes(original + b"hand edit\n")
    code, out, err = run(capsys, "render", "--root", str(root))
    assert code == 0 and f"Wrote {generated}\n" in out and not from_memo(err)
    assert (root / generated).read_bytes() == original
    (root / generated).unlink()
    code, out, _ = run(capsys, "render", "--root", str(root))
    assert code == 0 and f"Wrote {generated}\n" in out
    assert (root / generated).read_bytes() == original


def test_a_damaged_memo_means_a_render(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / RENDER_MEMO).write_text("{not json", encoding="utf-8")
    code, out, err = run(capsys, "render", "--root", str(root))
    assert (code, out) == (0, UNCHANGED) and not from_memo(err)
    assert json.loads((root / RENDER_MEMO).read_text(encoding="utf-8"))["unresolved"] == []


def test_check_does_not_trust_the_memo(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A memo that vouches for a hand-edited document fools render, not check.
    edited = (root / DOCUMENT).read_bytes() + b"hand edit\n"
    (root / DOCUMENT).write_bytes(edited)
    memo = json.loads((root / RENDER_MEMO).read_text(encoding="utf-8"))
    memo["files"][str(DOCUMENT)] = hashlib.sha256(edited).hexdigest()
    (root / RENDER_MEMO).write_text(json.dumps(memo), encoding="utf-8")
    assert run(capsys, "render", "--root", str(root))[1] == UNCHANGED
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 5
    assert "generated/synthetic-data-literature.md is not what `litsync render` writes" in err


def test_a_refresh_checks_only_a_template_not_rendered_with_these_inputs(
    root: Path,
    arxiv_server: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Jinja2's own entry point, passed through: every document rendered goes by it.
    renders: list[str | None] = []
    generate = jinja2.Template.generate

    def counted(self: jinja2.Template, *args: object, **kwargs: object) -> Iterator[str]:
        renders.append(self.name)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "generate", counted)
    refresh = ["refresh", "--force", "--root", str(root), "--api-url", arxiv_server.url,
               "--delay", "0"]  # fmt: skip
    # These inputs rendered last time: no check before the first request, and arXiv's data
    # as cached, so no render after the last either.
    fetched = "Fetched 12 of 12 papers in 1 request: 0 new, 0 changed.\n"
    assert run(capsys, *refresh)[:2] == (0, fetched + UNCHANGED)
    assert renders == [] and len(arxiv_server.requests) == 1
    # An edited template is checked before the first request, then rendered after the last.
    template = root / "templates" / "document.md.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("**Usecase**", "**Use**"))
    assert run(capsys, *refresh)[0] == 0
    assert renders == ["document.md.j2", "document.md.j2"]
