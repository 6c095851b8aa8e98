"""What litsync's results depend on besides a project's own files: litsync's code and
templates, Python, and the libraries whose work ends up in the generated text.

The memos in ``.litsync/`` are keyed on it, so that a change to any of these, an upgrade
or a developer's edit, discards them.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

import jinja2
import pylatexenc
import yaml

from litsync import __version__

PACKAGE = Path(__file__).parent


@functools.cache
def code() -> str:
    """A hash of litsync's modules and templates and of the versions around them."""
    digest = hashlib.sha256()
    for version in (__version__, sys.version, yaml.__version__, jinja2.__version__,
                    pylatexenc.__version__):  # fmt: skip
        digest.update(version.encode() + b"\0")
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".j2"):
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
