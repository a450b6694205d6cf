"""Mentions → Entities: canonical names in the letter's jurisdiction, aliases, stable IRIs.

All IRI minting lives here. The same entity gets the same ASCII IRI in every run and every
letter, because an IRI is a hash of the entity's kind and canonical name, and the canonical
name depends only on the mention and its own letter's jurisdiction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef

from policykg.agencies import central_aliases
from policykg.extract import Extraction, Mention
from policykg.places import enclosing, places
from policykg.resources import load_table
from policykg.vocab import ID

__all__ = [
    "TOP_CLASS",
    "Entity",
    "Resolution",
    "canonical_agency",
    "canonical_firm",
    "expand",
    "mint_iri",
    "renamed_to",
    "resolve",
]

# The top class of each mention kind: one IRI space per top class.
TOP_CLASS = {
    "Agency": "Agency",
    "Deputy": "Deputy",
    "Regulation": "Regulation",
    "Program": "Program",
    "Platform": "Program",
    "Fund": "Program",
    "LoanProduct": "Program",
    "Firm": "Firm",
    "Bank": "Firm",
    "IndustryCluster": "IndustryCluster",
    "IndustrialPark": "IndustryCluster",
}


@dataclass
class Entity:
    """A real-world thing named in letters, with its canonical label and the forms seen."""

    iri: URIRef
    kind: str
    label: str
    alt_labels: set[str] = field(default_factory=set)
    jurisdiction: str | None = None


@dataclass
class Resolution:
    """The entities of one letter, and which entity each mention stands for."""

    entities: dict[URIRef, Entity] = field(default_factory=dict)
    of_mention: dict[Mention, Entity] = field(default_factory=dict)
    replying: Entity | None = None
    lead: Entity | None = None  # the lead handler, when the letter is a co-handler's opinion to it
    proposal: URIRef | None = None
    proposers: list[tuple[Entity, tuple[int, int]]] = field(default_factory=list)
    co_handlers: list[tuple[Entity, tuple[int, int]]] = field(default_factory=list)


def mint_iri(kind: str, key: str) -> URIRef:
    """The IRI for an entity of a kind with a normalised key.

    >>> str(mint_iri("Agency", "广州市财政局"))[:36]
    'https://w3id.org/policykg/id/agency/'
    """
    top = TOP_CLASS.get(kind, kind)
    slug = re.sub(r"(?<!^)(?=[A-Z])", "-", top).lower()
    return ID[f"{slug}/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"]


@cache
def _abbreviations() -> tuple[tuple[str, str], ...]:
    rows = [(r[0], r[1]) for r in load_table("abbreviations.tsv") if r[0] != r[1]]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


@cache
def _renamed() -> dict[str, str]:
    return {row[0]: row[1] for row in load_table("renamed.tsv")}


@cache
def _firm_aliases() -> dict[str, str]:
    out = {}
    for row in load_table("firms.tsv"):
        for alias in (row[1].split("|") if len(row) > 1 and row[1] else []):
            out[alias] = row[0]
    return out


def canonical_firm(name: str) -> str:
    """The registered name of a firm or bank written in a short form.

    >>> canonical_firm("建行"), canonical_firm("佛山农商银行"), canonical_firm("视源电子")
    ('中国建设银行', '佛山农村商业银行', '视源电子')
    """
    known = _firm_aliases().get(name)
    if known:
        return known
    return re.sub(r"农商(?:银行|行)$", "农村商业银行", name)


def renamed_to(name: str) -> str | None:
    """The successor of a body that was renamed or merged (广州市科技创新委员会 → 广州市科学技术局).

    >>> renamed_to("广州市科技创新委员会")
    '广州市科学技术局'
    """
    return _renamed().get(name)


def expand(rest: str) -> str:
    """Expand the standard contractions in the function part of an agency name (idempotent).

    >>> expand("发改委"), expand("发展和改革委员会"), expand("住房城乡建设局")
    ('发展和改革委员会', '发展和改革委员会', '住房和城乡建设局')
    """
    for short, full in _abbreviations():
        if full in rest:  # already the full form (发展和改革委员会 contains 发展和改革委)
            return rest
        if short in rest:
            return rest.replace(short, full, 1)
    return rest


# Democratic parties and other bodies whose names carry their own place in the middle.
_PARTY_ORGS = (
    "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟", "中国国民党革命委员会", "中国民主同盟",
    "中国民主建国会", "中国民主促进会", "中国农工民主党", "中国致公党", "台湾民主自治同盟",
)
_PLACE_INSIDE = re.compile(r"^[\u4e00-\u9fff]{1,6}?[\u4e00-\u9fff]{2}(?:省|市)(?:委员会|支部|总支|工委)")


def canonical_agency(name: str, prefix: str, jurisdiction: str | None) -> str | None:
    """The full official name of an agency written ``name`` in a letter of ``jurisdiction``.

    Returns None when the name is relative (市/区/省…) and the jurisdiction is unknown.

    >>> canonical_agency("市住房城乡建设局", "市", "广州市")
    '广州市住房和城乡建设局'
    >>> canonical_agency("区财政局", "区", "广州市番禺区")
    '广州市番禺区财政局'
    >>> canonical_agency("工信部", "", None)
    '中华人民共和国工业和信息化部'
    >>> canonical_agency("市政府", "市", "广州市白云区")
    '广州市人民政府'
    """
    central = central_aliases().get(name)
    if central:
        return central
    if name.startswith(_PARTY_ORGS) or (not prefix and _PLACE_INSIDE.search(name)):
        return name  # 民革揭阳市支部: a body whose own name carries its place
    if name.startswith("人民银行"):
        return "中国" + name
    if name.startswith(("中国", "国家")) and not prefix:
        return name  # 中国人民银行四川省分行, 国家税务总局东莞市税务局: national bodies name their own scope
    place, rest = None, name
    if prefix in ("市", "区", "省", "自治区", "县", "镇"):
        level = {"市": "city", "区": "district", "省": "province", "自治区": "province"}.get(prefix)
        place = enclosing(jurisdiction, level) if level else None
        if place is None and prefix == "市":  # a municipality (重庆市) is its own city
            province = enclosing(jurisdiction, "province")
            place = province if province and province.endswith("市") else None
        if place is None:
            return None
        rest = name[len(prefix) :]
    elif prefix:
        info = places().get(prefix)
        place, rest = (info[0] if info else prefix), name[len(prefix) :]
        sub = next((p for p in _places_starting(rest) if places()[p][2] == place), None)
        if sub:
            place, rest = places()[sub][0], rest[len(sub) :]
    elif re.search("厅$", name):
        place = enclosing(jurisdiction, "province")
    else:
        place = jurisdiction if jurisdiction and jurisdiction != "中华人民共和国" else None
    if place is None:
        return None
    if rest in ("政府", "人民政府"):
        return place + "人民政府"
    if rest.startswith("委") and not rest.startswith("委员会"):
        return f"中共{place}委员会" if rest == "委" else f"中共{place}委{expand(rest[1:])}"
    if rest.startswith("政协"):
        tail = rest[2:]
        if tail.endswith("委") and not tail.endswith("委员会"):
            tail += "员会"
        return f"中国人民政治协商会议{place}委员会{tail}"
    return place + expand(rest)


def _key(kind: str, name: str) -> str:
    return re.sub(r"[\s“”\"《》]", "", name)


def resolve(ex: Extraction) -> Resolution:
    """Resolve an extraction's mentions to entities with stable IRIs."""
    res = Resolution()
    md = ex.metadata
    text = ex.letter.text
    juris = md.jurisdiction

    def entity(kind: str, label: str, key: str, surface: str | None) -> Entity:
        iri = mint_iri(kind, key)
        ent = res.entities.get(iri)
        if ent is None:
            ent = Entity(iri, kind, label)
            res.entities[iri] = ent
        elif TOP_CLASS.get(kind) == kind and ent.kind != kind and TOP_CLASS.get(ent.kind) != ent.kind:
            pass  # keep the more specific class already seen
        elif TOP_CLASS.get(ent.kind) == ent.kind and kind != ent.kind:
            ent.kind = kind
        if surface and surface != ent.label:
            ent.alt_labels.add(surface)
        return ent

    def agency(name: str, prefix: str) -> Entity:
        prefix = prefix or _prefix_of(name)
        full = canonical_agency(name, prefix, juris)
        if full is None:  # relative name in a letter of unknown place: keep it to this letter
            label = _relative_label(name, prefix)
            return entity("Agency", label, f"{ex.letter.key}|{label}", name)
        ent = entity("Agency", full, full, name)
        ent.jurisdiction = ent.jurisdiction or _jurisdiction_of(full)
        return ent

    if md.replying is not None and not md.replying.pronoun:
        res.replying = agency(text[md.replying.start : md.replying.end], md.replying.prefix)
    elif md.replying_name:
        res.replying = agency(md.replying_name, "")
    elif md.replying is not None and text[md.replying.start : md.replying.end] in ("我区政府", "我市政府"):
        res.replying = agency(text[md.replying.start + 1 : md.replying.end], text[md.replying.start + 1])
    for m in ex.mentions:
        if m.kind == "Agency":
            if m.pronoun:
                if res.replying is not None and m.name != "贵单位":
                    res.of_mention[m] = res.replying
                continue
            res.of_mention[m] = agency(m.name, m.prefix)
        else:
            surface = text[m.start : m.end].strip("《》“”\"")
            name = canonical_firm(m.name) if TOP_CLASS.get(m.kind) == "Firm" else m.name
            res.of_mention[m] = entity(m.kind, name, _key(m.kind, name), surface)
            if name != m.name:
                res.of_mention[m].alt_labels.add(m.name)
            res.of_mention[m].alt_labels.update(a for a in m.aliases if a != m.name)
    for r in ex.relations:
        for m in (r.subject, r.object):
            if m not in res.of_mention and not m.pronoun:
                surface = text[m.start : m.end].strip("《》“”\"")
                name = canonical_firm(m.name) if TOP_CLASS.get(m.kind) == "Firm" else m.name
                res.of_mention[m] = entity(m.kind, name, _key(m.kind, name), surface)
    if md.lead_handler is not None:
        lead = md.lead_handler
        res.lead = agency(text[lead.start : lead.end], lead.prefix)
    for kind, span in md.proposers:
        if kind == "Deputy":
            ent = entity("Deputy", span.value, f"{juris or ex.letter.key}|{span.value}", None)
            ent.alt_labels.add(text[span.start : span.end])
        else:
            ent = agency(span.value, _prefix_of(span.value))
        res.proposers.append((ent, (span.start, span.end)))
    for a in md.co_handlers:
        name = text[a.start : a.end]
        res.co_handlers.append((agency(name, a.prefix or _prefix_of(name)), (a.start, a.end)))
    number = md.proposal_number.value if md.proposal_number else None
    res.proposal = mint_iri("Proposal", f"{juris}|{number}" if number else ex.letter.key)
    return res


