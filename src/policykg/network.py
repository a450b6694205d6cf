"""The graph as networkx: entities and their relations, with evidence, and analytics on it.

``to_networkx`` reads a store straight through SPARQL (no rdflib graph in between) into a
``MultiDiGraph``: one node per entity (class, names, letters, mention sentences), one edge per
relation keyed by its predicate (``pol:cites``), so parallel relations between two nodes
survive, each with the sentences it was derived from. Replies and proposals are nodes too,
unless ``documents=False``; literals stay attributes. On that graph: a selection around named
entities (``to_subgraph``), centrality per class, the shortest connection between two
entities with the relation and evidence of each hop, communities, and GraphML/GEXF for Gephi.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import pyoxigraph as ox

from policykg.build import letter_graph_iri
from policykg.errors import OutputFormatError, QueryError
from policykg.export import write_atomic
from policykg.store import LetterStore
from policykg.vocab import POL, PREFIXES

__all__ = [
    "CLASSES",
    "NETWORK_FORMATS",
    "Centrality",
    "Evidence",
    "Hop",
    "Link",
    "find_entities",
    "parse_types",
    "serialize_network",
    "to_centrality",
    "to_communities",
    "to_entity",
    "to_networkx",
    "to_path",
    "to_subgraph",
    "write_network",
]

# Classes drawn as nodes, most specific first, each with the class it specialises (if drawn).
CLASSES: dict[str, str | None] = {
    "Bank": "Firm", "IndustrialPark": "IndustryCluster", "Platform": "Program", "LoanProduct": "Program",
    "Fund": "Program", "Agency": None, "Firm": None, "IndustryCluster": None, "Program": None,
    "Regulation": None, "Deputy": None, "Reply": None, "Proposal": None,
}
_DOCUMENTS = ("Reply", "Proposal")
NETWORK_FORMATS = (".graphml", ".gexf")
_Graphs = list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]  # the default graph of a query

_PREFIXES = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


class Evidence(NamedTuple):
    """A sentence of a letter (its file name) that supports a node or an edge."""

    letter: str
    text: str


class Link(NamedTuple):
    """One relation on a hop of a path: its predicate, whether it points along the path, its evidence."""

    relation: str
    forward: bool
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Hop:
    """One step of a path between two nodes, with every relation that joins them."""

    source: str
    target: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Centrality:
    """A node's place in the graph: distinct neighbours and (normalised) betweenness."""

    cls: str
    node: str
    label: str
    degree: int
    betweenness: float


