"""Shared pieces of the recognisers: anchor words, name characters, phrase boundaries, enumerations."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

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


def stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` without the white space around it, if anything is left (as ``list_items``)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


SEPARATOR = re.compile("、|和|及|与|,")
_ENUMERATION_CUT = re.compile(
    f"[^{CJK}A-Za-z0-9+.·、]|" + "|".join(a for a in ANCHORS.split("|") if a not in ("和", "及", "与"))
)
_TWO_SHOWN = re.compile(r"\s*\S\s*\S")
_ONE_SHOWN = re.compile(r"\s*\S")


def enumeration(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Items of A、B和C where a verb or anchor may stand before the first item (带动A、B).

    The list starts after the last anchor word in the span (separators 和/及/与 aside)
    that still leaves items of two characters or more. Each start is tested in constant
    time: only the first item depends on it, the items after its first separator do not.
    """
    cuts = [start, *(m.end() for m in _ENUMERATION_CUT.finditer(text, start, end))]
    seps = [m.start() for m in SEPARATOR.finditer(text, start, end)]
    # over the pieces after separator k: all items of two characters or more, and any item at all
    all_long, any_item = [True] * (len(seps) + 1), [False] * (len(seps) + 1)
    for k in range(len(seps) - 1, -1, -1):
        size = _shown(text, seps[k] + 1, seps[k + 1] if k + 1 < len(seps) else end)
        all_long[k] = all_long[k + 1] and size != 1
        any_item[k] = any_item[k + 1] or size > 0
    for cut in reversed(cuts):
        k = bisect_left(seps, cut)
        if not all_long[k]:
            continue
        size = _shown(text, cut, seps[k] if k < len(seps) else end)
        if size != 1 and (size > 0 or any_item[k]):
            return list_items(text, cut, end)
    return []


def _shown(text: str, start: int, end: int) -> int:
    """How long ``text[start:end]`` is without the white space around it: 0, 1, or 2 for two or more."""
    return 2 if _TWO_SHOWN.match(text, start, end) else 1 if _ONE_SHOWN.match(text, start, end) else 0
