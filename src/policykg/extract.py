"""Letter → Extraction: typed mentions (with offsets) and the relations between them.

General rules over the letter's text, not lists fitted to one letter:
《》 titles are regulations; agency names follow their grammar (see ``agencies``); firms
are found by their cues (以X、Y为代表, 龙头, 链主, 带动A、B等一批…企业, …银行/集团/公司);
clusters by …产业集群 / …产业园 and enumerations (汽车、电子三大千亿级产业集群);
programs by quoted names and cue words (…行动/工程/计划/机制/改革/试点/政策/清单/基金/贷/平台).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from policykg.agencies import find_agencies, place_names
from policykg.ingest import Letter
from policykg.metadata import Metadata, read_metadata
from policykg.text import CJK, Sentence, mask_spans, split_sentences, to_match_text

__all__ = ["Extraction", "Mention", "Relation", "extract"]


@dataclass(frozen=True)
class Mention:
    """A typed span of the letter. ``name`` is the cleaned surface form (quotes dropped, merged)."""

    kind: str  # ontology class local name: Agency, Bank, Firm, Regulation, Program, Fund, ...
    start: int
    end: int
    name: str
    prefix: str = ""
    pronoun: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    """``subject predicate object``, read from one sentence of the letter."""

    subject: Mention
    predicate: str  # ontology property local name
    object: Mention


@dataclass
class Extraction:
    """Everything read from one letter."""

    letter: Letter
    metadata: Metadata
    sentences: list[Sentence]
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def sentence_of(self, offset: int) -> Sentence:
        """The sentence holding an offset (the nearest before it, for offsets between sentences)."""
        best = self.sentences[0]
        for s in self.sentences:
            if s.start <= offset:
                best = s
            else:
                break
        return best


_ANCHORS = (
    "深入实施|持续实施|推进实施|组织实施|实施|推行|深化|开展|建立|建设|推进|启动|设立|打造|组建|制定|落实|"
    "发挥|实行|试行|推广|出台|兑现|统筹|首创|开发|创建|培育|举办|成立|构建|形成|加强|支持|鼓励|引导|"
    "依托|围绕|通过|做好|抓好|承担|争取|申报|纳入|列入|入选|获批|完善|健全|优化|探索|参与|启用|上线|"
    "引进|带动|包括|例如|如|其中|到|前往|联合|与|和|及|以|对|的|在|将|是|为|推动|发展|加快|提升|促进|"
    "新建|谋划|申请|升级|建议|首个|首批|一批|一个|重视|就|细化|等|关于|对标"
)
_PROGRAM_CUES = "专项行动|行动计划|行动|工程|计划|机制|改革|试点|政策(?!性)|清单|基金|贷(?!款)|平台(?!公司|企业)|服务队|体系|模式"
_PROGRAM_STOP = re.compile("^(?:该|这|此|相关|有关|各项|各类|一批|多项|上述|现有|相应|下一步|丰富|工作)")
_GENERIC_PROGRAM = {"金融", "产业", "企业", "项目", "服务", "数字化", "扶持", "优惠", "保障", "奖补"}
_VERB_START = re.compile("|".join(a for a in _ANCHORS.split("|") if len(a) >= 2) + "|到|如|对|为")
_FIRM_SUFFIX = "股份有限公司|有限责任公司|有限公司|集团|公司|银行|证券|股份"
_GENERIC_FIRMS = re.compile(
    "^(?:[各该本我国有大中小型地方民营政府平台商业合作政策性村镇开发性外资相关有关其他银行]+|"
    "平台公司|国有企业|投资公司|担保公司|商业银行|合作银行|农商银行|村镇银行|金融机构|上市公司|"
    ".*(?:等|及|与|的))$"
)
_LEVELS = "(?:世界级|国家级|省级|市级|区级|千亿级|百亿级|万亿级|\\d+亿级|[一二三四五六七八九十\\d]+大)"
_NAME_CHARS = f"[{CJK}A-Za-z0-9+.·]"


def extract(letter: Letter) -> Extraction:
    """Read metadata, entity mentions and relations from a letter."""
    text = to_match_text(letter.text)
    md = read_metadata(text)
    ex = Extraction(letter=letter, metadata=md, sentences=split_sentences(letter.text))
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^》\n]{1,150}》", text)]
    frame = [(md.salutation.start, md.salutation.end)] if md.salutation else []
    masked = mask_spans(text, titles + frame)
    ex.mentions += _regulations(text, md)
    agencies = [Mention("Agency", a.start, a.end, text[a.start : a.end], a.prefix, a.pronoun)
                for a in find_agencies(masked)]
    ex.mentions += agencies
    taken = mask_spans(masked, [(m.start, m.end) for m in agencies])
    firms, firm_relations = _firms(taken)
    ex.mentions += firms
    taken = mask_spans(taken, [(m.start, m.end) for m in firms])
    clusters = _clusters(taken)
    ex.mentions += clusters
    programs = _programs(mask_spans(taken, [(m.start, m.end) for m in clusters]), text)
    ex.mentions += programs
    ex.mentions.sort(key=lambda m: (m.start, m.end))
    ex.relations += firm_relations
    ex.relations += _cluster_relations(text, ex)
    ex.relations += _platform_relations(text, ex)
    ex.relations += _issuers(text, ex)
    ex.relations += _administrators(text, ex)
    return ex


def _regulations(text: str, md: Metadata) -> list[Mention]:
    """《》 titles, except the proposal's own title and forms or ledgers (…表)."""
    out: list[Mention] = []
    title = md.proposal_title.value if md.proposal_title else None
    for m in re.finditer(r"《([^》\n]{2,150})》", text):
        name = re.sub(r"\s+", "", m.group(1))
        if out and re.search("(?:以下简称|下称|简称)$", text[max(0, m.start() - 8) : m.start()]):
            out.append(Mention("Regulation", m.start(), m.end(), out[-1].name))
            continue
        if title and name == re.sub(r"\s+", "", title):
            continue
        if re.search("(?:表|线索|台账|的建议|的提案|报|杂志|日报)$", name):
            continue
        out.append(Mention("Regulation", m.start(), m.end(), name.replace("<", "〈").replace(">", "〉")))
    return out


