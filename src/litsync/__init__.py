"""litsync: keep a curated literature list true to arXiv."""

__version__ = "0.1.0"
