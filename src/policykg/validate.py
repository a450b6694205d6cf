"""Graph → ValidationReport: the SHACL shapes, then integrity checks over the whole graph.

The checks, each named in the report:

- ``shacl``: the graph conforms to ``ontology/shapes.ttl`` (pyshacl, with the ontology);
- ``labels``: every named entity has a non-empty ``rdfs:label``;
- ``evidence``: every relation read from a letter is reified as an ``rdf:Statement``
  derived from a ``pol:Sentence`` that has its text and position, and every mention quotes
  the letter and says where;
- ``dangling``: every ``id:`` IRI used as an object is described in the graph (is the
  subject of a triple), and every ``pol:`` term used is declared in the ontology;
- ``disjoint``: no node is of two classes the ontology declares disjoint (subclasses
  included);
- ``privacy``: no literal holds a telephone number, e-mail address or ID-card number;
  a contact's ``schema:telephone`` is accepted only with ``keep_contacts``.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from policykg.errors import StoreError
from policykg.export import format_for
from policykg.resources import ontology_files
from policykg.store import LetterStore
from policykg.vocab import DCTERMS, ID, OA, POL, PROV, RDF, RDFS, SCHEMA

__all__ = ["CHECKS", "Problem", "ValidationReport", "read_triples", "validate_triples"]

CHECKS = {
    "shacl": "conforms to the SHACL shapes (ontology/shapes.ttl)",
    "labels": "every entity has a label",
    "evidence": "every extracted statement has evidence",
    "dangling": "no dangling IRIs, no undeclared pol: terms",
    "disjoint": "no node in two classes that exclude each other",
    "privacy": "no telephone number, e-mail address or ID-card number in a literal",
}

# Documents and evidence, not named entities.
_NOT_ENTITIES = {POL.Proposal, POL.Reply, POL.Sentence, POL.Mention}
# Links that the letter's frame or the evidence model gives; every other relation is read from a sentence.
_STRUCTURAL = {POL.respondsTo, POL.mentionedIn, POL.inSentence}


# What a reader would take for personal data: mainland mobiles, landlines with their area code
# (as polsh:NoPhoneNumber), e-mail addresses, 18-character ID-card numbers. Not every run of
# digits: "2022-20222149" in a file name is a year and a proposal number.
_PERSONAL = re.compile(
    r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)|(?<!\d)0\d{2,3}[-)） ]?\d{7,8}(?!\d)|(?<!\d)\d{17}[\dXx](?!\d)"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
_FULL_WIDTH_DIGITS = {0xFF10 + i: 0x30 + i for i in range(10)}


@dataclass(frozen=True)
class Problem:
    """One thing wrong: which check found it, on which node, and what."""

    check: str
    focus: str
    message: str


@dataclass
class ValidationReport:
    """The outcome of every check, and the problems found."""

    triples: int
    letters: int
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        """True when no check found a problem."""
        return not self.problems

    def of(self, check: str) -> list[Problem]:
        """The problems one check found."""
        return [p for p in self.problems if p.check == check]


def read_triples(source: Path | LetterStore) -> list[ox.Triple]:
    """The distinct triples of a dump file (any supported format, all graphs merged), or of
    every letter graph in a store (without the ontology graph).

    Raises:
        StoreError: the file cannot be read or parsed.
        OutputFormatError: the file's extension names no RDF format.
    """
    if isinstance(source, LetterStore):
        return sorted({q.triple for q in source.quads()}, key=str)
    fmt = format_for(source)
    try:
        return sorted({q.triple for q in ox.parse(path=str(source), format=fmt)}, key=str)
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"{source}: cannot read graph ({exc})") from exc


def validate_triples(triples: Iterable[ox.Triple], *, keep_contacts: bool = False, shacl: bool = True) -> ValidationReport:
    """Run every check (SHACL unless ``shacl=False``) on a graph's triples."""
    started = time.perf_counter()
    items = list(triples)
    data = Graph()
    if items:
        nt = ox.serialize(items, format=ox.RdfFormat.N_TRIPLES)
        assert nt is not None
        data.parse(data=nt.decode("utf-8"), format="nt")
    ontology, shapes = _ontology()
    report = ValidationReport(triples=len(data), letters=len(set(data.subjects(RDF.type, POL.Reply))))
    if shacl:
        report.problems += _shacl(data, ontology, shapes)
    report.problems += _labels(data, ontology)
    report.problems += _evidence(data, ontology)
    report.problems += _dangling(data, ontology)
    report.problems += _disjoint(data, ontology)
    report.problems += _privacy(data, keep_contacts)
    report.seconds = time.perf_counter() - started
    return report


@cache
def _ontology() -> tuple[Graph, Graph]:
    files = {p.name: p for p in ontology_files()}
    return Graph().parse(files["policykg.ttl"]), Graph().parse(files["shapes.ttl"])


def _shacl(data: Graph, ontology: Graph, shapes: Graph) -> Iterator[Problem]:
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)
    if conforms:
        return
    assert isinstance(results, Graph)
    polsh = dict(shapes.namespaces()).get("polsh")
    for result in sorted(results.subjects(RDF.type, SH.ValidationResult), key=str):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        rule = results.value(result, SH.sourceConstraint) or results.value(result, SH.sourceShape)
        rule_name = "shape" if not isinstance(rule, URIRef) else str(rule)
        if polsh and rule_name.startswith(str(polsh)):
            rule_name = "polsh:" + rule_name[len(str(polsh)):]
        on = f" ({_short(path)})" if isinstance(path, URIRef) else ""
        yield Problem("shacl", str(focus), f"{rule_name}{on}: {message}")


