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
from bisect import bisect_left, bisect_right
from functools import cache
from itertools import accumulate

from policykg.agencies import find_agencies
from policykg.extract.model import Extraction, Mention, Relation
from policykg.resources import load_rules

__all__ = ["administrator_relations", "cluster_relations", "issuer_relations", "offer_relations", "platform_relations"]

_PROGRAM_KINDS = {"Program", "Platform", "Fund", "LoanProduct"}
# What joins the bodies of one subject: A、B和C, A会同B, A联合B, A牵头B…, A B (a space)
_JOIN_WORDS = "、|和|与|及|以及|会同|联合|牵头|,"
_JOIN = re.compile(rf"\s*(?:{_JOIN_WORDS})?\s*")
_GROUP_TAIL_WORDS = "等(?:\\d+|[一二三四五六七八九十]+)?(?:个|家)?(?:部门|单位)?"
_GROUP_TAIL = re.compile(f"(?:{_GROUP_TAIL_WORDS})?")
# What may open a clause before its subject: 一是, (一), 1., 近年来, 2022年, 同时, 下一步…
_CLAUSE_OPENING = re.compile(r"\s*(?:[(（]?[一二三四五六七八九十\d]+[)）.、]|[一二三四五六七八九十]是)?\s*")
_CLAUSE_WORD = re.compile(
    r"(?:近年来|近期|目前|今年以来|今年初|今年|去年|同时|此外|另外|下一步|下步|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:以来)?)[,，]?"
)
_CLAUSE_HEAD = re.compile(f"{_CLAUSE_OPENING.pattern}(?:{_CLAUSE_WORD.pattern})*")
_CLAUSE_BREAK = re.compile("[,，;；:：]")
_WE = re.compile("我们|我[局委厅部办]")
_JOINT = re.compile("(?:会同|联合|协同|配合)")
# Between a body and its verb: joins, 等N部门, dates and adverbs, at most this many characters.
_MAX_GAP = 64


@cache
def _cues(kind: str) -> re.Pattern[str]:
    return re.compile("|".join(row[0] for row in load_rules("relation_cues.tsv") if row[1] == kind))


@cache
def _between(filler: str | None) -> re.Pattern[str]:
    r"""What may stand between the last body of a group and its verb: ``(?:_JOIN|_GROUP_TAIL|filler)*``,
    written as one word at a time (a space, a join, 等N部门, a filler): the same strings, without the
    two ``\s*`` of each join that made a failed match try every way to share the spaces out (2ⁿ)."""
    return re.compile(rf"(?:\s|{_JOIN_WORDS}|{_GROUP_TAIL_WORDS}" + (f"|{filler})*" if filler else ")*"))


class _Index:
    """What the relation readers look up, built once per letter: the bodies by start and by end,
    the clause breaks, where each clause's subject begins, the cue words' positions."""

    def __init__(self, text: str, ex: Extraction) -> None:
        self.text, self.ex = text, ex
        self.agencies = [m for m in ex.mentions if m.kind == "Agency"]
        self.by_start = {a.start: a for a in self.agencies}
        self.by_end = sorted(self.agencies, key=lambda a: -a.end)  # the bodies do not overlap: last first
        self.ends = [-a.end for a in self.by_end]
        self.breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
        self.we = [m.span() for m in _WE.finditer(text)]
        self._words: dict[int, int] = {}
        self._subjects: dict[int, list[int]] = {}
        self._writer: list[Mention | None] = []

    def clause_starts(self, start: int, end: int) -> list[int]:
        """The starts of the clauses of ``text[start:end]``, split at ,，;；:：."""
        lo, hi = bisect_left(self.breaks, start), bisect_left(self.breaks, end)
        return [start, *(b + 1 for b in self.breaks[lo:hi])]

    def clause_start(self, start: int, end: int, offset: int) -> int:
        """The start of the last clause of ``text[start:end]`` that starts at or before ``offset``."""
        k = bisect_right(self.breaks, min(offset - 1, end - 1)) - 1
        return self.breaks[k] + 1 if k >= 0 and self.breaks[k] >= start else start

    def head_end(self, at: int) -> int:
        """``_CLAUSE_HEAD.match(text, at).end()``: its words (同时,此外,…) are read once for all the clauses
        of a run of them."""
        opening = _CLAUSE_OPENING.match(self.text, at)
        pos = opening.end() if opening else at
        seen = []
        while pos not in self._words:
            word = _CLAUSE_WORD.match(self.text, pos)
            if word is None:
                self._words[pos] = pos
                break
            seen.append(pos)
            pos = word.end()
        end = self._words[pos]
        for k in seen:
            self._words[k] = end
        return end

    def subject_clauses(self, sentence_start: int, sentence_end: int) -> list[int]:
        """The clauses of a sentence that open with a body (after their head), by start."""
        found = self._subjects.get(sentence_start)
        if found is None:
            found = [c for c in self.clause_starts(sentence_start, sentence_end) if self.head_end(c) in self.by_start]
            self._subjects[sentence_start] = found
        return found

    def writer(self) -> Mention | None:
        if not self._writer:
            self._writer.append(_writer_pronoun(self.ex))
        return self._writer[0]


