"""Fast N-Triples text for rdflib terms: the hand-off format between stages and stores.

rdflib's serializers build a whole graph first; the build only needs one line per triple, so
this writes them directly (sorted, so the same triples always give the same bytes).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from policykg.vocab import XSD

__all__ = ["term", "to_ntriples"]

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


def to_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """Sorted N-Triples lines, one per distinct triple."""
    lines = {f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples}
    return "".join(sorted(lines))
