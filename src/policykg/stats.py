"""Counts over a built graph: per class, per property, and the most mentioned entities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from policykg.export import format_for
from policykg.vocab import POL, RDF, RDFS

__all__ = ["GraphStats", "read_graph", "to_stats"]


@dataclass
class GraphStats:
    """Counts of a graph: entities per class, triples per property, top entities by letters."""

    classes: Counter[str]
    properties: Counter[str]
    top_entities: list[tuple[str, str, int]]  # (class, label, number of letters)
    triples: int


def read_graph(path: Path) -> Graph:
    """Read a dump (any supported format) into one merged graph."""
    fmt = {"Turtle": "turtle", "TriG": "trig", "N-Quads": "nquads", "JSON-LD": "json-ld"}[format_for(path).name]
    if fmt in ("trig", "nquads", "json-ld"):
        ds = Dataset()
        ds.parse(path, format=fmt)
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    g = Graph()
    g.parse(path, format=fmt)
    return g


def _local(iri: URIRef) -> str:
    text = str(iri)
    return "pol:" + text[len(str(POL)) :] if text.startswith(str(POL)) else text


def to_stats(g: Graph, *, top: int = 10) -> GraphStats:
    """Compute the counts of a graph."""
    classes = Counter(_local(o) for o in g.objects(None, RDF.type) if isinstance(o, URIRef))
    properties = Counter(_local(p) for p in g.predicates() if isinstance(p, URIRef))
    ranked = []
    for s in set(g.subjects(POL.mentionedIn, None)):
        label = next((str(lab) for lab in g.objects(s, RDFS.label) if getattr(lab, "language", None) == "zh"), str(s))
        cls = next((_local(c) for c in g.objects(s, RDF.type) if isinstance(c, URIRef)), "?")
        ranked.append((cls, label, len(set(g.objects(s, POL.mentionedIn)))))
    ranked.sort(key=lambda r: (-r[2], r[0], r[1]))
    return GraphStats(classes=classes, properties=properties, top_entities=ranked[:top], triples=len(g))