def _curie(iri: str) -> str:
    """A predicate IRI in prefix:name form when a project prefix fits.

    >>> _curie("https://w3id.org/policykg/ontology#cites")
    'pol:cites'
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and prefix != "id":
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def _sentence_key(iri: str) -> tuple[str, int]:
    """Order sentences by letter and position (``…/s12`` after ``…/s9``)."""
    head, _, tail = iri.rpartition("/s")
    return (head, int(tail)) if tail.isdigit() else (iri, 0)


def _select(store: LetterStore, query: str, graphs: _Graphs | None) -> Iterable[list[str]]:
    answer = store.ox.query(_PREFIXES + query, default_graph=graphs) if graphs else store.ox.query(_PREFIXES + query)
    assert isinstance(answer, ox.QuerySolutions)
    for row in answer:
        yield [t.value if t is not None else "" for t in row]


def _letter_graphs(store: LetterStore, letters: Sequence[str]) -> _Graphs | None:
    if not letters:
        return None
    known = store.letter_graphs()
    graphs: _Graphs = []
    for name in letters:
        iri = name if name.startswith("http") else str(letter_graph_iri(name))
        if iri not in known and not name.startswith("http"):
            iri = str(letter_graph_iri(Path(name).stem))  # a file name: gz-2022-20222149-gxj.txt
        if iri not in known:
            raise QueryError(f"no letter graph {name!r} in the store")
        graphs.append(ox.NamedNode(iri))
    return graphs


def to_networkx(store: LetterStore, *, letters: Sequence[str] = (), documents: bool = True,
                mentions: bool = False) -> nx.MultiDiGraph[str]:
    """Project the store's letters (or only ``letters``: file stems or graph IRIs) onto networkx.

    Nodes carry ``cls``, ``label`` (zh), ``label_en``, ``label_pinyin``, ``alt_labels``,
    ``letters`` (file names) and ``evidence`` (the sentences that mention them). Edges are
    keyed by predicate (``pol:issuedBy``) and carry ``relation`` and ``evidence``. With
    ``documents`` replies and proposals are nodes; with ``mentions`` as well, each entity is
    also linked to the replies that mention it (``pol:mentionedIn``).

    Raises:
        QueryError: a letter is not in the store.
    """
    graphs = _letter_graphs(store, letters)
    wanted = [c for c in CLASSES if documents or c not in _DOCUMENTS]
    values = "VALUES ?c { " + " ".join(f"<{POL[c]}>" for c in wanted) + " }"
    classes: dict[str, set[str]] = defaultdict(set)
    for s, c in _select(store, f"SELECT ?s ?c WHERE {{ {values} ?s a ?c }}", graphs):
        classes[s].add(c.rsplit("#", 1)[-1])
    names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, kind, name in _select(store, f"""SELECT ?s ?kind ?name WHERE {{ {values} ?s a ?c .
        {{ ?s rdfs:label ?l BIND(IF(LANG(?l) = "zh", "zh", IF(LANG(?l) = "en", "en", "pinyin")) AS ?kind) }}
        UNION {{ ?s skos:altLabel ?l BIND("alt" AS ?kind) }}
        UNION {{ ?s dcterms:title ?l BIND("zh" AS ?kind) }} UNION {{ ?s dcterms:identifier ?l BIND("alt" AS ?kind) }}
        UNION {{ ?s dcterms:source ?l BIND("zh" AS ?kind) }}
        BIND(STR(?l) AS ?name) }}""", graphs):
        names[s][kind].append(name)
    found: dict[str, set[str]] = defaultdict(set)
    for s, src in _select(store, f"""SELECT DISTINCT ?s ?src WHERE {{ {values} ?s a ?c .
        {{ ?s pol:mentionedIn ?r . ?r dcterms:source ?src }} UNION {{ ?s dcterms:source ?src }}
        UNION {{ ?r pol:respondsTo ?s . ?r dcterms:source ?src }} }}""", graphs):
        found[s].add(src)
    said: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for s, sentence, text, src in _select(store, """SELECT DISTINCT ?s ?sentence ?text ?src WHERE {
        ?m a pol:Mention ; oa:hasBody ?s ; pol:inSentence ?sentence .
        ?sentence rdf:value ?text ; oa:hasSource ?r . ?r dcterms:source ?src }""", graphs):
        said[s].add((sentence, src, text))

    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for s in sorted(classes):
        cls = next(c for c in CLASSES if c in classes[s])
        n = names[s]
        label = min(n["zh"], default="") or min(n["alt"], default="") or s.rsplit("/", 1)[-1]
        g.add_node(s, cls=cls, label=label, label_en=min(n["en"], default=""), label_pinyin=min(n["pinyin"], default=""),
                   alt_labels=tuple(sorted(set(n["alt"]) - {label})), letters=tuple(sorted(found[s])),
                   evidence=_evidence(said[s]))
    proof: dict[tuple[str, str, str], set[tuple[str, str, str]]] = defaultdict(set)
    for s, p, o, sentence, text, src in _select(store, """SELECT DISTINCT ?s ?p ?o ?sentence ?text ?src WHERE {
        ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?sentence .
        ?sentence rdf:value ?text ; oa:hasSource ?r . ?r dcterms:source ?src }""", graphs):
        proof[(s, p, o)].add((sentence, src, text))
    edges = set()
    for s, p, o in _select(store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ {values} ?o a ?c . ?s ?p ?o .
        FILTER(?p != pol:mentionedIn && ?p != rdf:type && isIRI(?s)) }}""", graphs):
        if s in g and o in g:
            edges.add((s, p, o))
    for s, p, o in sorted(edges):
        relation = _curie(p)
        g.add_edge(s, o, key=relation, relation=relation, evidence=_evidence(proof[(s, p, o)]))
    if mentions and documents:
        reply_of = {g.nodes[r]["letters"][0]: r for r in g if g.nodes[r]["cls"] == "Reply" and g.nodes[r]["letters"]}
        for s in list(g):
            for src in g.nodes[s]["letters"] if g.nodes[s]["cls"] not in _DOCUMENTS else ():
                if src in reply_of:
                    ev = tuple(e for e in g.nodes[s]["evidence"] if e.letter == src)
                    g.add_edge(s, reply_of[src], key="pol:mentionedIn", relation="pol:mentionedIn", evidence=ev)
    return g


