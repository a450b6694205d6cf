"""Firms and banks: registered names by their suffix, names listed by cue (以A、B为代表, A、B等企业)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policykg.extract.common import NAME_CHARS, enumeration, left_boundary, list_items
from policykg.extract.model import Mention, Relation
from policykg.text import CJK

_FIRM_SUFFIX = "股份有限公司|有限责任公司|有限公司|集团|公司|银行|证券|股份"
_GENERIC_FIRMS = re.compile(
    "^(?:[各该本我国有大中小型地方民营政府平台商业合作政策性村镇开发性外资相关有关其他银行]+|"
    "平台公司|国有企业|投资公司|担保公司|商业银行|合作银行|农商银行|村镇银行|金融机构|上市公司|"
    ".*(?:等|及|与|的))$"
)

FIRM_ENUMERATION = re.compile(
    f"((?:{NAME_CHARS}+、)*{NAME_CHARS}+(?:和{NAME_CHARS}+)?)"
    f"(?:等(?:一批|[\\d一二三四五六七八九十]+家)?|(?<=[{CJK}])[两一二三四五六七八九十]+家)"
    f"[{CJK}]{{0,8}}?(?:企业|公司)"
)
_NAME_RUN = re.compile(f"[{CJK}A-Za-z0-9+.·、\\d]+")


def firm_enumerations(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``FIRM_ENUMERATION.finditer(text)``, without its backtracking over every run of text.

    A match lies inside one run of ``_NAME_RUN`` characters and holds 等 or 家 and 企业 or 公司.
    """
    for run in _NAME_RUN.finditer(text):
        words = run.group()
        if ("等" in words or "家" in words) and ("企业" in words or "公司" in words):
            yield from FIRM_ENUMERATION.finditer(text, run.start(), run.end())


def _firm_mention(text: str, s: int, e: int) -> Mention | None:
    name = text[s:e].strip("“”\"")
    if len(re.findall(f"[{CJK}]", name)) < 2 or re.match(r"\d", name):
        return None
    if not (2 <= len(name) <= 20) or not re.fullmatch(f"{NAME_CHARS}+", name) or _GENERIC_FIRMS.match(name):
        return None
    if re.search("企业|产业|行业|机构|项目|单位|部门|政府|产品", name) or "□" in name:
        return None
    kind = "Bank" if name.endswith("银行") else "Firm"
    return Mention(kind, s, e, name)


def find_firms(text: str) -> tuple[list[Mention], list[Relation]]:
    found: dict[tuple[int, int], Mention] = {}

    def add(s: int, e: int) -> Mention | None:
        m = _firm_mention(text, s, e)
        if m and not any(a <= s < b or a < e <= b for a, b in found):
            found[(s, e)] = m
        return m

    # 以A、B为代表 / 以A为龙头(链主)
    for m in re.finditer(f"以((?:{NAME_CHARS}|、)+?)为(?:代表|龙头|链主|龙头链主)", text):
        for s, e in list_items(text, m.start(1), m.end(1)):
            add(s, e)
    # 带动/支持/引进 A、B等(一批|N家)…企业 ;  A和B两家…企业
    for m in firm_enumerations(text):
        for s, e in enumeration(text, m.start(1), m.end(1)):
            add(s, e)
    # …银行 / …集团 / …公司 after an anchor or punctuation
    for m in re.finditer(f"(?:{_FIRM_SUFFIX})(?!交易所|机构|行业)", text):
        begin = left_boundary(text, m.start(), limit=14)
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
        for s, e in list_items(text, pos, end):
            if any(f.start == s for f in firms):
                break
            name = text[s:e].strip("“”\"")
            kind = "Fund" if name.endswith("基金") else "LoanProduct"
            if 2 <= len(name) <= 20:
                out.append(Relation(Mention(kind, s, e, name), "offeredBy", bank))
    return out
