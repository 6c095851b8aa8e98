"""Where a project's files are, relative to the directory litsync works on."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from litsync.catalogue.model import CATALOGUE_FILE, Settings
from litsync.catalogue.settings import kept_folder, shown
from litsync.errors import EXIT_BAD_INPUT, CatalogueError, LitsyncError
from litsync.files import LOCK_FILE
from litsync.output.exports import chosen
from litsync.store.cache import CACHE_FILE
from litsync.store.run_notes import NOTES_FILE
from litsync.store.schedule import STATE_FILE

TEMPLATES_DIR = Path("templates")


class NoListError(LitsyncError):
    """No list where litsync was asked to work: `--root` names a folder without
    ``catalogue/ids.yaml`` (for `import`, no folder), or no folder from the current one up
    holds one."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class Project:
    """A literature list repository: the folder holding ``catalogue/ids.yaml``."""

    root: Path

    @property
    def catalogue(self) -> Path:
        return self.root / CATALOGUE_FILE

    @property
    def cache(self) -> Path:
        return self.root / CACHE_FILE

    @property
    def state(self) -> Path:
        return self.root / STATE_FILE

    @property
    def notes(self) -> Path:
        """What the last refresh could not do (uncommitted, read by `changes`)."""
        return self.root / NOTES_FILE

    @property
    def lock(self) -> Path:
        return self.root / LOCK_FILE

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_DIR

    def output(self, settings: Settings) -> Path:
        """The document's file, checked (see `writable`)."""
        return self.writable(settings.output, "settings.output")

    def exports(self, settings: Settings) -> list[Path]:
        """Each chosen export's file, checked (see `writable`), in the order written."""
        return [self.writable(export.file, "the export") for export in chosen(settings)]

    def writable(self, path: str | Path, what: str) -> Path:
        """`path`, relative to the root, as a file litsync may write; raise CatalogueError
        if, symbolic links followed, it lies outside the repository or in one of its kept
        folders, if it is a folder, or if the file system cannot hold it.

        The catalogue's loader has refused such paths as written; this is what only the
        file system can tell.
        """
        target = self.root / path
        try:
            os.stat(target)
        except FileNotFoundError:
            pass
        except OSError as err:
            raise self._refuse(
                what, path, f"cannot be written ({err.strerror}); choose another file"
            ) from None
        root = self.root.resolve()
        real = target.resolve()
        if not real.is_relative_to(root):
            raise self._refuse(
                what,
                path,
                f"leads, through a symbolic link, to {real}, outside the repository; "
                "remove the link",
            )
        folder = kept_folder(PurePosixPath(real.relative_to(root)))
        if folder:
            raise self._refuse(
                what, path, f"leads, through a symbolic link, into {folder}; remove the link"
            )
        if real.is_dir():
            raise self._refuse(what, path, "is a folder; name a file, or remove the folder")
        return target

    def _refuse(self, what: str, path: str | Path, problem: str) -> CatalogueError:
        return CatalogueError(self.catalogue, None, f"{what} {shown(str(path))} {problem}")

    def committed(self, settings: Settings) -> list[Path]:
        """The files litsync writes that belong in git, relative to the root."""
        files = [self.output(settings), *self.exports(settings)]
        return [CACHE_FILE, *(Path(self.relative(path)) for path in files)]

    def folders(self, settings: Settings) -> set[Path]:
        """The folders litsync writes files in: the committed ones' and its run state's."""
        committed = {(self.root / path).parent for path in self.committed(settings)}
        return committed | {self.lock.parent}

    def relative(self, path: Path) -> str:
        """`path` as the user would type it from the project root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def find_project(root: str | None, here: Path) -> Project:
    """The list a command works on: the one in `root` (`--root`) if given, else the
    nearest folder from `here` up that holds ``catalogue/ids.yaml``, as git finds its
    repository; raise NoListError if there is none."""
    if root is not None:
        folder = Path(root).resolve()
        if not (folder / CATALOGUE_FILE).exists():
            raise NoListError(
                f"no list in {folder}: it has no {CATALOGUE_FILE}; start one with "
                f"`litsync init {shlex.quote(root)}`, or give --root the list's folder"
            )
        return Project(folder)
    searched = [here, *here.parents]
    for folder in searched:
        if (folder / CATALOGUE_FILE).exists():
            return Project(folder)
    raise NoListError(
        f"no list here: none of {', '.join(map(str, searched))} has {CATALOGUE_FILE}; "
        "start one with `litsync init`, or give --root the list's folder"
    )


def importing_project(root: str | None, here: Path) -> Project:
    """The list `litsync import` adds to, which it starts if there is none: the one in
    `root`, which must be a folder, or the one holding `here`, or a new one in `here`."""
    if root is None:
        try:
            return find_project(None, here)
        except NoListError:
            return Project(here)
    folder = Path(root).resolve()
    if not folder.is_dir():
        raise NoListError(f"no folder {folder}: create it, or give --root the list's folder")
    return Project(folder)
