"""Entities + relations → RDF: one named graph per letter, every statement with its evidence.

Evidence model (W3C Web Annotation + PROV):
each sentence used as evidence is a ``pol:Sentence`` (an ``oa:SpecificResource`` of the
reply) with its text and a ``oa:TextPositionSelector``; each entity mention is a
``pol:Mention`` (an ``oa:Annotation``) whose body is the entity and whose target selects the
exact characters; each relation is an ``rdf:Statement`` ``prov:wasDerivedFrom`` its sentence.
Phone numbers, e-mail addresses and ID numbers are masked in every literal.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from policykg.english import english_name, pinyin_name
from policykg.extract import Extraction
from policykg.resolve import Resolution, mint_iri, renamed_to
from policykg.text import Sentence, redact
from policykg.vocab import DCTERMS, ID, OA, POL, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

__all__ = ["Triple", "letter_graph_iri", "letter_triples", "new_dataset"]

Triple = tuple[Node, Node, Node]


def letter_graph_iri(key: str) -> URIRef:
    """The named graph that holds one letter's statements."""
    return ID[f"letter/{key}"]


def new_dataset() -> Dataset:
    """An empty dataset with the project's prefixes bound."""
    from policykg.vocab import PREFIXES

    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds


# Terms used for every mention and sentence, looked up once (rdflib namespace lookups are slow).
_oa_SpecificResource = OA.SpecificResource
_oa_TextPositionSelector = OA.TextPositionSelector
_oa_TextQuoteSelector = OA.TextQuoteSelector
_oa_end = OA.end
_oa_exact = OA.exact
_oa_hasBody = OA.hasBody
_oa_hasSelector = OA.hasSelector
_oa_hasSource = OA.hasSource
_oa_hasTarget = OA.hasTarget
_oa_prefix = OA.prefix
_oa_start = OA.start
_oa_suffix = OA.suffix
_pol_Mention = POL.Mention
_pol_Sentence = POL.Sentence
_pol_inSentence = POL.inSentence
_prov_wasDerivedFrom = PROV.wasDerivedFrom
_prov_wasGeneratedBy = PROV.wasGeneratedBy
_pol_confidence = POL.confidence
_rdf_Statement = RDF.Statement
_rdf_object = RDF.object
_rdf_predicate = RDF.predicate
_rdf_subject = RDF.subject
_rdf_type = RDF.type
_rdf_value = RDF.value


_FRAME_RULE = ("letter-frame", 0.9)


def rule_iri(rule: str) -> URIRef:
    """The ontology's individual for an extraction rule named ``rule`` (``firm-suffix`` → pol:FirmSuffixRule).

    >>> str(rule_iri("firm-suffix"))
    'https://w3id.org/policykg/ontology#FirmSuffixRule'
    """
    return POL["".join(part.capitalize() for part in rule.split("-")) + "Rule"]