def _evidence(rows: Iterable[tuple[str, str, str]]) -> tuple[Evidence, ...]:
    """Distinct sentences as Evidence, in reading order (rows are sentence IRI, letter, text)."""
    return tuple(Evidence(src, text) for _, src, text in sorted(set(rows), key=lambda r: (_sentence_key(r[0]), r[2])))


def parse_types(spec: str) -> tuple[str, ...]:
    """Class names from a comma-separated list (any case); a class includes its subclasses.

    >>> parse_types("agency, Firm")
    ('Agency', 'Firm')
    """
    by_case = {c.lower(): c for c in CLASSES}
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if part.lower() not in by_case:
            raise QueryError(f"unknown class {part!r} (use {', '.join(sorted(CLASSES))})")
        out.append(by_case[part.lower()])
    return tuple(out)


def _names(data: dict[str, object]) -> list[str]:
    alt = data.get("alt_labels", ())
    assert isinstance(alt, tuple)
    return [str(data.get(k, "")) for k in ("label", "label_en", "label_pinyin")] + [str(a) for a in alt]


def find_entities(graph: nx.MultiDiGraph[str], name: str) -> list[str]:
    """Nodes named ``name`` (any label, any case, or the IRI); failing that, nodes whose names contain it."""
    key = name.strip().casefold()
    exact = sorted(n for n, d in graph.nodes(data=True) if n == name or key in (x.casefold() for x in _names(d) if x))
    if exact or not key:
        return exact
    return sorted(n for n, d in graph.nodes(data=True) if any(key in x.casefold() for x in _names(d)))


def to_entity(graph: nx.MultiDiGraph[str], name: str) -> str:
    """The one node named (or, failing that, partly named) ``name``.

    Raises:
        QueryError: no node or several nodes have that name.
    """
    found = find_entities(graph, name)
    if len(found) == 1:
        return found[0]
    if not found:
        raise QueryError(f"no entity named {name!r}")
    shown = "; ".join(f"{graph.nodes[n]['label']} ({graph.nodes[n]['cls']})" for n in found[:8])
    more = f" and {len(found) - 8} more" if len(found) > 8 else ""
    raise QueryError(f"{name!r} names {len(found)} entities: {shown}{more}; give the full name")


def to_subgraph(graph: nx.MultiDiGraph[str], *, focus: Sequence[str] = (), hops: int = 1, types: Sequence[str] = (),
                max_nodes: int | None = None) -> nx.MultiDiGraph[str]:
    """The part of the graph to look at: nodes of ``types`` (with subclasses; the focus nodes
    always), within ``hops`` of the ``focus`` nodes, at most ``max_nodes`` of them (nearest the
    focus first, then by degree).

    The result's ``graph`` dict records how many nodes ``max_nodes`` left out (``omitted``).
    """
    keep = [n for n, d in graph.nodes(data=True)
            if not types or d["cls"] in types or CLASSES.get(d["cls"]) in types or n in focus]
    sub = graph.subgraph(keep)
    distance: dict[str, int] = {}
    if focus:
        undirected = sub.to_undirected(as_view=True)
        for f in focus:
            if f in sub:
                for n, d in nx.single_source_shortest_path_length(undirected, f, cutoff=hops).items():
                    distance[n] = min(d, distance.get(n, d))
        keep = list(distance)
    omitted = 0
    if max_nodes is not None and len(keep) > max_nodes:
        degree = dict(sub.degree())
        omitted = len(keep) - max_nodes
        keep = sorted(keep, key=lambda n: (distance.get(n, 0), -degree[n], n))[:max_nodes]
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph(graph.subgraph(sorted(keep)))
    out.graph.update(graph.graph, omitted=omitted)
    return out