def _classes(ontology: Graph) -> dict[Node, set[Node]]:
    """Each ontology class with itself and all its superclasses."""
    supers: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        supers[sub].add(sup)
    closure: dict[Node, set[Node]] = {}
    for cls in set(ontology.subjects(RDF.type, OWL.Class)) | set(supers):
        seen, todo = {cls}, [cls]
        while todo:
            for sup in supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        closure[cls] = seen
    return closure


def _entity_classes(ontology: Graph) -> set[Node]:
    return {c for c in ontology.subjects(RDF.type, OWL.Class) if _is_pol(c)} - _NOT_ENTITIES


def _labels(data: Graph, ontology: Graph) -> Iterator[Problem]:
    entity_classes = _entity_classes(ontology)
    entities = {s for s, c in data.subject_objects(RDF.type) if c in entity_classes}
    for entity in sorted(entities, key=str):
        if not any(isinstance(label, Literal) and str(label).strip() for label in data.objects(entity, RDFS.label)):
            yield Problem("labels", str(entity), "an entity without a label (rdfs:label)")


def _evidence(data: Graph, ontology: Graph) -> Iterator[Problem]:
    sentences = {s for s in data.subjects(RDF.type, POL.Sentence)
                 if any(str(v).strip() for v in data.objects(s, RDF.value)) and data.value(s, OA.hasSelector) is not None}
    reified: set[tuple[Node, Node, Node]] = set()
    for st in sorted(data.subjects(RDF.type, RDF.Statement), key=str):
        triple = (data.value(st, RDF.subject), data.value(st, RDF.predicate), data.value(st, RDF.object))
        if not any(src in sentences for src in data.objects(st, PROV.wasDerivedFrom)):
            yield Problem("evidence", str(st), "a statement not derived from a sentence with its text and position")
        if None not in triple:
            reified.add(triple)  # type: ignore[arg-type]
    relations = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if _is_pol(p)} - _STRUCTURAL
    for s, p, o in sorted(data, key=str):
        if (p in relations or (p == DCTERMS.creator and (s, RDF.type, POL.Reply) in data)) and (s, p, o) not in reified:
            yield Problem("evidence", str(s), f"{_short(p)} {_short(o)} is stated without evidence (no rdf:Statement)")
    for mention in sorted(data.subjects(RDF.type, POL.Mention), key=str):
        target = data.value(mention, OA.hasTarget)
        kinds = {data.value(sel, RDF.type) for sel in data.objects(target, OA.hasSelector)} if target is not None else set()
        if not {OA.TextQuoteSelector, OA.TextPositionSelector} <= kinds:
            yield Problem("evidence", str(mention), "a mention without its quote and position in the letter")


def _dangling(data: Graph, ontology: Graph) -> Iterator[Problem]:
    described = set(data.subjects())
    for s, p, o in sorted(data, key=str):
        if p != RDF.type and isinstance(o, URIRef) and o.startswith(str(ID)) and o not in described:
            yield Problem("dangling", str(o), f"used as object of {_short(p)} (by {_short(s)}) but never described")
    declared = set(ontology.subjects())
    used = {p for p in data.predicates() if _is_pol(p)} | {c for c in data.objects(None, RDF.type) if _is_pol(c)}
    for term in sorted(used - declared, key=str):
        yield Problem("dangling", str(term), "a pol: term the ontology does not declare")


def _disjoint(data: Graph, ontology: Graph) -> Iterator[Problem]:
    groups: list[set[Node]] = []
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = ontology.value(axiom, OWL.members)
        if isinstance(members, BNode):
            groups.append(set(Collection(ontology, members)))
    groups += [{a, b} for a, b in ontology.subject_objects(OWL.disjointWith)]
    closure = _classes(ontology)
    types: dict[Node, set[Node]] = defaultdict(set)
    for s, c in data.subject_objects(RDF.type):
        types[s].add(c)
    for node in sorted(types, key=str):
        if len(types[node]) < 2:
            continue
        for group in groups:
            hits = sorted({_short(t) for t in types[node] if closure.get(t, {t}) & group}, key=str)
            if len(hits) > 1:
                yield Problem("disjoint", str(node), f"of classes that exclude each other: {', '.join(hits)}")


def _privacy(data: Graph, keep_contacts: bool) -> Iterator[Problem]:
    for s, p, o in sorted(data, key=str):
        if not isinstance(o, Literal):
            continue
        if p == SCHEMA.telephone:
            if not keep_contacts:
                yield Problem("privacy", str(s), "a contact's telephone number is kept (a build with --keep-contacts); "
                                                 "validate with --keep-contacts to accept it")
            elif (s, RDF.type, POL.Reply) not in data:
                yield Problem("privacy", str(s), "schema:telephone on a node that is not a pol:Reply")
        elif _PERSONAL.search(str(o).translate(_FULL_WIDTH_DIGITS)):
            yield Problem("privacy", str(s), f"{_short(p)} holds a telephone number, e-mail address or ID-card number")


def _is_pol(term: Node) -> bool:
    return isinstance(term, URIRef) and term.startswith(str(POL))


def _short(term: Node | None) -> str:
    text = str(term)
    for prefix, ns in (("pol:", POL), ("id:", ID), ("schema:", SCHEMA), ("dcterms:", DCTERMS), ("rdfs:", RDFS)):
        if text.startswith(str(ns)):
            return prefix + text[len(str(ns)):]
    return text
