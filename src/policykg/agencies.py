"""Recognise government bodies in running text by the grammar of their names.

An agency name is a jurisdiction prefix (广州市, 市, 区, 省, 国家…), a body of function
words and a suffix (局, 委员会, 厅, 办公室, 领导小组…). Central bodies without a prefix
(财政部, 国务院) come from ``data/gazetteer/central.tsv``; standard contractions
(工信局, 发展改革委) from ``abbreviations.tsv``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache

from policykg.places import places
from policykg.resources import load_table
from policykg.text import CJK, trie_pattern

__all__ = [
    "PRONOUNS",
    "AgencySpan",
    "central_aliases",
    "find_agencies",
    "has_agency_suffix",
    "place_names",
]

# Suffixes, longest first so that 委员会 wins over 委 at the same position.
_SUFFIXES = (
    "领导小组办公室|管理委员会|人大常委会|人民政府|领导小组|委员会|管委会|办公室|办公厅|办事处|工作组|专项组|"
    "联合会|中心支行|促进中心|服务中心|开发中心|交易中心|事务中心|管理中心|部门|总社|联社|分局|总局|分行|政府|政协|"
    "工商联|局|委|厅|办|部|署"
)
_PARENT_SUFFIXES = ("委", "政府", "人民政府", "政协", "人大常委会", "领导小组", "委员会")
_SPECIAL_HEADS = ("委", "人民政府", "政府", "政协", "人大常委会", "人大", "工商联")
_SHORT_PREFIXES = ("自治区", "国家", "省", "市", "区", "县", "镇")
# Characters that, standing before a one-character prefix, make it part of another word
# (全市, 我区, 园区, 跨省 …).
_NOT_BEFORE = {
    "市": set("全本城各该都超门上开股夜集菜街闹地县入州盟"),
    "区": set("全本城园社山地片景街辖港郊市小特新展湾范验心专禁老库垦林牧灾该各两城校"),
    "省": set("全本各外该跨两"),
    "县": set("全各本该区市郡"),
    "镇": set("我全各本该乡城重小强名"),
}
_BODY_STOP = set("的了在对等将为与是有向把被从于已并个项年月日也就而或但其之这那些此各每所让使给着过及即级两到至赴最内届由")
_BAD_WORDS = (
    "书记", "市长", "区长", "省长", "主席", "同志", "主任", "局长", "厅长", "部长", "代表", "委员会同",
    "高度", "重视", "印发", "会同", "牵头", "负责", "督办", "配合", "联合", "认真", "积极", "全面",
    "履行", "明确", "出台", "发布", "召开", "举办", "按照", "根据", "要求", "提出", "分管", "担任",
    "委托", "部署", "安排", "签署", "领导同志", "主要领导", "干部", "函送", "报送", "转送", "分别", "共同", "争取",
    "相关部门", "有关部门", "布局", "格局", "数字政府", "智慧政府", "法治政府", "服务型政府", "有为政府",
)
_GENERIC_BODIES = {"直", "有关", "相关", "职能", "主管", "责任", "各有", "级", "部委", "域"}
PRONOUNS = (
    "我局", "我委", "我厅", "我部", "我办", "我单位", "我区政府", "我市政府", "我署", "我院", "我分行", "我中心", "贵单位",
)


@dataclass(frozen=True)
class AgencySpan:
    """An agency name found in text: ``text[start:end]``, and its prefix (``市``, ``广州市``, ``""``)."""

    start: int
    end: int
    prefix: str
    pronoun: bool = False


@cache
def place_names() -> tuple[str, ...]:
    """Place names and their aliases of two or more characters, longest first."""
    return tuple(sorted(places(), key=lambda n: (-len(n), n)))


@cache
def central_aliases() -> dict[str, str]:
    """Every name of a central body (canonical and aliases) → its canonical name."""
    out: dict[str, str] = {}
    for row in load_table("central.tsv"):
        out[row[0]] = row[0]
        for alias in row[1].split("|") if len(row) > 1 and row[1] else []:
            out[alias] = row[0]
    return out


@cache
def _unprefixed_names() -> tuple[str, ...]:
    """Agency names that stand without a jurisdiction prefix: contractions such as 工信厅, 国资委."""
    names = {cell for row in load_table("abbreviations.tsv") for cell in row[:2]}

    return tuple(sorted((n for n in names if len(n) >= 3 and has_agency_suffix(n)), key=lambda n: (-len(n), n)))


_SUFFIX_AT_END = re.compile(f"(?:{_SUFFIXES})$")


def has_agency_suffix(name: str) -> bool:
    """Whether a name ends like a government body.

    >>> has_agency_suffix("市规划和自然资源局"), has_agency_suffix("广州银行")
    (True, False)
    """
    return bool(_SUFFIX_AT_END.search(name))


_SUFFIX_AT = re.compile(_SUFFIXES)
_MAX_BODY = 16
_CJK_CHAR = re.compile(f"[{CJK}]")
_BAD_WORD_AT = re.compile("|".join(_BAD_WORDS))
_SHORT_PREFIX_AT = re.compile("|".join(_SHORT_PREFIXES))
# A special head (委, 政府…) is not one when 员会 or 办公 follows it in the same run of CJK
# characters (市委员会, 市政府办公厅): the regex's lookahead, f"(?![{CJK}]*?(?:员会|办公))", read
# the run to its end at every head; ``_Ahead`` answers the same question from two lists of positions.
_OFFICE_WORD = re.compile("员会|办公")
_NOT_CJK_RUN = re.compile(f"[^{CJK}]+")


class _Ahead:
    """Whether 员会 or 办公 follows a position of one text within its run of CJK characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[int] | None = None
        self.breaks: list[tuple[int, int]] = []

    def office_word_follows(self, pos: int) -> bool:
        if self.words is None:  # listed once per text, when first asked
            self.words = [m.start() for m in _OFFICE_WORD.finditer(self.text)]
            self.breaks = [m.span() for m in _NOT_CJK_RUN.finditer(self.text)]
        k = bisect_left(self.words, pos)
        if k == len(self.words):
            return False
        b = bisect_right(self.breaks, (pos, len(self.text) + 1)) - 1  # the last run of other characters starting at or before pos
        if b >= 0 and self.breaks[b][1] > pos:
            return False  # pos is not a CJK character
        run_end = self.breaks[b + 1][0] if b + 1 < len(self.breaks) else len(self.text)
        return self.words[k] < run_end


