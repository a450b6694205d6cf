"""Relations the letters state, each with the sentence that states it as evidence.

- ``issuedBy``: the bodies that are the subject of an issuing verb (印发, 出台, 制定…) whose object is
  the title, anywhere in the clause (dates and adverbs between; 联合, 会同, 等N部门), the subject
  carried over the clauses of one sentence; passive forms after the title (已经省政府批准印发,
  由X制定); the body a document number after the title names (云工信消费〔2021〕348号).
- ``administeredBy``: the bodies that are the subject of the clause in which a programme, fund or
  loan product is run (实施, 推出, 设立…); 我局/我厅 is the letter's writer.
- ``anchorOf``/``memberOf``: 以A、B为代表/为龙头的…集群/园区 and A、B等企业 placed in a park;
  ``chainLeader`` and ``drives`` for platforms.
The cue words are in ``data/rules/relation_cues.tsv``.
"""

from __future__ import annotations

import re
from functools import cache

from policykg.agencies import find_agencies
from policykg.extract.model import Extraction, Mention, Relation
from policykg.resources import load_rules

__all__ = ["administrator_relations", "cluster_relations", "issuer_relations", "offer_relations", "platform_relations"]

_PROGRAM_KINDS = {"Program", "Platform", "Fund", "LoanProduct"}
# What joins the bodies of one subject: A、B和C, A会同B, A联合B, A牵头B…, A B (a space)
_JOIN = re.compile(r"\s*(?:、|和|与|及|以及|会同|联合|牵头|,)?\s*")
_GROUP_TAIL = re.compile(r"(?:等(?:\d+|[一二三四五六七八九十]+)?(?:个|家)?(?:部门|单位)?)?")
# What may open a clause before its subject: 一是, (一), 1., 近年来, 2022年, 同时, 下一步…
_CLAUSE_HEAD = re.compile(
    r"\s*(?:[(（]?[一二三四五六七八九十\d]+[)）.、]|[一二三四五六七八九十]是)?\s*"
    r"(?:(?:近年来|近期|目前|今年以来|今年初|今年|去年|同时|此外|另外|下一步|下步|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:以来)?)[,，]?)*"
)


@cache
def _cues(kind: str) -> re.Pattern[str]:
    return re.compile("|".join(row[0] for row in load_rules("relation_cues.tsv") if row[1] == kind))