def _group_at(idx: _Index, at: int) -> list[Mention]:
    """The bodies of a subject that begins at ``at``: A、B会同C联合…; empty if no body begins there."""
    group: list[Mention] = []
    pos = at
    while True:
        a = idx.by_start.get(pos)
        if a is None:
            break
        group.append(a)
        pos = a.end
        join = _JOIN.match(idx.text, pos)
        if join is None or (join.end() == pos and not idx.by_start.get(pos)):
            break
        pos = join.end()
    return group


def _subject(idx: _Index, offset: int) -> list[Mention]:
    """The bodies that are the subject of the clause holding ``offset``: the body group that opens
    that clause, or else the nearest earlier clause of the same sentence that opens with one."""
    s = idx.ex.sentence_of(offset)
    opening = idx.subject_clauses(s.start, s.end)
    k = bisect_right(opening, offset) - 1
    return _group_at(idx, idx.head_end(opening[k])) if k >= 0 else []


def _group_before(idx: _Index, pos: int, floor: int, filler: re.Pattern[str] | None) -> list[Mention]:
    """The bodies that end right before ``pos``: A、B和C联合 | 于2022年正式 | 印发 — joined by 、/和/会同…,
    with fillers (dates, adverbs) between the last of them and ``pos``."""
    between = _between(filler.pattern if filler else None)
    group: list[Mention] = []
    cur = pos
    for a in idx.by_end[bisect_left(idx.ends, -pos) :]:  # the bodies that end at or before pos, last first
        if a.start < floor:
            break  # and so do all after it
        if a.end > cur:
            continue
        fits = cur - a.end <= _MAX_GAP and (between if not group else _JOIN).fullmatch(idx.text, a.end, cur)
        if fits:
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
    idx = _Index(text, ex)
    regs = sorted((m for m in ex.mentions if m.kind == "Regulation"), key=lambda m: m.start)
    reg_ends = [r.end for r in regs]  # the titles do not overlap: in order of end too
    issue, passive, filler = _cues("issue"), _cues("passive"), _cues("filler")
    run_starts: dict[tuple[int, int], int] = {}  # (title's start, sentence's start) → start of its run of titles

    def run_start(pos: int, floor: int) -> int:
        # active: …印发(了)《A》《B》、《C》: the verb before the run of titles this one belongs to
        path = []
        while (pos, floor) not in run_starts:
            before = re.search(r"(?:》|》[、和及与]|》等)\s*$", text[max(floor, pos - 3) : pos])
            k = bisect_left(reg_ends, pos - 3)
            prev = next((r for r in regs[k : bisect_right(reg_ends, pos)] if r.start >= floor), None)
            if before is None or prev is None:
                run_starts[(pos, floor)] = pos
                break
            path.append(pos)
            pos = prev.start
        start = run_starts[(pos, floor)]
        for p in path:
            run_starts[(p, floor)] = start
        return start

    for reg in regs:
        s = ex.sentence_of(reg.start)
        pos = run_start(reg.start, s.start)
        gap = text[max(s.start, pos - 12) : pos]
        verb = None
        for m in issue.finditer(gap):
            if re.fullmatch(f"(?:{filler.pattern})*", gap[m.end() :]):
                verb = max(s.start, pos - 12) + m.start()
        issuers: list[Mention] = []
        if verb is not None:
            # the bodies right before the verb (dates and adverbs between), else the clause's subject
            issuers = _group_before(idx, verb, s.start, filler) or _subject(idx, verb)
            if not issuers and _opens_with_we(idx, verb) and (w := idx.writer()):
                issuers = [w]
        elif direct := _group_before(idx, pos - (1 if gap.endswith("的") else 0), s.start, None):
            issuers = direct  # 人民银行广州分行《…行动方案》
        else:
            # passive: 《X》(已)(于…)经/由 A(批准)印发
            after = passive.match(text, reg.end)
            if after:
                group = _group_at(idx, after.end())
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