def _special_head_end(text: str, body: int, ahead: _Ahead) -> int | None:
    """End of the special head (委, 人民政府, 政府, 政协, 人大常委会, 人大, 工商联) at ``body``, if it is one."""
    for head in _SPECIAL_HEADS:
        if text.startswith(head, body) and not ahead.office_word_follows(body + len(head)):
            return body + len(head)
    return None


@cache
def _place_name_at() -> re.Pattern[str]:
    """All place names as one alternation, longest first, so a match is the longest name at a position."""
    return re.compile(trie_pattern(place_names()))


@cache
def _prefix_start() -> re.Pattern[str]:
    """Positions where a place name or a short prefix starts: the only places an agency name may start.

    The leading character class only lets the regex engine skip quickly to possible starts.
    """
    names = (*place_names(), *_SHORT_PREFIXES)
    firsts = re.escape("".join(sorted({name[0] for name in names})))
    return re.compile(f"(?=[{firsts}])(?={trie_pattern(names)})")


@cache
def _domain_names() -> tuple[str, ...]:
    """A domain of ``english.tsv`` with a head: 财政厅, 农业农村局 (内蒙古自治区工业和信息化厅 财政厅联合印发).

    Matched only where no other word runs into it (after a separator or punctuation), so that
    社会保障厅 is not read inside 人力资源社会保障厅.
    """
    domains = [row[1] for row in load_table("english.tsv") if row[0] == "domain" and len(row[1]) >= 2]
    return tuple(sorted({d + head for d in domains for head in ("厅", "局")}, key=lambda n: (-len(n), n)))


@cache
def _standalone_names() -> tuple[str, ...]:
    """Names matched without a prefix, in matching order: central bodies (longest first), then contractions."""
    return (*sorted(central_aliases(), key=lambda n: (-len(n), n)), *_unprefixed_names())


def _prefix_at(text: str, i: int) -> str:
    """The jurisdiction prefix starting at ``i``, or ``""``."""
    if text.startswith("市场", i):
        return ""
    place = _place_name_at().match(text, i)
    if place:
        return place.group()
    short = _SHORT_PREFIX_AT.match(text, i)
    if not short:
        return ""
    before = text[i - 1] if i > 0 else ""
    if len(short.group()) == 1 and before in _NOT_BEFORE.get(short.group(), set()):
        return ""
    return short.group()


