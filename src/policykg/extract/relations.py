"""Relations the letters state, each read from one sentence (issuedBy, anchorOf, chainLeader, …)."""

from __future__ import annotations

import re

from policykg.extract.model import Extraction, Mention, Relation


def _in_sentence(ex: Extraction, offset: int, kinds: set[str]) -> list[Mention]:
    s = ex.sentence_of(offset)
    return [m for m in ex.mentions if s.start <= m.start < s.end and m.kind in kinds]


def cluster_relations(text: str, ex: Extraction) -> list[Relation]:
    """以A、B为代表的…产业集群: A and B anchor the cluster that follows in the clause."""
    out = []
    firms = [m for m in ex.mentions if m.kind in {"Firm", "Bank"}]
    clusters = [m for m in ex.mentions if m.kind in {"IndustryCluster", "IndustrialPark"}]
    for m in re.finditer("以([^为。;；]{1,60})为(?:代表|龙头)的", text):
        clause_end = re.search("[,，。;；]", text[m.end() :])
        stop = m.end() + (clause_end.start() if clause_end else len(text) - m.end())
        target = next((c for c in clusters if m.end() <= c.start < stop), None)
        if target is None:
            continue
        for f in firms:
            if m.start(1) <= f.start < m.end(1):
                out += [Relation(f, "anchorOf", target), Relation(f, "memberOf", target)]
    return out


def platform_relations(text: str, ex: Extraction) -> list[Relation]:
    """以X为龙头链主的“P平台”,带动A、B等: P's chain leader is X; P drives A and B."""
    out = []
    firms = [m for m in ex.mentions if m.kind in {"Firm", "Bank"}]
    for m in re.finditer("以([^为。;；]{1,30})为(?:龙头)?链主的", text):
        platform = next((p for p in ex.mentions if p.kind == "Platform" and m.end() <= p.start <= m.end() + 2), None)
        if platform is None:
            continue
        for f in firms:
            if m.start(1) <= f.start < m.end(1):
                out.append(Relation(platform, "chainLeader", f))
        tail = re.search("带动([^;；。]{1,80}?)等", text[platform.end : platform.end + 90])
        if tail:
            a, b = platform.end + tail.start(1), platform.end + tail.end(1)
            out += [Relation(platform, "drives", f) for f in firms if a <= f.start < b]
    return out


def issuer_relations(text: str, ex: Extraction) -> list[Relation]:
    """A、B联合印发《X》 / A印发了《X》 / A《X》: the agencies issued the regulation."""
    out = []
    agencies = [m for m in ex.mentions if m.kind == "Agency"]
    for reg in (m for m in ex.mentions if m.kind == "Regulation"):
        gap = re.search(r"(?:联合)?(?:印发|出台|制定|发布|起草|颁布|修订)?(?:了|的)?$", text[max(0, reg.start - 8) : reg.start])
        cut = reg.start - (len(gap.group()) if gap else 0)
        chain, pos = [], cut
        for a in sorted(agencies, key=lambda a: -a.end):
            if a.end == pos or (a.end < pos and re.fullmatch("[、和及]", text[a.end : pos])):
                chain.append(a)
                pos = a.start
            elif a.end < pos:
                break
        out += [Relation(reg, "issuedBy", a) for a in chain]
    return out


def administrator_relations(text: str, ex: Extraction) -> list[Relation]:
    """A sentence opened by an agency (or 我局): the programs it names are administered by it."""
    out = []
    kinds = {"Program", "Platform", "Fund", "LoanProduct"}
    for s in ex.sentences:
        head = re.match(r"\s*(?:[(（]?[一二三四五六七八九十\d]+[)）.、]|[一二三四五六七八九十]是)?\s*", text[s.start : s.end])
        at = s.start + (head.end() if head else 0)
        subject = next((m for m in ex.mentions if m.kind == "Agency" and m.start == at), None)
        if subject is None:
            continue
        out += [Relation(p, "administeredBy", subject) for p in _in_sentence(ex, s.start, kinds)]
    return out
