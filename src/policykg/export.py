"""RDF dumps: Turtle (all letters merged), TriG, N-Quads, JSON-LD (one named graph per letter).

Dumps are written by Oxigraph's serializers from sorted quads, so the same statements always
give the same bytes; ``write_dump`` writes to a temporary file beside the target and renames
it into place, so a reader never sees a half-written dump.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from policykg.errors import OutputFormatError
from policykg.vocab import PREFIXES

__all__ = ["FORMATS", "format_for", "serialize_quads", "to_union_graph", "write_atomic", "write_dump"]

FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD}


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format named by a file's extension.

    >>> format_for(Path("all.trig")).name
    'TriG'
    """
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise OutputFormatError(f"{path}: unknown output format {path.suffix!r} (use one of {known})") from None


def to_union_graph(ds: Dataset) -> Graph:
    """All of an rdflib dataset's statements in one graph."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def serialize_quads(quads: Iterable[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialize quads, sorted; formats without named graphs get the merged, distinct triples."""
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    if fmt.supports_datasets:
        items: list[ox.Quad] | list[ox.Triple] = sorted(set(quads), key=str)
    else:
        items = sorted({q.triple for q in quads}, key=str)
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        data = ox.serialize(items, format=fmt)
    else:
        data = ox.serialize(items, format=fmt, prefixes=prefixes)
    assert data is not None  # no output given: the serializer returns the bytes
    return data


def write_atomic(data: bytes, path: Path) -> None:
    """Write bytes to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a dump is as readable as any new file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dump(quads: Iterable[ox.Quad], path: Path) -> None:
    """Write quads to ``path`` in the format its extension names, atomically."""
    write_atomic(serialize_quads(quads, format_for(path)), path)