def _body_end(text: str, start: int) -> int | None:
    """End of the shortest agency name whose body starts at ``start``, or ``None``.

    The name ends with the first suffix after at least one character of body.
    """
    i = start
    while i < len(text) and i - start <= _MAX_BODY:
        ch = text[i]
        if not _CJK_CHAR.match(ch) or ch in _BODY_STOP:
            break
        if _BAD_WORD_AT.match(text, i):
            break
        if i > start and text[i - 1] in "和及" and _prefix_at(text, i):
            break
        suffix = _SUFFIX_AT.match(text, i) if i > start else None
        if suffix and not (suffix.group() == "办" and text[suffix.end() : suffix.end() + 1] in ("法", "理")):
            return suffix.end()  # 办 of 办法/办理 ends no name
        i += 1
    return None


def _match_prefixed(text: str, i: int, ahead: _Ahead | None = None) -> AgencySpan | None:
    prefix = _prefix_at(text, i)
    if not prefix:
        before = text[i - 1] if i else ""
        if text.startswith("市场监", i) and before != "市":
            end = _body_end(text, i)
            return AgencySpan(i, end, "") if end is not None else None
        return None
    body = i + len(prefix)
    # a further place name (广州市 + 白云区) belongs to the prefix
    sub = _prefix_at(text, body)
    if sub and sub not in _SHORT_PREFIXES:
        body += len(sub)
    if text[body : body + 2] in _GENERIC_BODIES or text[body : body + 1] in _GENERIC_BODIES:
        return None
    special_end = _special_head_end(text, body, ahead or _Ahead(text))
    if special_end is not None:
        if text.startswith("人大", body) and not text.startswith("人大常委会", body):
            return None
        # 市委 + 组织部, 市政府 + 办公厅: a body may continue a parent body
        more = _body_end(text, special_end)
        return AgencySpan(i, more if more is not None else special_end, prefix)
    end = _body_end(text, body)
    if end is None:
        return None
    name_suffix = _SUFFIX_AT_END.search(text[i:end])
    if name_suffix and name_suffix.group() in _PARENT_SUFFIXES:
        more = _body_end(text, end)
        if more is not None:
            end = more
    branch = _BRANCH.match(text, end)  # 广州市规划和自然资源局 + 番禺区分局: one body
    if branch:
        end = branch.end()
    return AgencySpan(i, end, prefix)


_BRANCH = re.compile(f"[{CJK}]{{1,4}}?[区县市]分局")
_BANK_BRANCH = re.compile(f"(?:中国)?人民银行[{CJK}]{{2,4}}?(?:中心支行|分行|营业管理部)")


def find_agencies(text: str) -> list[AgencySpan]:
    """Agency names in a (matching-form, masked) text, left to right, without overlaps.

    >>> t = "由我局会同市住房城乡建设局、市供销总社和市规划和自然资源局负责办理"
    >>> [t[a.start:a.end] for a in find_agencies(t)]
    ['我局', '市住房城乡建设局', '市供销总社', '市规划和自然资源局']
    """
    found: list[AgencySpan] = []
    taken = [False] * len(text)

    def add(span: AgencySpan) -> None:
        if not any(taken[span.start : span.end]):
            found.append(span)
            for k in range(span.start, span.end):
                taken[k] = True

    if "人民银行" in text:  # checked first: the pattern's optional 中国 keeps the engine from a quick literal search
        for m in _BANK_BRANCH.finditer(text):
            add(AgencySpan(m.start(), m.end(), ""))
    for pronoun in (p for p in PRONOUNS if p in text):
        for m in re.finditer(pronoun, text):
            add(AgencySpan(m.start(), m.end(), "", pronoun=True))
    # left to right; after a name, go on at its end (a name can only start where a prefix does)
    resume = 0
    ahead = _Ahead(text)
    for start in _prefix_start().finditer(text):
        i = start.start()
        span = None if i < resume or taken[i] else _match_prefixed(text, i, ahead)
        if span:
            add(span)
            resume = span.end
    for name in _standalone_names():
        if name not in text:
            continue
        for m in re.finditer(re.escape(name), text):
            before = text[m.start() - 1] if m.start() else ""
            if (before in "市区省县自" and before) or (
                len(name) < 3 and _CJK_CHAR.match(before or " ") and before not in "、和及与同商经由在对向据"
            ):
                continue
            add(AgencySpan(m.start(), m.end(), ""))
    for name in _domain_names():
        if name not in text:
            continue
        for m in re.finditer(re.escape(name), text):
            before = text[m.start() - 1] if m.start() else ""
            if not _CJK_CHAR.match(before or " ") or before in "、和及与同商经由在对向据":
                add(AgencySpan(m.start(), m.end(), ""))
    return sorted(found, key=lambda a: a.start)