def _left_boundary(text: str, end: int, *, limit: int = 24) -> int:
    """Start of the noun phrase that ends at ``end``: after the last anchor word or punctuation."""
    start = max(0, end - limit)
    window = text[start:end]
    cut = 0
    for m in re.finditer(f"[^{CJK}A-Za-z0-9+.·“”\"]|□|{_ANCHORS}", window):
        cut = m.end()
    return start + cut


def _phrase_start(text: str, end: int, *, limit: int) -> int:
    """Start of a programme's name ending at ``end``: after the nearest anchor word that leaves
    a name of four characters or more (an anchor inside a name, 人才培育计划, is skipped)."""
    start = max(0, end - limit)
    window = text[start:end]
    stops = [m.end() for m in re.finditer(f"[^{CJK}A-Za-z0-9+.·“”\"]|□", window)]
    floor = stops[-1] if stops else 0
    cuts = [m.end() for m in re.finditer(_ANCHORS, window) if m.start() >= floor]
    for cut in reversed(cuts):
        if len(re.findall(f"[{CJK}]", window[cut:])) >= 4:
            return start + cut
    return start + (cuts[0] if cuts else floor)


def _items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the items of an enumeration A、B和C within ``text[start:end]``."""
    out, pos = [], start
    for piece in re.split("(、|和|及|与|,)", text[start:end]):
        if piece and piece not in "、和及与,":
            s = pos + len(piece) - len(piece.lstrip())
            e = pos + len(piece.rstrip())
            if e > s:
                out.append((s, e))
        pos += len(piece)
    return out


def _enumeration(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Items of A、B和C where a verb or anchor may stand before the first item (带动A、B).

    The list starts after the last anchor word in the span (separators 和/及/与 aside)
    that still leaves items of two characters or more.
    """
    anchors = "|".join(a for a in _ANCHORS.split("|") if a not in ("和", "及", "与"))
    cuts = [0] + [m.end() for m in re.finditer(f"[^{CJK}A-Za-z0-9+.·、]|{anchors}", text[start:end])]
    for cut in reversed(cuts):
        items = _items(text, start + cut, end)
        if items and all(e - s >= 2 for s, e in items):
            return items
    return []


