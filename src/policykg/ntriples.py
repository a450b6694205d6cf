"""Fast N-Triples / N-Quads text for rdflib terms: the hand-off format between stages and stores.

rdflib's serializers build a whole graph first; the build only needs one line per triple, so
this writes them directly (sorted, so the same triples always give the same bytes).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from policykg.vocab import XSD

__all__ = ["nquads", "term"]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)


def term(node: Node) -> str:
    """One term in N-Triples syntax.

    >>> term(Literal('他说"好"', lang="zh"))
    '"他说\\\\"好\\\\""@zh'
    >>> term(URIRef("https://example.org/a"))
    '<https://example.org/a>'
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = f'"{str(node).translate(_ESCAPES)}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{text}^^<{node.datatype}>"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


def nquads(triples: Iterable[tuple[Node, Node, Node]], graph: URIRef | None = None) -> str:
    """Sorted N-Quads lines (N-Triples when ``graph`` is None), one per distinct triple."""
    tail = f" <{graph}> .\n" if graph is not None else " .\n"
    lines = {f"{term(s)} {term(p)} {term(o)}{tail}" for s, p, o in triples}
    return "".join(sorted(lines))
