"""The embedded Oxigraph store: one named graph per letter, replaced atomically.

A store is a folder (default ``.policykg/store``). Each letter's statements live in its own
named graph (``id:letter/<key>``); the ontology and shapes live in ``id:ontology``. The
default graph holds the union of all named graphs, kept up to date with every change, so
queries that name no graph see every letter, as with a server's union-default-graph setting,
at the speed of a plain graph (Oxigraph's query-time union is 1,000× slower here).

Building a letter again replaces its graph in one SPARQL Update, which Oxigraph applies as one
transaction: the letter's old triples leave the default graph unless another graph still has
them, the graph is dropped and the new triples go into both. An interrupted build leaves the
letter as it was. Letters new to the store are bulk-loaded in groups, each group all or
nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import QueryError, StoreError
from policykg.resources import ontology_files
from policykg.sparql import Results, Term
from policykg.vocab import ID, XSD

__all__ = ["DEFAULT_STORE", "ONTOLOGY_GRAPH", "LetterStore", "to_term"]

DEFAULT_STORE = Path(".policykg/store")
ONTOLOGY_GRAPH = str(ID["ontology"])
_LETTER_PREFIX = str(ID["letter/"])


class LetterStore:
    """A persistent (or, with ``path=None``, in-memory) Oxigraph store of letter graphs."""

    def __init__(self, path: Path | None = DEFAULT_STORE, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if path is None:
                self.ox = ox.Store()
            elif read_only:
                if not path.is_dir():
                    raise StoreError(f"{path}: no store here (build one with `policykg build ... --store {path}`)")
                self.ox = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self.ox = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"{path}: cannot open store ({exc})") from exc

    def __enter__(self) -> LetterStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and release the store (and its lock); the object is unusable afterwards."""
        if hasattr(self, "ox"):
            if self.path is not None and not self.read_only:
                self.ox.flush()
            del self.ox

    def replace_graph(self, graph: str, ntriples: str) -> None:
        """Make the named graph hold exactly these N-Triples (and keep the union), in one transaction."""
        self.ox.update(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }}"
            f" FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != <{graph}>) }} }} ;\n"
            f"DROP SILENT GRAPH <{graph}> ;\n"
            f"INSERT DATA {{\n{ntriples}GRAPH <{graph}> {{\n{ntriples}}} }}"
        )

    def add_new_graphs(self, graphs: list[tuple[str, str]]) -> None:
        """Add (graph IRI, N-Triples) of letters not yet in the store, all or nothing, in bulk.

        Oxigraph's bulk loader writes sorted files and ingests them in one step, so a build
        killed in the middle leaves none of these graphs behind (tested). Only for graphs
        that are not in the store yet: it adds, it does not replace.
        """
        if graphs:
            parts = [nt for _, nt in graphs]  # the default graph: the union
            parts += [nt.replace(" .\n", f" <{g}> .\n") for g, nt in graphs]  # each letter's own graph
            self.ox.bulk_load(input="".join(parts).encode("utf-8"), format=ox.RdfFormat.N_QUADS)

    def load_ontology(self) -> None:
        """(Re)load the ontology and shapes into their own graph."""
        triples: list[ox.Triple] = []
        skolem: dict[ox.BlankNode, ox.NamedNode] = {}

        def stable(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> ox.NamedNode | ox.Literal | ox.Triple:
            # Blank nodes (lists, restrictions) get IRIs numbered in file order, so reloading the
            # ontology leaves the store byte-for-byte the same (SPARQL INSERT would mint new ones).
            if isinstance(term, ox.BlankNode):
                return skolem.setdefault(term, ox.NamedNode(f"{ONTOLOGY_GRAPH}/.well-known/genid/{len(skolem) + 1}"))
            return term

        for path in ontology_files():
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                triples.append(ox.Triple(stable(q.subject), q.predicate, stable(q.object)))  # type: ignore[arg-type]
        self.replace_graph(ONTOLOGY_GRAPH, _bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)).decode("utf-8"))

    def letter_graphs(self) -> list[str]:
        """The IRIs of the letters' graphs, sorted."""
        graphs = (g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(g for g in graphs if g.startswith(_LETTER_PREFIX))

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        """The letters' quads (of one graph, or of every letter graph), without the ontology."""
        if graph is not None:
            return list(self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        return [q for g in self.letter_graphs() for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))]

    def query(self, sparql: str, *, timeout: float | None = None) -> Results:
        """Run a SELECT or ASK query; the default graph is the union of all graphs.

        With a timeout, the query runs in a worker thread; if it has not finished in time,
        QueryError is raised (the thread is abandoned; the CLI exits right after).
        """
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["result"] = self._query(sparql)
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc

        if timeout is None:
            return self._query(sparql)
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryError(f"query timed out after {timeout:g} s (local store)")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["result"]  # type: ignore[return-value]

    def _query(self, sparql: str) -> Results:
        try:
            answer = self.ox.query(sparql)
        except SyntaxError as exc:
            raise QueryError(f"query syntax error: {exc}") from exc
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from exc
        if isinstance(answer, ox.QueryBoolean):
            return Results(boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            columns = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                row = {}
                for c in columns:
                    value = solution[c]
                    if value is not None:
                        row[c] = to_term(value)
                rows.append(row)
            return Results(columns=columns, rows=rows)
        raise QueryError("only SELECT and ASK queries give rows; use CONSTRUCT with `policykg export` instead")

    def flush(self) -> None:
        """Write buffered changes to disk."""
        if self.path is not None and not self.read_only:
            self.ox.flush()

    def optimize(self) -> None:
        """Compact the store on disk (RocksDB's full compaction).

        Bulk loads leave many small sorted files behind; after compaction, queries that
        read across many letters run about twice as fast (bench/README.md). It takes
        about 1.5 s per million quads and changes no data.
        """
        if self.path is not None and not self.read_only:
            self.ox.optimize()


def _bytes(data: bytes | None) -> bytes:
    assert data is not None  # serializers return bytes when given no output
    return data


def to_term(node: object) -> Term:
    """An Oxigraph term as a result Term."""
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Term("literal", node.value, lang=node.language)
        datatype = node.datatype.value
        return Term("literal", node.value, datatype=None if datatype == str(XSD.string) else datatype)
    raise QueryError(f"unsupported term in results: {node!r}")
