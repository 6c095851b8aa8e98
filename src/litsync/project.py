"""Where a project's files are, relative to the directory litsync works on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from litsync.cache import CACHE_FILE
from litsync.catalogue import CATALOGUE_FILE, Settings
from litsync.catalogue_memo import MEMO_FILE
from litsync.curation import EXPORT_FILES, chosen_exports
from litsync.export_memo import MEMO_FILE as EXPORT_MEMO
from litsync.lock import LOCK_FILE
from litsync.render import TEMPLATES_DIR
from litsync.render_memo import RENDER_MEMO
from litsync.run_notes import NOTES_FILE
from litsync.schedule import STATE_FILE


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
    def catalogue_memo(self) -> Path:
        return self.root / MEMO_FILE

    @property
    def export_memo(self) -> Path:
        return self.root / EXPORT_MEMO

    @property
    def render_memo(self) -> Path:
        return self.root / RENDER_MEMO

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
        exports = [EXPORT_FILES[name] for name in chosen_exports(settings.exports)]
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
