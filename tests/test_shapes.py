"""The graph built from the shared letters conforms to ontology/shapes.ttl."""

from __future__ import annotations

import pyshacl
from rdflib import Graph

from tests.conftest import ROOT


def test_built_graph_conforms(all_graph: Graph) -> None:
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = Graph().parse(ROOT / "ontology" / "policykg.ttl")
    conforms, _, text = pyshacl.validate(all_graph, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)
    assert conforms, text
