"""Shared pieces of the recognisers: anchor words, name characters, phrase boundaries, enumerations."""

from __future__ import annotations

import re

from policykg.resources import load_rules
from policykg.text import CJK

_BASE_ANCHORS = (
    "深入实施|持续实施|推进实施|组织实施|实施|推行|深化|开展|建立|建设|推进|启动|设立|打造|组建|制定|落实|"
    "发挥|实行|试行|推广|出台|兑现|统筹|首创|开发|创建|培育|举办|成立|构建|形成|加强|支持|鼓励|引导|"
    "依托|围绕|通过|做好|抓好|承担|争取|申报|纳入|列入|入选|获批|完善|健全|优化|探索|参与|启用|上线|"
    "引进|带动|包括|例如|如|其中|到|前往|联合|与|和|及|以|对|的|在|将|是|为|推动|发展|加快|提升|促进|"
    "新建|谋划|申请|升级|建议|首个|首批|一批|一个|重视|就|细化|等|关于|对标"
)
# The anchor words and the boundary words of data/rules/boundary_words.tsv, longest first.
ANCHORS = "|".join(
    sorted({*_BASE_ANCHORS.split("|"), *(row[0] for row in load_rules("boundary_words.tsv"))}, key=lambda w: (-len(w), w))
)
LEVELS = "(?:世界级|国家级|省级|市级|区级|县级|镇级|村级|千亿级|百亿级|万亿级|\\d+亿级|[一二三四五六七八九十\\d]+大)"
NAME_CHARS = f"[{CJK}A-Za-z0-9+.·×]"


# Anchor words that also stand inside registered firm names (四川发展, 华西建设, …开发有限公司).
_IN_REGISTERED_NAMES = {
    "开发", "发展", "建设", "创建", "构建", "联合", "升级", "促进", "提升", "优化", "完善", "健全", "和", "研究", "服务于",
}
REGISTERED_ANCHORS = "|".join(a for a in ANCHORS.split("|") if a not in _IN_REGISTERED_NAMES)


def left_boundary(text: str, end: int, *, limit: int = 24, anchors: str = ANCHORS, joined: str = "") -> int:
    """Start of the noun phrase that ends at ``end``: after the last anchor word or punctuation.

    ``joined``: punctuation that joins parts of one name (毕节—六盘水—黔西南…产业集聚区).
    """
    start = max(0, end - limit)
    window = text[start:end]
    cut = 0
    for m in re.finditer(f"[^{CJK}A-Za-z0-9+.·“”\"{re.escape(joined)}]|□|{anchors}", window):
        cut = m.end()
    return start + cut


def phrase_start(text: str, end: int, *, limit: int) -> int:
    """Start of a programme's name ending at ``end``: after the nearest anchor word that leaves
    a name of four characters or more (an anchor inside a name, 人才培育计划, is skipped)."""
    start = max(0, end - limit)
    window = text[start:end]
    stops = [m.end() for m in re.finditer(f"[^{CJK}A-Za-z0-9+.·“”\"]|□", window)]
    floor = stops[-1] if stops else 0
    cuts = [m.end() for m in re.finditer(ANCHORS, window) if m.start() >= floor]
    for cut in reversed(cuts):
        if len(re.findall(f"[{CJK}]", window[cut:])) >= 4:
            return start + cut
    return start + (cuts[0] if cuts else floor)


def list_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
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


def enumeration(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Items of A、B和C where a verb or anchor may stand before the first item (带动A、B).

    The list starts after the last anchor word in the span (separators 和/及/与 aside)
    that still leaves items of two characters or more.
    """
    anchors = "|".join(a for a in ANCHORS.split("|") if a not in ("和", "及", "与"))
    cuts = [0] + [m.end() for m in re.finditer(f"[^{CJK}A-Za-z0-9+.·、]|{anchors}", text[start:end])]
    for cut in reversed(cuts):
        items = list_items(text, start + cut, end)
        if items and all(e - s >= 2 for s, e in items):
            return items
    return []