def _opens_with_we(idx: _Index, offset: int) -> bool:
    """Whether the sentence before ``offset`` speaks as the writer (我们, 我局…) and names no other body first."""
    s = idx.ex.sentence_of(offset)
    k = bisect_left(idx.we, (s.start, s.start))
    return k < len(idx.we) and idx.we[k][1] <= offset


def _cue_chain(idx: _Index, start: int, chains: dict[int, list[tuple[int, int]]],
               places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The matches ``cue.finditer(text, start)`` gives in the clause that begins at ``start`` (and the
    first that goes past it), from the positions where the cue matches: each clause is read once."""
    found = chains.get(start)
    if found is None:
        k = bisect_left(idx.breaks, start)
        end = idx.breaks[k] if k < len(idx.breaks) else len(idx.text)
        found, pos = [], start
        while pos < end:
            j = bisect_left(places, (pos, pos))
            if j == len(places):
                break
            found.append(places[j])
            pos = places[j][1]
        chains[start] = found
    return found


def _last_cue_before(idx: _Index, cue: re.Pattern[str], chain: list[tuple[int, int]], end: int) -> tuple[int, int] | None:
    """The last match of ``cue.finditer(text, clause_start, end)``, from the clause's chain of matches."""
    k = _bisect_ends(chain, end)
    last = chain[k] if k >= 0 else None
    nxt = chain[k + 1] if k + 1 < len(chain) else None
    if nxt is not None and nxt[0] < end:  # that match runs past ``end``: what fits before it, read anew
        for m in cue.finditer(idx.text, nxt[0], end):
            last = m.span()
    return last


def _bisect_ends(chain: list[tuple[int, int]], end: int) -> int:
    """The index of the last match of ``chain`` (in order of end) that ends at or before ``end``; -1 if none."""
    lo, hi = 0, len(chain)
    while lo < hi:
        mid = (lo + hi) // 2
        if chain[mid][1] <= end:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def administrator_relations(text: str, ex: Extraction) -> list[Relation]:
    """Programmes, funds and loan products run by the bodies that are their clause's subject.

    The programme must be named (quoted, or a fund, loan product or platform) and follow a verb of
    running (实施, 推出, 设立… in data/rules/relation_cues.tsv) within its clause; a clause that opens
    with 会同/联合 (会同科技厅…完善“天府科创贷”) is the writer's with those bodies.
    """
    out: list[Relation] = []
    idx = _Index(text, ex)
    run = _cues("run")
    writer = _writer_pronoun(ex)
    places = [m.span(1) for m in re.finditer(f"(?=({run.pattern}))", text)]  # where a verb of running matches
    chains: dict[int, list[tuple[int, int]]] = {}
    for p in (m for m in ex.mentions if m.kind in _PROGRAM_KINDS):
        if p.rule in ("program-cue", "program-lexicon") and p.kind == "Program":
            continue  # a name read only from its cue word (…政策) is too loose; a national strategy has many hands
        s = ex.sentence_of(p.start)
        clause_start = idx.clause_start(s.start, s.end, p.start)
        verb = _last_cue_before(idx, run, _cue_chain(idx, clause_start, chains, places), p.start)
        if verb is None or p.start - verb[1] > 12:
            continue
        group = _group_before(idx, verb[0], clause_start, _cues("filler"))
        if not group:
            joint = _JOINT.match(text, idx.head_end(clause_start))
            group = [writer, *_group_at(idx, joint.end())] if joint and writer is not None else _subject(idx, verb[0])
        out += [Relation(p, "administeredBy", a, evidence=p.start, rule="administrator-subject", score=0.7)
                for a in group if a.end <= p.start]
    return out


_OFFERS = re.compile("(?=(推出|提供|开发|发行|设立|创新|上线))")


def offer_relations(text: str, ex: Extraction) -> list[Relation]:
    """Loan products and funds offered by the bank that, earlier in their sentence, offers them
    (中国银行…分行…推出了…,提供“成长快贷”“流量贷”等产品).

    The bank is the last one of the sentence before the product with an offering verb between
    them: the last bank that ends at or before the last offering verb before the product (the
    banks do not overlap: in order of end too).
    """
    out: list[Relation] = []
    banks = [m for m in ex.mentions if m.kind == "Bank"]
    bank_starts, bank_ends = [b.start for b in banks], [b.end for b in banks]
    verbs = sorted((e, s) for s, e in (m.span(1) for m in _OFFERS.finditer(text)))  # every verb, by end
    verb_ends, last_start = [e for e, _ in verbs], list(accumulate((s for _, s in verbs), max))
    for p in (m for m in ex.mentions if m.kind in ("LoanProduct", "Fund")):
        s = ex.sentence_of(p.start)
        v = bisect_right(verb_ends, p.start) - 1  # the verbs that end before the product: the last to start
        if v < 0:
            continue
        k = bisect_right(bank_ends, last_start[v]) - 1
        if k >= 0 and bank_starts[k] >= s.start:
            out.append(Relation(p, "offeredBy", banks[k], evidence=p.start, rule="bank-product", score=0.7))
    return out


_SETTLES = re.compile("落户|入驻|进驻|入园|落地|布局")
_ATTRACTS = re.compile("引进|吸引|招引|集聚|聚集|入驻")
_CLUSTER_CLAUSE_END = re.compile("[,，。;；]")


def cluster_relations(text: str, ex: Extraction) -> list[Relation]:
    """以A、B为代表的…产业集群: A and B anchor the cluster that follows in the clause."""
    out = []
    firms = [m for m in ex.mentions if m.kind in {"Firm", "Bank"}]
    clusters = [m for m in ex.mentions if m.kind in {"IndustryCluster", "IndustrialPark"}]
    firm_starts, firm_ends, cluster_starts = [f.start for f in firms], [f.end for f in firms], [c.start for c in clusters]
    clause_end: re.Match[str] | None = None
    searched = False  # then clause_end is the first clause end after the last match (None: there is none)
    for m in re.finditer("以([^为。;；]{1,60})为(?:代表|龙头)的", text):
        if not searched or (clause_end is not None and clause_end.start() < m.end()):  # matches go left to right
            clause_end, searched = _CLUSTER_CLAUSE_END.search(text, m.end()), True
        stop = clause_end.start() if clause_end else len(text)
        k = bisect_left(cluster_starts, m.end())
        target = clusters[k] if k < len(clusters) and cluster_starts[k] < stop else None
        if target is None:
            continue
        for f in firms[bisect_left(firm_starts, m.start(1)) : bisect_left(firm_starts, m.end(1))]:
            out += [Relation(f, "anchorOf", target, evidence=m.start(), rule="anchor-led-by", score=0.8),
                    Relation(f, "memberOf", target, evidence=m.start(), rule="anchor-led-by", score=0.8)]
    # A、B等企业 落户/入驻/进驻 P ; P 引进/吸引(了) A、B等企业: the firms are members of the park.
    # Only firms within 24 characters of the park can be (the firms do not overlap: in order of end too).
    for c in clusters:
        s = ex.sentence_of(c.start)
        near = [*firms[bisect_left(firm_ends, c.start - 24) : bisect_right(firm_ends, c.start)],
                *firms[bisect_left(firm_starts, c.end) : bisect_right(firm_starts, c.end + 24)]]
        for f in (f for f in near if s.start <= f.start < s.end):
            lo, hi = (f.end, c.start) if f.end <= c.start else (c.end, f.start)
            between = text[lo:hi]
            if len(between) > 24 or re.search("[,，;；]", between):
                continue
            if f.end <= c.start and _SETTLES.search(between):
                out.append(Relation(f, "memberOf", c, evidence=f.start, rule="member-settles", score=0.7))
            elif c.end <= f.start and _ATTRACTS.search(between):
                out.append(Relation(f, "memberOf", c, evidence=f.start, rule="member-attracted", score=0.7))
    return out


def platform_relations(text: str, ex: Extraction) -> list[Relation]:
    """以X为龙头链主的“P平台”,带动A、B等: P's chain leader is X; P drives A and B."""
    out = []
    firms = [m for m in ex.mentions if m.kind in {"Firm", "Bank"}]
    firm_starts, mention_starts = [f.start for f in firms], [m.start for m in ex.mentions]
    for m in re.finditer("以([^为。;；]{1,30})为(?:龙头)?链主的", text):
        near = ex.mentions[bisect_left(mention_starts, m.end()) : bisect_right(mention_starts, m.end() + 2)]
        platform = next((p for p in near if p.kind == "Platform"), None)
        if platform is None:
            continue
        for f in firms[bisect_left(firm_starts, m.start(1)) : bisect_left(firm_starts, m.end(1))]:
            out.append(Relation(platform, "chainLeader", f, evidence=m.start(), rule="chain-leader", score=0.85))
        tail = re.search("带动([^;；。]{1,80}?)等", text[platform.end : platform.end + 90])
        if tail:
            a, b = platform.end + tail.start(1), platform.end + tail.end(1)
            out += [Relation(platform, "drives", f, evidence=m.start(), rule="platform-drives", score=0.8)
                    for f in firms[bisect_left(firm_starts, a) : bisect_left(firm_starts, b)]]
    return out
