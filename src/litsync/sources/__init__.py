"""Where a paper's metadata comes from.

Each source turns a catalogue entry into a `Paper` (paper.py): arXiv's cached records
(arxiv_papers.py, fetched by arxiv_api.py and arxiv_rss.py) and the maintainer's own
manual entries (manual.py). registry.py says which source serves which entry; the
document and the exports read only Papers, so a new source is a module here and a line
in the registry.
"""
