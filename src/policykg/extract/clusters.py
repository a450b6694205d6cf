"""Industry clusters and parks: names by their suffix (data/rules/cluster_suffixes.tsv), and enumerations.

A name ends with a suffix (…产业集群, …经济开发区, …片区, …试验基地) and begins after the last anchor
word in its clause; leading counts, years and levels are not part of it (55个市级现代农业产业园 →
现代农业产业园). An enumeration (汽车、电子三大千亿级产业集群) gives one cluster per item.
"""

from __future__ import annotations

import re
from functools import cache

from policykg.extract.common import ANCHORS, LEVELS, NAME_CHARS, enumeration, left_boundary
from policykg.extract.model import Mention
from policykg.places import place_cores
from policykg.resources import load_rules
from policykg.text import CJK, trie_pattern

__all__ = ["find_clusters"]

# Inside a cluster's name, 和/及 join industries (金属新材料及汽车零部件产业集群); a count (12个) ends
# what comes before it.
_CLUSTER_ANCHORS = "|".join(a for a in ANCHORS.split("|") if a not in ("和", "及")) + "|[\\d一二三四五六七八九十百两]+个"
# What may open a name but is not part of it: counts, years, levels, 全市/我省, 了.
_LEADING = re.compile(
    f"(?:\\d{{4}}年(?:度)?|[\\d一二三四五六七八九十百两]+(?:个|家|项|批|大)|第[\\d一二三四五六七八九十]+批|"
    f"全[国省市区县]|[我本该你贵][国省市区县]|了|[与和及把给对向在将为从](?!平|林格尔)|{LEVELS})+"
)
_ENUMERATION = re.compile(
    f"((?:{NAME_CHARS}+?、)+{NAME_CHARS}+?)(?:等)?[\\d一二三四五六七八九十]+(?:大|个){LEVELS}?"
    f"(?:[{CJK}]{{0,4}}?)(?:和((?:{NAME_CHARS}+?、)+{NAME_CHARS}+?)[\\d一二三四五六七八九十]+大{LEVELS}?)?$"
)


@cache
def _suffixes() -> tuple[tuple[re.Pattern[str], str, int], ...]:
    return tuple((re.compile(row[0]), row[1], int(row[2])) for row in load_rules("cluster_suffixes.tsv"))


@cache
def _generic(use: str) -> re.Pattern[str]:
    words = [row[0] for row in load_rules("generic_modifiers.tsv") if row[1] == use]
    return re.compile(f"(?:{trie_pattern(words)})+$" if use == "core" else trie_pattern(words))


@cache
def _places() -> re.Pattern[str]:
    return re.compile(trie_pattern(sorted(place_cores())))


def find_clusters(text: str) -> list[Mention]:
    """Cluster and park mentions in a masked text (agencies, firms and titles already masked)."""
    out: list[Mention] = []
    matches = sorted(((m, kind, window) for pattern, kind, window in _suffixes() for m in pattern.finditer(text)),
                     key=lambda t: (t[0].start(), -t[0].end()))
    last_end = 0
    for m, kind, window in matches:
        if m.start() < last_end:
            continue  # inside a name already found (…产业园区 after …园区)
        found = _enumerated(text, m) if kind == "IndustryCluster" else []
        if not found:
            mention = _named(text, m, kind, window, floor=last_end)
            found = [mention] if mention else []
        out += found
        if found:
            last_end = m.end()
    return out


def _enumerated(text: str, m: re.Match[str]) -> list[Mention]:
    """汽车、电子、能源三大千亿级和生物医药、化工四大500亿级产业集群: one cluster per industry."""
    base = max(0, m.start() - 80)
    enum = _ENUMERATION.search(text[base : m.start()])
    if not enum:
        return []
    out = []
    for g in (1, 2):
        if enum.group(g):
            for s, e in enumeration(text, base + enum.start(g), base + enum.end(g)):
                item = re.sub(f"(?:等)?[\\d一二三四五六七八九十]+(?:大|个){LEVELS}*$", "", text[s:e])
                if re.fullmatch(f"{NAME_CHARS}{{1,10}}", item):
                    out.append(Mention("IndustryCluster", s, s + len(item), item + "产业集群", rule="cluster-enumeration",
                                       score=0.8))
    return out


def _named(text: str, m: re.Match[str], kind: str, window: int, *, floor: int) -> Mention | None:
    begin = start = max(floor, left_boundary(text, m.start(), limit=window, anchors=_CLUSTER_ANCHORS, joined="-—"))
    lead = _LEADING.match(text, begin, m.start())
    if lead:
        begin = lead.end()
    country = re.search("中国[(（][\u4e00-\u9fff]{2,4}[)）]$", text[max(0, begin - 8) : begin])
    if country:  # 中国(广东)自由贸易试验区…片区
        begin -= len(country.group())
    surface = re.sub("[“”\"]", "", text[start : m.end()])
    name = re.sub("[“”\"]", "", text[begin : m.end()])
    core = name[: len(name) - len(m.group())]
    if len(re.findall(f"[{CJK}A-Za-z0-9]", core)) < 2 or re.match("[各该本其此这]", core) or "□" in core:
        return None
    place = _places().match(core)
    if _generic("core").fullmatch(core) or (place and _generic("core").fullmatch(core[place.end() :])):
        return None  # 未来产业集群, 重庆市中小企业特色产业集群: kinds of cluster, not one
    if m.group().startswith("示范") and not place and not _places().search(core):
        kind = "Program"  # 先行示范区, 产业示范基地 without a place: a designation
    if kind == "IndustrialPark" and not _is_specific_place(core):
        kind = "Program"  # a park named only by generic words is a designation, not a place
    aliases = (surface,) if surface != name and re.match("全[国省市区县]", surface) else ()  # 全省…产业基地
    return Mention(kind, begin, m.end(), name, aliases=aliases, rule="cluster-suffix",
                   score=0.8 if kind != "Program" else 0.6)


def _is_specific_place(core: str) -> bool:
    """Whether a park's name carries a place or a proper name (广州民营科技园, 木兰玻璃工业园), not only
    generic words (现代农业产业园, 绿色食品产业园).

    >>> _is_specific_place("怀集丝苗米"), _is_specific_place("木兰玻璃"), _is_specific_place("现代农业")
    (True, True, False)
    """
    if _places().search(core) or re.match(f"[{CJK}]{{2,4}}[镇乡村]", core):
        return True
    return not _generic("designation").match(core)
