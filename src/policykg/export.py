"""RDF dumps: Turtle (all letters merged), TriG, N-Quads, JSON-LD (one named graph per letter).

Each ``serialize_*`` returns text; ``write_dump`` writes it to a temporary file beside the
target and renames it into place, so a reader never sees a half-written dump.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

from policykg.errors import OutputFormatError
from policykg.vocab import PREFIXES

__all__ = ["FORMATS", "format_for", "serialize_dump", "to_union_graph", "write_dump"]

FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}


def format_for(path: Path) -> str:
    """The rdflib format named by a file's extension.

    >>> format_for(Path("all.trig"))
    'trig'
    """
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise OutputFormatError(f"{path}: unknown output format {path.suffix!r} (use one of {known})") from None


def to_union_graph(ds: Dataset) -> Graph:
    """All letters' statements in one graph (for Turtle, which has no named graphs)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def serialize_dump(ds: Dataset, fmt: str) -> str:
    """Serialise a dataset in an rdflib format name (turtle, trig, nquads, json-ld)."""
    if fmt == "turtle":
        return to_union_graph(ds).serialize(format="turtle")
    if fmt == "nquads":
        lines = ds.serialize(format="nquads").splitlines()
        return "\n".join(sorted(line for line in lines if line.strip())) + "\n"
    return ds.serialize(format=fmt)


def write_dump(ds: Dataset, path: Path) -> None:
    """Write a dataset to ``path`` in the format its extension names, atomically."""
    text = serialize_dump(ds, format_for(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
