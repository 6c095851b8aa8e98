"""Where a project's files are, relative to the directory litsync works on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from litsync.catalogue.model import CATALOGUE_FILE, Settings
from litsync.files import LOCK_FILE
from litsync.output.exports import chosen
from litsync.store.cache import CACHE_FILE
from litsync.store.run_notes import NOTES_FILE
from litsync.store.schedule import STATE_FILE

TEMPLATES_DIR = Path("templates")


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
        return self.root / settings.output

    def committed(self, settings: Settings) -> list[Path]:
        """The files litsync writes that belong in git, relative to the root."""
        exports = [export.file for export in chosen(settings)]
        return [CACHE_FILE, Path(self.relative(self.output(settings))), *exports]

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