class _LetterWriter:
    def __init__(self, g: set[Triple], ex: Extraction, res: Resolution) -> None:
        self.g = g
        self.ex = ex
        self.res = res
        self.base = f"letter/{ex.letter.key}"
        self.reply = ID[f"reply/{ex.letter.key}"]
        self.text = ex.letter.text

    def sentence(self, s: Sentence) -> URIRef:
        node = ID[f"{self.base}/s{s.index}"]
        if (node, _rdf_type, _pol_Sentence) not in self.g:
            sel = ID[f"{self.base}/s{s.index}/position"]
            self.g.add((node, _rdf_type, _pol_Sentence))
            self.g.add((node, _oa_hasSource, self.reply))
            self.g.add((node, _rdf_value, Literal(redact(self.text[s.start : s.end]), lang="zh")))
            self.g.add((node, _oa_hasSelector, sel))
            self.g.add((sel, _rdf_type, _oa_TextPositionSelector))
            self.g.add((sel, _oa_start, Literal(s.start)))
            self.g.add((sel, _oa_end, Literal(s.end)))
        return node

    def _provenance(self, node: URIRef, rule: tuple[str, float]) -> None:
        self.g.add((node, _prov_wasGeneratedBy, rule_iri(rule[0])))
        # at most 0.99: an integral xsd:decimal (1) is written 1.0 by Turtle and 1 by N-Triples
        self.g.add((node, _pol_confidence, Literal(Decimal(str(min(0.99, round(rule[1], 2)))))))

    def mention(self, entity: URIRef, start: int, end: int, rule: tuple[str, float] = _FRAME_RULE) -> None:
        mid = f"{self.base}/m{start}-{end}-{hashlib.sha1(str(entity).encode()).hexdigest()[:8]}"
        node, target = ID[mid], ID[f"{mid}/target"]
        quote, pos = ID[f"{mid}/quote"], ID[f"{mid}/position"]
        g = self.g
        if (node, _rdf_type, _pol_Mention) not in g:
            self._provenance(node, rule)
        g.add((node, _rdf_type, _pol_Mention))
        g.add((node, _oa_hasBody, entity))
        g.add((node, _pol_inSentence, self.sentence(self.ex.sentence_of(start))))
        g.add((node, _oa_hasTarget, target))
        g.add((target, _rdf_type, _oa_SpecificResource))
        g.add((target, _oa_hasSource, self.reply))
        g.add((target, _oa_hasSelector, quote))
        g.add((target, _oa_hasSelector, pos))
        g.add((quote, _rdf_type, _oa_TextQuoteSelector))
        g.add((quote, _oa_exact, Literal(redact(self.text[start:end]))))
        g.add((quote, _oa_prefix, Literal(redact(self.text[max(0, start - 12) : start]))))
        g.add((quote, _oa_suffix, Literal(redact(self.text[end : end + 12]))))
        g.add((pos, _rdf_type, _oa_TextPositionSelector))
        g.add((pos, _oa_start, Literal(start)))
        g.add((pos, _oa_end, Literal(end)))

    def statement(
        self, s: URIRef, p: URIRef, o: URIRef, offset: int | None, rule: tuple[str, float] = _FRAME_RULE
    ) -> None:
        self.g.add((s, p, o))
        if offset is None:
            return
        digest = hashlib.sha1(f"{s}|{p}|{o}|{offset}".encode()).hexdigest()[:12]
        node = ID[f"{self.base}/st{digest}"]
        if (node, _rdf_type, _rdf_Statement) not in self.g:
            self._provenance(node, rule)
        self.g.add((node, _rdf_type, _rdf_Statement))
        self.g.add((node, _rdf_subject, s))
        self.g.add((node, _rdf_predicate, p))
        self.g.add((node, _rdf_object, o))
        self.g.add((node, _prov_wasDerivedFrom, self.sentence(self.ex.sentence_of(offset))))


