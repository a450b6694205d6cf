"""Namespaces used by policykg. No IRI strings live anywhere else."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "DCTERMS",
    "ID",
    "OA",
    "ORG",
    "OWL",
    "POL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "XSD",
]

POL = Namespace("https://w3id.org/policykg/ontology#")
ID = Namespace("https://w3id.org/policykg/id/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES: dict[str, object] = {
    "pol": POL,
    "id": ID,
    "oa": OA,
    "org": ORG,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "prov": PROV,
    "skos": SKOS,
    "rdfs": RDFS,
    "xsd": XSD,
}