def _in_sentence(ex: Extraction, offset: int, kinds: set[str]) -> list[Mention]:
    s = ex.sentence_of(offset)
    return [m for m in ex.mentions if s.start <= m.start < s.end and m.kind in kinds]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of ``text[start:end]``, split at ,，;；:：."""
    out, pos = [], start
    for m in re.finditer("[,，;；:：]", text[start:end]):
        out.append((pos, start + m.start()))
        pos = start + m.end()
    out.append((pos, end))
    return out


def _group_at(text: str, at: int, agencies: list[Mention]) -> list[Mention]:
    """The bodies of a subject that begins at ``at``: A、B会同C联合…; empty if no body begins there."""
    group: list[Mention] = []
    pos = at
    by_start = {a.start: a for a in agencies}
    while True:
        a = by_start.get(pos)
        if a is None:
            break
        group.append(a)
        pos = a.end
        join = _JOIN.match(text, pos)
        if join is None or (join.end() == pos and not by_start.get(pos)):
            break
        pos = join.end()
    return group


def _subject(text: str, ex: Extraction, offset: int, agencies: list[Mention]) -> list[Mention]:
    """The bodies that are the subject of the clause holding ``offset``: the body group that opens
    that clause, or else the nearest earlier clause of the same sentence that opens with one."""
    s = ex.sentence_of(offset)
    for c_start, _c_end in reversed([c for c in _clauses(text, s.start, s.end) if c[0] <= offset]):
        head = _CLAUSE_HEAD.match(text, c_start)
        at = head.end() if head else c_start
        group = _group_at(text, at, agencies)
        if group:
            return group
    return []


def _group_before(
    text: str, pos: int, agencies: list[Mention], floor: int, filler: re.Pattern[str] | None
) -> list[Mention]:
    """The bodies that end right before ``pos``: A、B和C联合 | 于2022年正式 | 印发 — joined by 、/和/会同…,
    with fillers (dates, adverbs) between the last of them and ``pos``."""
    between = f"(?:{_JOIN.pattern}|{_GROUP_TAIL.pattern}" + (f"|{filler.pattern})*" if filler else ")*")
    group: list[Mention] = []
    cur = pos
    for a in sorted((a for a in agencies if floor <= a.start and a.end <= pos), key=lambda a: -a.end):
        if a.end > cur:
            continue
        gap = text[a.end : cur]
        if (re.fullmatch(between, gap) if not group else re.fullmatch(_JOIN.pattern, gap)):
            group.append(a)
            cur = a.start
        elif a.end <= cur:
            break
    return group[::-1]


def _writer_pronoun(ex: Extraction) -> Mention | None:
    return next((m for m in ex.mentions if m.kind == "Agency" and m.pronoun and m.name != "贵单位"), None)


def issuer_relations(text: str, ex: Extraction) -> list[Relation]:
    """The bodies that issued each 《》 document the letter names (see the module's docstring)."""
    out: list[Relation] = []
    agencies = [m for m in ex.mentions if m.kind == "Agency"]
    regs = sorted((m for m in ex.mentions if m.kind == "Regulation"), key=lambda m: m.start)
    issue, passive, filler = _cues("issue"), _cues("passive"), _cues("filler")
    for reg in regs:
        s = ex.sentence_of(reg.start)
        # active: …印发(了)《A》《B》、《C》: the verb before the run of titles this one belongs to
        pos = reg.start
        while True:
            before = re.search(r"(?:》|》[、和及与]|》等)\s*$", text[max(s.start, pos - 3) : pos])
            prev = next((r for r in regs if r.end <= pos and r.end >= pos - 3 and r.start >= s.start), None)
            if before is None or prev is None:
                break
            pos = prev.start
        gap = text[max(s.start, pos - 12) : pos]
        verb = None
        for m in issue.finditer(gap):
            if re.fullmatch(f"(?:{filler.pattern})*", gap[m.end() :]):
                verb = max(s.start, pos - 12) + m.start()
        issuers: list[Mention] = []
        if verb is not None:
            # the bodies right before the verb (dates and adverbs between), else the clause's subject
            issuers = _group_before(text, verb, agencies, s.start, filler) or _subject(text, ex, verb, agencies)
            if not issuers and _opens_with_we(text, ex, verb) and (w := _writer_pronoun(ex)):
                issuers = [w]
        elif direct := _group_before(text, pos - (1 if gap.endswith("的") else 0), agencies, s.start, None):
            issuers = direct  # 人民银行广州分行《…行动方案》
        else:
            # passive: 《X》(已)(于…)经/由 A(批准)印发
            after = passive.match(text, reg.end)
            if after:
                group = _group_at(text, after.end(), agencies)
                if group and issue.search(text, group[-1].end, min(s.end, group[-1].end + 10)):
                    issuers = group
        out += [Relation(reg, "issuedBy", a, evidence=reg.start, rule="issuer-subject", score=0.8) for a in issuers]
        out += _nested_issuer(text, reg)
    return out


def _nested_issuer(text: str, reg: Mention) -> list[Relation]:
    """《某厅〈关于印发…的通知〉》: the body that opens the outer title issued the inner one."""
    nested = next((re.fullmatch("(.{2,40}?)〈.+〉", a) for a in reg.aliases if "〈" in a), None)
    if nested is None:
        return []
    body = nested.group(1)
    spans = [a for a in find_agencies(body) if a.start == 0 and a.end == len(body)]
    if not spans:
        return []
    issuer = Mention("Agency", reg.start + 1, reg.start + 1 + len(body), body, spans[0].prefix,
                     rule="agency-grammar", score=0.9)
    return [Relation(reg, "issuedBy", issuer, evidence=reg.start, rule="issuer-subject", score=0.85)]


def _opens_with_we(text: str, ex: Extraction, offset: int) -> bool:
    """Whether the sentence before ``offset`` speaks as the writer (我们, 我局…) and names no other body first."""
    s = ex.sentence_of(offset)
    return bool(re.search("我们|我[局委厅部办]", text[s.start : offset]))


def administrator_relations(text: str, ex: Extraction) -> list[Relation]:
    """Programmes, funds and loan products run by the bodies that are their clause's subject.

    The programme must be named (quoted, or a fund, loan product or platform) and follow a verb of
    running (实施, 推出, 设立… in data/rules/relation_cues.tsv) within its clause; a clause that opens
    with 会同/联合 (会同科技厅…完善“天府科创贷”) is the writer's with those bodies.
    """
    out: list[Relation] = []
    agencies = [m for m in ex.mentions if m.kind == "Agency"]
    run = _cues("run")
    writer = _writer_pronoun(ex)
    for p in (m for m in ex.mentions if m.kind in _PROGRAM_KINDS):
        if p.rule in ("program-cue", "program-lexicon") and p.kind == "Program":
            continue  # a name read only from its cue word (…政策) is too loose; a national strategy has many hands
        s = ex.sentence_of(p.start)
        clause_start = max([c for c, _ in _clauses(text, s.start, s.end) if c <= p.start], default=s.start)
        verb = None
        for m in run.finditer(text, clause_start, p.start):
            verb = m
        if verb is None or p.start - verb.end() > 12:
            continue
        group = _group_before(text, verb.start(), agencies, clause_start, _cues("filler"))
        if not group:
            head = _CLAUSE_HEAD.match(text, clause_start)
            at = head.end() if head else clause_start
            joint = re.match("(?:会同|联合|协同|配合)", text[at:])
            if joint and writer is not None:
                group = [writer, *_group_at(text, at + joint.end(), agencies)]
            else:
                group = _subject(text, ex, verb.start(), agencies)
        out += [Relation(p, "administeredBy", a, evidence=p.start, rule="administrator-subject", score=0.7)
                for a in group if a.end <= p.start]
    return out


def offer_relations(text: str, ex: Extraction) -> list[Relation]:
    """Loan products and funds offered by the bank that, earlier in their sentence, offers them
    (中国银行…分行…推出了…,提供“成长快贷”“流量贷”等产品)."""
    out: list[Relation] = []
    banks = [m for m in ex.mentions if m.kind == "Bank"]
    for p in (m for m in ex.mentions if m.kind in ("LoanProduct", "Fund")):
        s = ex.sentence_of(p.start)
        before = [b for b in banks if s.start <= b.start and b.end <= p.start]
        for b in reversed(before):
            if re.search("推出|提供|开发|发行|设立|创新|上线", text[b.end : p.start]):
                out.append(Relation(p, "offeredBy", b, evidence=p.start, rule="bank-product", score=0.7))
                break
    return out


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
                out += [Relation(f, "anchorOf", target, evidence=m.start(), rule="anchor-led-by", score=0.8),
                        Relation(f, "memberOf", target, evidence=m.start(), rule="anchor-led-by", score=0.8)]
    # A、B等企业 落户/入驻/进驻 P ; P 引进/吸引(了) A、B等企业: the firms are members of the park
    for c in clusters:
        s = ex.sentence_of(c.start)
        for f in (f for f in firms if s.start <= f.start < s.end):
            lo, hi = (f.end, c.start) if f.end <= c.start else (c.end, f.start)
            between = text[lo:hi]
            if len(between) > 24 or re.search("[,，;；]", between):
                continue
            if f.end <= c.start and re.search("落户|入驻|进驻|入园|落地|布局", between):
                out.append(Relation(f, "memberOf", c, evidence=f.start, rule="member-settles", score=0.7))
            elif c.end <= f.start and re.search("引进|吸引|招引|集聚|聚集|入驻", between):
                out.append(Relation(f, "memberOf", c, evidence=f.start, rule="member-attracted", score=0.7))
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
                out.append(Relation(platform, "chainLeader", f, evidence=m.start(), rule="chain-leader", score=0.85))
        tail = re.search("带动([^;；。]{1,80}?)等", text[platform.end : platform.end + 90])
        if tail:
            a, b = platform.end + tail.start(1), platform.end + tail.end(1)
            out += [Relation(platform, "drives", f, evidence=m.start(), rule="platform-drives", score=0.8)
                    for f in firms if a <= f.start < b]
    return out
