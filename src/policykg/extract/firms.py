"""Firms and banks: registered names by their suffix, names listed by cue, and the bank lexicon.

Four recognisers, in this order (a later one never takes a span an earlier one has taken):

1. ``以A、B为代表/为龙头/为核心/为链主`` and ``A、B等(一批|N家)…企业/龙头/银行``: the items of the list;
   a list whose head is a sector (等行业, 等关键部件, 等领域) names industries, not firms.
2. Names ending with a suffix of ``data/rules/firm_suffixes.tsv`` (…有限公司, …集团, …银行…分行,
   …证券交易所), which start after the last boundary word (``data/rules/boundary_words.tsv``).
3. Names and short forms of ``data/gazetteer/firms.tsv`` (建行, 北交所, 新三板) where they stand alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cache

from policykg.extract.common import (
    ANCHORS,
    NAME_CHARS,
    REGISTERED_ANCHORS,
    SEPARATOR,
    enumeration,
    left_boundary,
    list_items,
    stripped,
)
from policykg.extract.model import Mention, Relation
from policykg.resources import load_rules, load_table
from policykg.text import CJK, trie_pattern

__all__ = ["FIRM_ENUMERATION", "EnumerationMatch", "find_firms", "firm_enumerations", "led_lists"]

# Whole names that are kinds of firm, not firms (平台公司, 上市公司, 商业银行 …).
_GENERIC_FIRMS = re.compile(
    "^(?:(?:各类?|该|本|我|国有|大型|中小|小微|地方|民营|政府|平台|商业|合作|政策性|村镇|开发性|外资|相关|有关|其他|"
    "省属|市属|区属|县属|央企|国企|名企|龙头|骨干|重点|金融|投资|担保|融资|上市|拟上市|股份制|城市|农村)+"
    "(?:企业|公司|银行|集团|机构|证券|农商行|信用社)?|.*(?:等|及|与|的)|\\d+强|央企名企)$"
)
# Words that make a name a sector, product or place, not a firm.
_NOT_A_FIRM = re.compile("企业|产业|行业|机构|项目|单位|部门|政府|产品|领域|部件|园区|基地|集群|中心城区")

# An enumeration closed by 等 / N家 and a head noun saying what the items are.
_HEADS = "企业|公司|龙头|小巨人|链主|银行|金融机构|集团|厂商|品牌"
# What closes the list: 等(一批|N家) or N家, then the head noun (groups 2 and 3 of FIRM_ENUMERATION).
_ENUMERATION_TAIL = (
    f"(?:等(?:一批|多家|[\\d一二三四五六七八九十]+家)?|(?<=[{CJK}])[两一二三四五六七八九十]+家)"
    f"([{CJK}“”\"]{{0,8}}?)({_HEADS})"
)
FIRM_ENUMERATION = re.compile(f"((?:{NAME_CHARS}+、)*{NAME_CHARS}+(?:和{NAME_CHARS}+)?)" + _ENUMERATION_TAIL)
_TAIL = re.compile(_ENUMERATION_TAIL)
_CHAIN = re.compile(f"{NAME_CHARS}+(?:、{NAME_CHARS}+)*")
_NUMERALS = frozenset("两一二三四五六七八九十")
# Between 等 and the head noun: a sector (等行业龙头, 等关键部件企业) or a verb (等形式让企业) means the
# items are not firms; a rank (等重点企业, 等龙头企业) keeps them firms.
_SECTOR_HEAD = re.compile("行业|产业|领域|部件|产品|环节|配套|上下游|形式|方式|让|使|为|对|帮助|推动|引导|^地|地区|区域")
_RANK_HEAD = re.compile("龙头|小巨人|重点|骨干|链主|标杆|头部|领军|优质|知名")
_NAME_RUN = re.compile(f"[{CJK}A-Za-z0-9+.·、“”\"\\d]+")
# 以A、B为代表 / 为龙头 / 为链主 (以公平竞争为核心 is no list of firms)
_LED_BY = re.compile(f"以((?:{NAME_CHARS}|、)+?)(?:等)?为(?:代表|龙头|链主|龙头链主)")  # what led_lists finds
_LED_CUE = re.compile("为(?:代表|龙头|链主)")
_NOT_LED_CHAR = re.compile(f"[^{NAME_CHARS[1:-1]}、]")  # what ends the list of _LED_BY


class EnumerationMatch:
    """A match of FIRM_ENUMERATION as ``firm_enumerations`` finds it: its list (group 1) and its tail."""

    def __init__(self, start: int, end: int, tail: re.Match[str]) -> None:
        self.list, self.tail = (start, end), tail

    def span(self, group: int = 0) -> tuple[int, int]:
        if group == 0:
            return self.list[0], self.tail.end()
        return self.list if group == 1 else self.tail.span(group - 1)

    def start(self, group: int = 0) -> int:
        return self.span(group)[0]

    def end(self, group: int = 0) -> int:
        return self.span(group)[1]

    def group(self, group: int = 0) -> str:
        return self.tail.string[self.start(group) : self.end(group)]


def firm_enumerations(text: str) -> Iterator[EnumerationMatch]:
    """The matches of ``FIRM_ENUMERATION.finditer(text)``, in linear time.

    A match lies inside one run of ``_NAME_RUN`` characters and holds 等 or 家 and a head noun.
    The regex would backtrack over the whole list from every position of a list that does not
    end well (甲、乙、…、等企业): quadratic, worse with numerals. What it finds is simple: its list
    starts where a chain of 、-separated names starts (``_CHAIN``) and, being greedy, ends at the
    last position of the chain where the tail matches and a name has begun (not right after a 、).
    So each chain is read once, from its end; it gives at most one match, and when it has none,
    no later start in it has one either.
    """
    for run in _NAME_RUN.finditer(text):
        words = run.group()
        if not (("等" in words or "家" in words) and re.search(_HEADS, words)):
            continue
        pos, stop = run.start(), run.end()
        while (chain := _CHAIN.search(text, pos, stop)) is not None:
            tail = _last_tail(text, chain.start(), chain.end(), stop)
            if tail is None:
                pos = chain.end()
                continue
            yield EnumerationMatch(chain.start(), tail.start(), tail)
            pos = max(chain.end(), tail.end())


def _last_tail(text: str, start: int, end: int, stop: int) -> re.Match[str] | None:
    """The match of the tail at the last position of the chain ``text[start:end]`` (not its first, not
    right after a 、) where it matches; None if there is none."""
    at = end - 1
    while at > start:
        ch = text[at]
        if ch == "等" or ch in _NUMERALS:
            if text[at - 1] != "、":
                tail = _TAIL.match(text, at, stop)
                if tail:
                    return tail
            # from any numeral of a run, the tail reads the run to its end and goes on alike:
            # it fails at them all (the lookbehind holds inside the run)
            while ch in _NUMERALS and at - 1 > start and text[at - 1] in _NUMERALS:
                at -= 1
        at -= 1
    return None


def led_lists(text: str) -> Iterator[tuple[int, int]]:
    """The spans of group 1 of ``_LED_BY.finditer(text)`` (以A、B为代表, 以A等为龙头), in linear time.

    The lazy list reads on from every 以 to the first 为代表/为龙头/为链主 after it, or to the end of
    its run of name characters when there is none (quadratic for 以甲以甲…): the first cue and the
    end of the run are looked up instead. A 等 right before the cue is not part of the list.
    """
    cues = [m.start() for m in _LED_CUE.finditer(text)]
    stops = [m.start() for m in _NOT_LED_CHAR.finditer(text)]
    resume = 0
    for m in re.finditer("以", text):
        at = m.start()
        if at < resume:
            continue
        k = bisect_left(cues, at + 2)
        if k == len(cues):
            return
        cue = cues[k]
        end = cue - 1 if text[cue - 1] == "等" and cue - 1 >= at + 2 else cue
        b = bisect_left(stops, at + 1)
        if b == len(stops) or end <= stops[b]:
            yield at + 1, end
            resume = cue + 3


@cache
def _suffixes() -> tuple[tuple[re.Pattern[str], str, int, str], ...]:
    """(suffix, kind, window, anchors) for each row of data/rules/firm_suffixes.tsv."""
    return tuple(
        (re.compile(row[0]), row[1], int(row[2]), REGISTERED_ANCHORS if row[3] == "registered" else ANCHORS)
        for row in load_rules("firm_suffixes.tsv")
    )


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    """Names of ``firms.tsv`` (canonical names and short forms of three characters or more) → canonical name."""
    names: dict[str, str] = {}
    for row in load_table("firms.tsv"):
        for name in (row[0], *(row[1].split("|") if len(row) > 1 and row[1] else [])):
            if len(name) >= 2:
                names.setdefault(name, row[0])
    return re.compile(trie_pattern(sorted(names))), names


def _firm_mention(text: str, s: int, e: int, *, rule: str, score: float) -> Mention | None:
    while s < e and text[s] in "“”\"":
        s += 1
    while e > s and text[e - 1] in "“”\"":
        e -= 1
    name = text[s:e]
    if len(re.findall(f"[{CJK}]", name)) < 2 or re.match(r"\d", name):
        return None
    if not (2 <= len(name) <= 30) or not re.fullmatch(f"{NAME_CHARS}+", name) or _GENERIC_FIRMS.match(name):
        return None
    if _NOT_A_FIRM.search(name) or "□" in name:
        return None
    kind = "Bank" if re.search("银行|农商行|信用社|信用联社|(?:分|支)行$", name) else "Firm"
    return Mention(kind, s, e, name, rule=rule, score=score)


def find_firms(text: str) -> tuple[list[Mention], list[Relation]]:
    """Firm and bank mentions in a masked text (agencies and titles already masked), and loan products."""
    found: dict[tuple[int, int], Mention] = {}
    taken = bytearray(len(text))  # the characters of the names found: a new one may not overlap them

    def add(s: int, e: int, rule: str, score: float) -> None:
        m = _firm_mention(text, s, e, rule=rule, score=score)
        if m and taken.find(1, m.start, m.end) < 0:
            found[(m.start, m.end)] = m
            taken[m.start : m.end] = b"\1" * (m.end - m.start)

    for start, end in led_lists(text):
        for s, e in list_items(text, start, end):
            add(s, e, "firm-led-by", 0.9)
    for it in firm_enumerations(text):
        middle = it.group(2)
        if re.match("行业|产业|领域|地", middle) or (_SECTOR_HEAD.search(middle) and not _RANK_HEAD.search(middle + it.group(3))):
            continue
        start = it.start(1)
        appositive = it.group(1).rfind("企业")  # 重点企业甲乙科技等企业: the list begins after the noun
        if appositive >= 0:
            start += appositive + 2
        for s, e in enumeration(text, start, it.end(1)):
            add(s, e, "firm-enumeration", 0.8)
    for pattern, _kind, window, anchors in _suffixes():
        for m in pattern.finditer(text):
            begin = left_boundary(text, m.start(), limit=window, anchors=anchors)
            if m.start() - begin >= 2:
                add(begin, m.end(), "firm-suffix", 0.85)
    lexicon, _names = _lexicon()
    for m in lexicon.finditer(text):
        after = text[m.end() : m.end() + 1]
        if len(m.group()) >= 3 or not after or not re.match(f"[{CJK}]", after) or after in "达与和及等的推开发支向为在已":
            add(m.start(), m.end(), "firm-lexicon", 0.95)
    mentions = sorted(found.values(), key=lambda m: m.start)
    return mentions, _loan_products(text, mentions)


_OFFER = re.compile("(?:开发|推出|创新推出|发行|设立)(?:了)?")
_OFFER_END = re.compile("[,，。;；]|等")


def _loan_products(text: str, firms: list[Mention]) -> list[Relation]:
    """Bank 开发/推出 product、product: loan products offered by the bank (as Program mentions).

    The list ends at punctuation, 等, or an item that holds the start of a firm (another bank
    开发…): each bank reads only its own list.
    """
    out = []
    firm_starts = sorted(f.start for f in firms)
    stops: list[int] = []  # where _OFFER_END matches, in order, found as far as needed; len(text) closes it
    for bank in (f for f in firms if f.kind == "Bank"):
        m = _OFFER.match(text, bank.end)
        if not m:
            continue
        pos = m.end()
        while not stops or stops[-1] < min(pos, len(text)):
            found = _OFFER_END.search(text, stops[-1] + 1 if stops else 0)
            stops.append(found.start() if found else len(text))
        end = stops[bisect_left(stops, pos)]
        for s, e in _offered(text, pos, end, firm_starts):
            name = text[s:e].strip("“”\"")
            kind = "Fund" if name.endswith("基金") else "LoanProduct"
            if 2 <= len(name) <= 20:
                product = Mention(kind, s, e, name, rule="bank-product", score=0.8)
                out.append(Relation(product, "offeredBy", bank, evidence=bank.start, rule="bank-product", score=0.8))
    return out


def _offered(text: str, start: int, end: int, firm_starts: list[int]) -> Iterator[tuple[int, int]]:
    """The items of ``text[start:end]`` (as ``list_items``) up to the first one that holds the start of a
    firm. An item is read only as far as the next firm's start: past it, the item holds it."""
    pos = start
    k = bisect_left(firm_starts, pos)
    while True:
        while k < len(firm_starts) and firm_starts[k] < pos:
            k += 1
        firm = firm_starts[k] if k < len(firm_starts) and firm_starts[k] < end else None
        shown = firm is not None and not text[firm].isspace()
        sep = SEPARATOR.search(text, pos, firm + 1 if shown and firm is not None else end)
        if sep is None and shown:
            return  # the item from pos runs past the firm's start
        for s, e in stripped(text, pos, sep.start() if sep else end):
            f = bisect_left(firm_starts, s)
            if f < len(firm_starts) and firm_starts[f] < e:
                return
            yield s, e
        if sep is None:
            return
        pos = sep.end()