_FIRM_ENUMERATION = re.compile(
    f"((?:{_NAME_CHARS}+、)*{_NAME_CHARS}+(?:和{_NAME_CHARS}+)?)"
    f"(?:等(?:一批|[\\d一二三四五六七八九十]+家)?|(?<=[{CJK}])[两一二三四五六七八九十]+家)"
    f"[{CJK}]{{0,8}}?(?:企业|公司)"
)
_NAME_RUN = re.compile(f"[{CJK}A-Za-z0-9+.·、\\d]+")


def _firm_enumerations(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_FIRM_ENUMERATION.finditer(text)``, without its backtracking over every run of text.

    A match lies inside one run of ``_NAME_RUN`` characters and holds 等 or 家 and 企业 or 公司.
    """
    for run in _NAME_RUN.finditer(text):
        words = run.group()
        if ("等" in words or "家" in words) and ("企业" in words or "公司" in words):
            yield from _FIRM_ENUMERATION.finditer(text, run.start(), run.end())


def _firm_mention(text: str, s: int, e: int) -> Mention | None:
    name = text[s:e].strip("“”\"")
    if len(re.findall(f"[{CJK}]", name)) < 2 or re.match(r"\d", name):
        return None
    if not (2 <= len(name) <= 20) or not re.fullmatch(f"{_NAME_CHARS}+", name) or _GENERIC_FIRMS.match(name):
        return None
    if re.search("企业|产业|行业|机构|项目|单位|部门|政府|产品", name) or "□" in name:
        return None
    kind = "Bank" if name.endswith("银行") else "Firm"
    return Mention(kind, s, e, name)


def _firms(text: str) -> tuple[list[Mention], list[Relation]]:
    found: dict[tuple[int, int], Mention] = {}

    def add(s: int, e: int) -> Mention | None:
        m = _firm_mention(text, s, e)
        if m and not any(a <= s < b or a < e <= b for a, b in found):
            found[(s, e)] = m
        return m

    # 以A、B为代表 / 以A为龙头(链主)
    for m in re.finditer(f"以((?:{_NAME_CHARS}|、)+?)为(?:代表|龙头|链主|龙头链主)", text):
        for s, e in _items(text, m.start(1), m.end(1)):
            add(s, e)
    # 带动/支持/引进 A、B等(一批|N家)…企业 ;  A和B两家…企业
    for m in _firm_enumerations(text):
        for s, e in _enumeration(text, m.start(1), m.end(1)):
            add(s, e)
    # …银行 / …集团 / …公司 after an anchor or punctuation
    for m in re.finditer(f"(?:{_FIRM_SUFFIX})(?!交易所|机构|行业)", text):
        begin = _left_boundary(text, m.start(), limit=14)
        if m.start() - begin >= 2:
            add(begin, m.end())
    mentions = sorted(found.values(), key=lambda m: m.start)
    return mentions, _loan_products(text, mentions)


def _loan_products(text: str, firms: list[Mention]) -> list[Relation]:
    """Bank 开发/推出 product、product: loan products offered by the bank (as Program mentions)."""
    out = []
    for bank in (f for f in firms if f.kind == "Bank"):
        m = re.match("(?:开发|推出|创新推出|发行|设立)(?:了)?", text[bank.end :])
        if not m:
            continue
        pos = bank.end + m.end()
        end_m = re.search("[,，。;；]|等", text[pos:])
        end = pos + (end_m.start() if end_m else len(text) - pos)
        for s, e in _items(text, pos, end):
            if any(f.start == s for f in firms):
                break
            name = text[s:e].strip("“”\"")
            kind = "Fund" if name.endswith("基金") else "LoanProduct"
            if 2 <= len(name) <= 20:
                out.append(Relation(Mention(kind, s, e, name), "offeredBy", bank))
    return out


def _clusters(text: str) -> list[Mention]:
    out: list[Mention] = []
    cue = "产业集群|集群|产业园区|产业园|工业园区|工业园|科技园|产业基地"
    for m in re.finditer(cue, text):
        kind = "IndustryCluster" if "集群" in m.group() else "IndustrialPark"
        head = m.group() if kind == "IndustrialPark" else "产业集群"
        # enumerations: 汽车、电子、能源三大千亿级和生物医药、化工四大500亿级产业集群
        enum_end = m.start()
        enum = re.search(
            f"((?:{_NAME_CHARS}+?、)+{_NAME_CHARS}+?)(?:等)?[\\d一二三四五六七八九十]+(?:大|个){_LEVELS}?"
            f"(?:[{CJK}]{{0,4}}?)(?:和((?:{_NAME_CHARS}+?、)+{_NAME_CHARS}+?)[\\d一二三四五六七八九十]+大{_LEVELS}?)?$",
            text[max(0, enum_end - 80) : enum_end],
        )
        if enum and kind == "IndustryCluster":
            base = max(0, enum_end - 80)
            for g in (1, 2):
                if enum.group(g):
                    for s, e in _enumeration(text, base + enum.start(g), base + enum.end(g)):
                        item = re.sub(f"(?:等)?[\\d一二三四五六七八九十]+(?:大|个){_LEVELS}*$", "", text[s:e])
                        e = s + len(item)
                        if re.fullmatch(f"{_NAME_CHARS}{{1,10}}", item):
                            out.append(Mention(kind, s, e, item + head))
            continue
        begin = _left_boundary(text, m.start(), limit=20)
        name = text[begin : m.end()].replace("“", "").replace("”", "")
        bare = re.sub(f"^{_LEVELS}+", "", name)
        core = bare[: -len(m.group())]
        if len(core) < 2 or re.search("^(?:[各该本其]|优势|特色|支柱|战略|新兴|先进|传统|主导|重点|相关)", core):
            continue
        if re.search("(?:级|区|县|市|空壳)$", core) and kind == "IndustrialPark":
            continue
        if kind == "IndustrialPark" and not _is_specific_place(core):
            kind = "Program"  # a park named only by its industry is a designation, not a place
        out.append(Mention(kind, begin, m.end(), bare))
    return out


def _is_specific_place(core: str) -> bool:
    """Whether a park's name carries a place or a proper name (广州民营科技园), not only an industry."""
    return len(core) >= 10 or any(p in core for p in place_names()) or bool(re.search("[市区县镇村]", core))


def _programs(text: str, original: str) -> list[Mention]:
    out: dict[tuple[int, int], Mention] = {}
    # quoted names, merged with a cue that follows: “证照分离”改革, “3个百亿”中小企业基金
    for m in re.finditer(f"“([^”\n]{{2,20}})”({_NAME_CHARS}{{0,10}}?(?:{_PROGRAM_CUES}))?", text):
        inner = m.group(1)
        if re.search("[,，、;；。:：!！?？]", inner) or "□" in inner:
            continue
        before = text[max(0, m.start() - 2) : m.start()]
        if before.endswith("关于"):
            continue
        name = inner + (m.group(2) or "")
        aliases = (inner,) if m.group(2) else ()
        out[(m.start(), m.end())] = Mention(_program_kind(name), m.start(), m.end(), name, aliases=aliases)
    for m in re.finditer(f"(?:{_PROGRAM_CUES})+", text):
        end = m.end()
        if any(s < end <= e for s, e in out):
            continue
        begin = _phrase_start(text, m.start(), limit=22)
        name = text[begin:end].replace("“", "").replace("”", "")
        core = name[: -len(m.group())]
        generic = core in _GENERIC_PROGRAM or _PROGRAM_STOP.match(name) or re.search(r"\d+家|□", name)
        if len(re.findall(f"[{CJK}]", core)) < 2 or generic:
            continue
        out[(begin, end)] = Mention(_program_kind(name), begin, end, name)
    return list(out.values())


def _program_kind(name: str) -> str:
    if name.endswith("基金"):
        return "Fund"
    if name.endswith("贷"):
        return "LoanProduct"
    if name.endswith("平台"):
        return "Platform"
    return "Program"


def _in_sentence(ex: Extraction, offset: int, kinds: set[str]) -> list[Mention]:
    s = ex.sentence_of(offset)
    return [m for m in ex.mentions if s.start <= m.start < s.end and m.kind in kinds]


def _cluster_relations(text: str, ex: Extraction) -> list[Relation]:
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


def _platform_relations(text: str, ex: Extraction) -> list[Relation]:
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


def _issuers(text: str, ex: Extraction) -> list[Relation]:
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


def _administrators(text: str, ex: Extraction) -> list[Relation]:
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
