"""Counts over a built graph, and the report on entity resolution.

Per class: entities; per property: triples; the entities mentioned in most letters; how many
surface forms were merged into how many entities; and near-duplicates that were *not* merged
(same class, one label inside the other, or one edit apart) for a human to review.
Works on a dump file (read into an in-memory Oxigraph store) or on a store folder.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import StoreError
from policykg.export import format_for
from policykg.store import LetterStore
from policykg.vocab import POL

__all__ = ["GraphStats", "near_duplicates", "open_dump", "to_stats"]

_PREFIXES = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@dataclass
class GraphStats:
    """Counts of a graph and the resolution report."""

    classes: dict[str, int]
    properties: dict[str, int]
    top_entities: list[tuple[str, str, int]]  # (class, label, number of letters)
    triples: int
    merges: list[tuple[str, int, int]] = field(default_factory=list)  # (class, surface forms, entities)
    near_duplicates: list[tuple[str, str, str, str]] = field(default_factory=list)  # (class, label, label, why)
    # (class, label, confidence, rule): entities whose best mention is least sure, lowest first
    low_confidence: list[tuple[str, str, float, str]] = field(default_factory=list)


def open_dump(path: Path) -> LetterStore:
    """Read a dump (any supported format) into an in-memory store."""
    fmt = format_for(path)
    store = LetterStore(None)
    try:
        store.ox.load(path=str(path), format=fmt)
        store.ox.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")  # the default graph is the union
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"{path}: cannot read graph ({exc})") from exc
    return store


def _local(iri: str) -> str:
    return "pol:" + iri[len(str(POL)) :] if iri.startswith(str(POL)) else iri


def _rows(store: LetterStore, query: str) -> list[list[str]]:
    answer = store.ox.query(_PREFIXES + query)
    assert isinstance(answer, ox.QuerySolutions)
    return [[t.value if t is not None else "" for t in row] for row in answer]


def _edit_distance_one(a: str, b: str) -> bool:
    """Whether two different strings are one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def near_duplicates(labels: dict[str, str], linked: set[frozenset[str]] | None = None) -> list[tuple[str, str, str]]:
    """Pairs of entities (by IRI → label) whose labels are one inside the other or one edit apart.

    Pairs in ``linked`` (e.g. a renamed body and its successor) are left out.

    >>> near_duplicates({"a": "广州市财政局", "b": "广州市财政厅", "c": "财政局"})
    [('广州市财政厅', '广州市财政局', 'one edit apart'), ('广州市财政局', '财政局', 'one inside the other')]
    """
    linked = linked or set()
    by_label: dict[str, list[str]] = defaultdict(list)
    for iri, label in labels.items():
        by_label[label].append(iri)
    names = sorted(by_label)
    found: set[tuple[str, str, str]] = set()
    # one inside the other: every substring of a label that is itself a label (at least 3 characters)
    for name in names:
        for i in range(len(name)):
            for j in range(i + 3, len(name) + 1):
                part = name[i:j]
                if part != name and part in by_label:
                    found.add((*sorted((name, part), key=lambda s: (-len(s), s)), "one inside the other"))  # type: ignore[arg-type]
    # one edit apart: index every label by its one-character deletions
    deletions: dict[str, set[str]] = defaultdict(set)
    for name in names:
        deletions[name].add(name)
        for i in range(len(name)):
            deletions[name[:i] + name[i + 1 :]].add(name)
    for group in deletions.values():
        for a in group:
            for b in group:
                if a < b and _edit_distance_one(a, b):
                    found.add((a, b, "one edit apart"))
    out, seen = [], set()
    for a, b, why in sorted(found, key=lambda f: (f[2] != "one edit apart", f)):
        pair = frozenset((a, b))
        pairs = [(x, y) for x in by_label[a] for y in by_label[b]]
        if pair not in seen and any(frozenset(p) not in linked for p in pairs):
            seen.add(pair)
            out.append((a, b, why))
    return sorted(out)


def to_stats(store: LetterStore, *, top: int = 10) -> GraphStats:
    """Compute the counts and the resolution report of the letters in a store."""
    def in_letters(pattern: str) -> str:  # a pattern over the letters' graphs only (not the ontology)
        if store.letter_graphs():
            return f"GRAPH ?g {{ {pattern} }} FILTER(STRSTARTS(STR(?g), \"https://w3id.org/policykg/id/letter/\"))"
        return pattern

    by_class = f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {in_letters('?s a ?c')} }} GROUP BY ?c"
    by_property = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {in_letters('?s ?p ?o')} }} GROUP BY ?p"
    classes = {_local(c): int(n) for c, n in _rows(store, by_class)}
    properties = {_local(p): int(n) for p, n in _rows(store, by_property)}
    triples = sum(properties.values())
    ranked = [(_local(c), label, int(n)) for c, label, n in _rows(store, """
        SELECT ?c ?label (COUNT(DISTINCT ?r) AS ?n) WHERE {
          ?s pol:mentionedIn ?r ; a ?c ; rdfs:label ?label . FILTER(LANG(?label) = "zh")
        } GROUP BY ?s ?c ?label""")]
    ranked.sort(key=lambda r: (-r[2], r[0], r[1]))
    forms: dict[str, set[str]] = defaultdict(set)
    entities: dict[str, dict[str, str]] = defaultdict(dict)
    for c, s, label, kind in _rows(store, """
        SELECT DISTINCT ?c ?s ?name ?kind WHERE {
          ?s pol:mentionedIn ?r ; a ?c .
          { ?s rdfs:label ?name BIND("label" AS ?kind) } UNION { ?s skos:altLabel ?name BIND("alt" AS ?kind) }
          FILTER(LANG(?name) = "zh")
        }"""):
        forms[_local(c)].add(label)
        if kind == "label":
            entities[_local(c)][s] = label
    merges = sorted((c, len(forms[c]), len(entities[c])) for c in entities)
    linked = {frozenset((a, b)) for a, b in _rows(store, "SELECT ?a ?b WHERE { ?a dcterms:isReplacedBy ?b }")}
    dupes = [(c, a, b, why) for c in sorted(entities) for a, b, why in near_duplicates(entities[c], linked)]
    return GraphStats(classes, properties, ranked[:top], triples, merges, dupes, _low_confidence(store, top))


def _low_confidence(store: LetterStore, top: int) -> list[tuple[str, str, float, str]]:
    """The entities whose surest mention has the lowest pol:confidence, with the rule of that mention."""
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for c, label, conf, rule in _rows(store, """
        SELECT ?c ?label ?conf ?rule WHERE {
          ?m a pol:Mention ; oa:hasBody ?s ; pol:confidence ?conf ; prov:wasGeneratedBy ?rule .
          ?s a ?c ; rdfs:label ?label . FILTER(LANG(?label) = "zh")
        }"""):
        key, value = (_local(c), label), (float(conf), _local(rule))
        if key not in best or value > best[key]:
            best[key] = value
    ranked = sorted(((c, label, conf, rule) for (c, label), (conf, rule) in best.items()), key=lambda r: (r[2], r[0], r[1]))
    return ranked[:top]