def letter_triples(ex: Extraction, res: Resolution, *, keep_contacts: bool = False) -> tuple[URIRef, set[Triple]]:
    """One letter's statements and the IRI of the named graph that holds them.

    The contact person's telephone number (``schema:telephone`` of the reply) is the one
    number left unmasked, and only with ``keep_contacts``.
    """
    gid = letter_graph_iri(ex.letter.key)
    g: set[Triple] = set()
    w = _LetterWriter(g, ex, res)
    md = ex.metadata
    reply, proposal = w.reply, res.proposal
    assert proposal is not None
    g.add((reply, RDF.type, POL.Reply))
    g.add((reply, DCTERMS.source, Literal(ex.letter.source)))
    g.add((reply, POL.respondsTo, proposal))
    g.add((proposal, RDF.type, POL.Proposal))
    if md.date is not None:
        g.add((reply, DCTERMS.date, Literal(md.date.isoformat(), datatype=XSD.date)))
    if md.year is not None:
        g.add((reply, POL.year, Literal(md.year)))
    if md.document_number:
        g.add((reply, POL.documentNumber, Literal(md.document_number.value)))
    if md.contact_person:
        g.add((reply, POL.contactPerson, Literal(md.contact_person.value)))
        if keep_contacts and md.contact_phone:
            g.add((reply, SCHEMA.telephone, Literal(md.contact_phone.value)))
    if md.proposal_number:
        g.add((proposal, DCTERMS.identifier, Literal(md.proposal_number.value)))
    if md.proposal_title:
        g.add((proposal, DCTERMS.title, Literal(redact(md.proposal_title.value), lang="zh")))
    if res.replying is not None:
        # the evidence: where the body is named, or else the document number it was read from
        offset = md.replying.start if md.replying else md.document_number.start if md.document_number else None
        w.statement(reply, DCTERMS.creator, res.replying.iri, offset)
        # a co-handler's opinion (会办意见) is written by a co-handler to the lead handler
        handles = POL.coHandler if res.lead is not None else POL.leadHandler
        w.statement(proposal, handles, res.replying.iri, offset)
        if md.replying is not None:
            w.mention(res.replying.iri, md.replying.start, md.replying.end)
    if res.lead is not None and md.lead_handler is not None:
        w.statement(proposal, POL.leadHandler, res.lead.iri, md.lead_handler.start)
        w.mention(res.lead.iri, md.lead_handler.start, md.lead_handler.end)
    for ent, (start, end) in res.proposers:
        w.statement(proposal, POL.proposedBy, ent.iri, start)
        w.mention(ent.iri, start, end)
    for ent, (start, _end) in res.co_handlers:
        if res.replying is not None and ent.iri == res.replying.iri:
            continue
        w.statement(proposal, POL.coHandler, ent.iri, start)
    for m, ent in res.of_mention.items():
        rule = (m.rule, m.score) if m.rule else _FRAME_RULE
        w.mention(ent.iri, m.start, m.end, rule)
        if m.kind == "Regulation":
            w.statement(reply, POL.cites, ent.iri, m.start, rule)
    for r in ex.relations:
        s, o = res.of_mention.get(r.subject), res.of_mention.get(r.object)
        if s is not None and o is not None and s.iri != o.iri:
            offset = r.evidence if r.evidence is not None else r.subject.start
            w.statement(s.iri, POL[r.predicate], o.iri, offset, (r.rule, r.score) if r.rule else _FRAME_RULE)
    involved = {e.iri: e for e in res.entities.values()}
    for ent, _ in (*res.proposers, *res.co_handlers):
        involved[ent.iri] = ent
    for ent in involved.values():
        g.add((ent.iri, RDF.type, POL[ent.kind]))
        if ent.kind == "Agency":
            _agency_labels(g, ent.iri, ent.label)
        else:
            g.add((ent.iri, RDFS.label, Literal(ent.label, lang="zh")))
        for alt in sorted(ent.alt_labels - {ent.label}):
            g.add((ent.iri, SKOS.altLabel, Literal(alt, lang="zh")))
        if ent.jurisdiction:
            g.add((ent.iri, POL.jurisdiction, Literal(ent.jurisdiction, lang="zh")))
        g.add((ent.iri, POL.mentionedIn, reply))
        successor = renamed_to(ent.label) if ent.kind == "Agency" else None
        if successor is not None:
            new = mint_iri("Agency", successor)
            # The successor is named (labels) but not typed here: this letter does not mention it, and
            # a letter's graph types only what the letter mentions; letters that do mention it type it.
            g.add((ent.iri, DCTERMS.isReplacedBy, new))
            g.add((new, DCTERMS.replaces, ent.iri))
            _agency_labels(g, new, successor)
    return gid, g


def _agency_labels(g: set[Triple], iri: URIRef, name: str) -> None:
    g.add((iri, RDFS.label, Literal(name, lang="zh")))
    g.add((iri, RDFS.label, Literal(english_name(name), lang="en")))
    g.add((iri, RDFS.label, Literal(pinyin_name(name), lang="zh-Latn-pinyin")))
