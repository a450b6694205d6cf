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
from collections.abc import Iterator
from functools import cache

from policykg.extract.common import ANCHORS, NAME_CHARS, REGISTERED_ANCHORS, enumeration, left_boundary, list_items
from policykg.extract.model import Mention, Relation
from policykg.resources import load_rules, load_table
from policykg.text import CJK, trie_pattern

__all__ = ["FIRM_ENUMERATION", "find_firms", "firm_enumerations"]

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
FIRM_ENUMERATION = re.compile(
    f"((?:{NAME_CHARS}+、)*{NAME_CHARS}+(?:和{NAME_CHARS}+)?)"
    f"(?:等(?:一批|多家|[\\d一二三四五六七八九十]+家)?|(?<=[{CJK}])[两一二三四五六七八九十]+家)"
    f"([{CJK}“”\"]{{0,8}}?)({_HEADS})"
)
# Between 等 and the head noun: a sector (等行业龙头, 等关键部件企业) or a verb (等形式让企业) means the
# items are not firms; a rank (等重点企业, 等龙头企业) keeps them firms.
_SECTOR_HEAD = re.compile("行业|产业|领域|部件|产品|环节|配套|上下游|形式|方式|让|使|为|对|帮助|推动|引导|^地|地区|区域")
_RANK_HEAD = re.compile("龙头|小巨人|重点|骨干|链主|标杆|头部|领军|优质|知名")
_NAME_RUN = re.compile(f"[{CJK}A-Za-z0-9+.·、“”\"\\d]+")
# 以A、B为代表 / 为龙头 / 为链主 (以公平竞争为核心 is no list of firms)
_LED_BY = re.compile(f"以((?:{NAME_CHARS}|、)+?)(?:等)?为(?:代表|龙头|链主|龙头链主)")


def firm_enumerations(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``FIRM_ENUMERATION.finditer(text)``, without its backtracking over every run of text.

    A match lies inside one run of ``_NAME_RUN`` characters and holds 等 or 家 and a head noun.
    """
    for run in _NAME_RUN.finditer(text):
        words = run.group()
        if ("等" in words or "家" in words) and re.search(_HEADS, words):
            yield from FIRM_ENUMERATION.finditer(text, run.start(), run.end())


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

    def add(s: int, e: int, rule: str, score: float) -> None:
        m = _firm_mention(text, s, e, rule=rule, score=score)
        if m and not any(a < m.end and m.start < b for a, b in found):
            found[(m.start, m.end)] = m

    for m in _LED_BY.finditer(text):
        for s, e in list_items(text, m.start(1), m.end(1)):
            add(s, e, "firm-led-by", 0.9)
    for m in firm_enumerations(text):
        middle = m.group(2)
        if re.match("行业|产业|领域|地", middle) or (_SECTOR_HEAD.search(middle) and not _RANK_HEAD.search(middle + m.group(3))):
            continue
        start = m.start(1)
        appositive = m.group(1).rfind("企业")  # 重点企业甲乙科技等企业: the list begins after the noun
        if appositive >= 0:
            start += appositive + 2
        for s, e in enumeration(text, start, m.end(1)):
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
        for s, e in list_items(text, pos, end):
            if any(f.start == s for f in firms):
                break
            name = text[s:e].strip("“”\"")
            kind = "Fund" if name.endswith("基金") else "LoanProduct"
            if 2 <= len(name) <= 20:
                product = Mention(kind, s, e, name, rule="bank-product", score=0.8)
                out.append(Relation(product, "offeredBy", bank, evidence=bank.start, rule="bank-product", score=0.8))
    return out
