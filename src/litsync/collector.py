"""When Python's cyclic garbage collector runs during a litsync run.

A run builds hundreds of thousands of small objects that live until it ends: YAML nodes,
cached records, the document's view, export entries. The collector frees none of them,
yet walks them every time it runs: with Python's default thresholds, a third of the
time taken to parse a catalogue of 10,000 papers. So it runs rarely (`configure`), and
not at all while a catalogue or cache is loaded or the files are rendered (`paused`):
even rarely, it took a tenth of the time of a render of 10,000 papers, in four
collections. Fetching keeps it: parsers of arXiv's responses leave cycles behind, one
batch after another.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

THRESHOLD = 100_000  # allocations between collections; Python's default is 700


def configure() -> None:
    """Collect rarely for the rest of the run."""
    gc.set_threshold(THRESHOLD)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collection inside the block (or the function it decorates), for work whose
    objects all outlive it; the collector is left as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
