"""Industry clusters and parks: …产业集群 / …产业园 names and enumerations (汽车、电子三大产业集群)."""

from __future__ import annotations

import re

from policykg.agencies import place_names
from policykg.extract.common import LEVELS, NAME_CHARS, enumeration, left_boundary
from policykg.extract.model import Mention
from policykg.text import CJK


def find_clusters(text: str) -> list[Mention]:
    out: list[Mention] = []
    cue = "产业集群|集群|产业园区|产业园|工业园区|工业园|科技园|产业基地"
    for m in re.finditer(cue, text):
        kind = "IndustryCluster" if "集群" in m.group() else "IndustrialPark"
        head = m.group() if kind == "IndustrialPark" else "产业集群"
        # enumerations: 汽车、电子、能源三大千亿级和生物医药、化工四大500亿级产业集群
        enum_end = m.start()
        enum = re.search(
            f"((?:{NAME_CHARS}+?、)+{NAME_CHARS}+?)(?:等)?[\\d一二三四五六七八九十]+(?:大|个){LEVELS}?"
            f"(?:[{CJK}]{{0,4}}?)(?:和((?:{NAME_CHARS}+?、)+{NAME_CHARS}+?)[\\d一二三四五六七八九十]+大{LEVELS}?)?$",
            text[max(0, enum_end - 80) : enum_end],
        )
        if enum and kind == "IndustryCluster":
            base = max(0, enum_end - 80)
            for g in (1, 2):
                if enum.group(g):
                    for s, e in enumeration(text, base + enum.start(g), base + enum.end(g)):
                        item = re.sub(f"(?:等)?[\\d一二三四五六七八九十]+(?:大|个){LEVELS}*$", "", text[s:e])
                        e = s + len(item)
                        if re.fullmatch(f"{NAME_CHARS}{{1,10}}", item):
                            out.append(Mention(kind, s, e, item + head))
            continue
        begin = left_boundary(text, m.start(), limit=20)
        name = text[begin : m.end()].replace("“", "").replace("”", "")
        bare = re.sub(f"^{LEVELS}+", "", name)
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