def _simple(graph: nx.MultiDiGraph[str]) -> nx.Graph[str]:
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    return simple


def to_centrality(graph: nx.MultiDiGraph[str], *, top: int = 10, samples: int = 500) -> list[Centrality]:
    """The ``top`` nodes of each class by betweenness (ties: degree, label), over undirected links.

    Betweenness is exact up to ``samples`` nodes and estimated from that many sources (with a
    fixed seed, so the same graph gives the same figures) above.
    """
    simple = _simple(graph)
    k = samples if simple.number_of_nodes() > samples else None
    between = nx.betweenness_centrality(simple, k=k, seed=0)
    rows: dict[str, list[Centrality]] = defaultdict(list)
    for n, d in graph.nodes(data=True):
        rows[d["cls"]].append(Centrality(d["cls"], n, d["label"], simple.degree(n), between[n]))
    out = []
    for cls in sorted(rows):
        out += sorted(rows[cls], key=lambda c: (-c.betweenness, -c.degree, c.label, c.node))[:top]
    return out


def to_path(graph: nx.MultiDiGraph[str], source: str, target: str) -> list[Hop]:
    """The shortest connection between two nodes, whatever the direction of each relation.

    Raises:
        QueryError: the two nodes are not connected.
    """
    try:
        nodes = nx.shortest_path(_simple(graph), source, target)
    except nx.NetworkXNoPath:
        a, b = graph.nodes[source]["label"], graph.nodes[target]["label"]
        raise QueryError(f"no connection between {a} and {b}") from None
    hops = []
    for u, v in itertools.pairwise(nodes):
        links = [Link(str(k), True, d["evidence"]) for k, d in sorted(_between(graph, u, v))]
        links += [Link(str(k), False, d["evidence"]) for k, d in sorted(_between(graph, v, u))]
        hops.append(Hop(u, v, tuple(links)))
    return hops


def _between(graph: nx.MultiDiGraph[str], u: str, v: str) -> list[tuple[str, dict[str, Any]]]:
    """The edges from u to v as (key, attributes)."""
    return [(str(k), d) for k, d in (graph.get_edge_data(u, v) or {}).items()]


def to_communities(graph: nx.MultiDiGraph[str]) -> dict[str, int]:
    """Louvain communities of the undirected links (fixed seed), numbered from 0 by size."""
    parts = nx.community.louvain_communities(_simple(graph), seed=0)
    ordered = sorted(parts, key=lambda c: (-len(c), min(c)))
    return {n: i for i, part in enumerate(ordered) for n in part}


def _flat(value: object) -> str | int | float:
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, tuple):
        return "\n".join(f"{v.letter}: {v.text}" if isinstance(v, Evidence) else str(v) for v in value)
    return str(value)


def serialize_network(graph: nx.MultiDiGraph[str], fmt: str) -> bytes:
    """GraphML or GEXF (``fmt`` ``.graphml`` / ``.gexf``) for Gephi and other tools; lists become lines.

    Raises:
        OutputFormatError: an unknown format.
    """
    if fmt not in NETWORK_FORMATS:
        raise OutputFormatError(f"unknown network format {fmt!r} (use {', '.join(NETWORK_FORMATS)})")
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    community = to_communities(graph)
    for n in sorted(graph):
        flat.add_node(n, **{k: _flat(v) for k, v in graph.nodes[n].items()}, community=community[n])
    edges = sorted((str(u), str(v), str(k), d) for u, v, k, d in graph.edges(keys=True, data=True))
    for i, (u, v, k, d) in enumerate(edges):
        flat.add_edge(u, v, key=f"e{i}", **{a: _flat(x) for a, x in d.items()}, label=k)
    if fmt == ".graphml":
        text = "\n".join(nx.generate_graphml(flat, named_key_ids=True))
    else:
        text = "\n".join(nx.generate_gexf(flat))
        text = re.sub(r'lastmodifieddate="[^"]*"', 'lastmodifieddate=""', text, count=1)  # same graph, same bytes
    return (text + "\n").encode("utf-8")


def write_network(graph: nx.MultiDiGraph[str], path: Path) -> None:
    """Write GraphML or GEXF (by extension), atomically."""
    write_atomic(serialize_network(graph, path.suffix.lower()), path)

