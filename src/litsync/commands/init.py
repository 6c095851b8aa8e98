"""`litsync init`: a new list's files, ready to commit, from the package's templates/init/."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from litsync import __version__
from litsync.catalogue.model import CATALOGUE_FILE
from litsync.errors import OptionError
from litsync.files import write_atomic
from litsync.project import TEMPLATES_DIR, Project

WORKFLOWS = Path(".github") / "workflows"
NIGHTLY_SCRIPT = Path(".github") / "scripts" / "nightly.sh"
REQUIREMENTS = Path("requirements.txt")
DOCUMENT_TEMPLATE = "document.md.j2"

# Each file init writes, relative to the list's root, and its template in templates/init/.
LIST_FILES = {
    CATALOGUE_FILE: "ids.yaml",
    Path(".gitignore"): "gitignore",
    REQUIREMENTS: "requirements.txt",
    WORKFLOWS / "nightly.yml": "nightly.yml",
    NIGHTLY_SCRIPT: "nightly.sh",
    WORKFLOWS / "check.yml": "check.yml",
}


def init_list(project: Project, with_template: bool) -> list[Path]:
    """Write a new list's files into `project.root` (created if need be) and return them;
    with `with_template`, also the default document template, to edit. Refuse, writing
    nothing, if any of them exists."""
    package = files("litsync") / "templates"
    contents = {
        project.root / path: (package / "init" / name).read_bytes()
        for path, name in LIST_FILES.items()
    }
    # The workflows install what this names. Commented out: the name `litsync` alone would
    # install another project from PyPI, in a job that can push.
    contents[project.root / REQUIREMENTS] += (
        f"# litsync @ git+https://github.com/OWNER/litsync@v{__version__}\n".encode()
    )
    if with_template:
        document = TEMPLATES_DIR / DOCUMENT_TEMPLATE
        contents[project.root / document] = (package / DOCUMENT_TEMPLATE).read_bytes()
    present = [project.relative(path) for path in contents if path.exists() or path.is_symlink()]
    if present:
        raise OptionError(
            f"{project.root} already has {', '.join(present)}; `litsync init` overwrites "
            "nothing: move them away, or start the list in another folder"
        )
    for path, content in contents.items():
        write_atomic(path, content)
    script = project.root / NIGHTLY_SCRIPT
    # Executable, as in litsync's own repository, so that it also runs by itself.
    script.chmod(script.stat().st_mode | 0o111)
    return list(contents)