def _relative_label(name: str, prefix: str) -> str:
    """The label of a relative name (市工信局) in a letter of unknown place: 市工业和信息化局."""
    if not prefix or not name.startswith(prefix):
        return name
    rest = name[len(prefix) :]
    if rest in ("政府", "人民政府"):
        return prefix + "人民政府"
    return name if rest.startswith("政协") else prefix + expand(rest)


@cache
def _place_order() -> dict[str, int]:
    """Each place name's position in ``places()``, and so in the scans over it."""
    return {name: k for k, name in enumerate(places())}


def _places_starting(text: str) -> list[str]:
    """The place names that begin ``text``, in the order of ``places()``: looked up by length, not
    by a scan of the thousands of places for each name."""
    order = _place_order()
    found = [text[:n] for n in range(2, min(len(text), _longest_place()) + 1) if text[:n] in order]
    return sorted(found, key=order.__getitem__)


@cache
def _longest_place() -> int:
    return max(map(len, places()), default=0)


def _prefix_of(name: str) -> str:
    for n in range(min(len(name), _longest_place()), 1, -1):  # the longest place name that begins it
        if name[:n] in places():
            return name[:n]
    for short in ("自治区", "市", "区", "省", "县"):
        if name.startswith(short) and not name.startswith("市场"):
            return short
    return ""


def _jurisdiction_of(full: str) -> str | None:
    best = None
    for name in _places_starting(full):
        canonical = places()[name][0]
        if best is None or len(canonical) > len(best):
            best = canonical
    return best
