"""Programmes, funds, loan products and platforms (quoted names and cue words), and 《》 regulations."""

from __future__ import annotations

import re

from policykg.extract.common import NAME_CHARS, phrase_start
from policykg.extract.model import Mention
from policykg.metadata import Metadata
from policykg.text import CJK

_PROGRAM_CUES = "专项行动|行动计划|行动|工程|计划|机制|改革|试点|政策(?!性)|清单|基金|贷(?!款)|平台(?!公司|企业)|服务队|体系|模式"
_PROGRAM_STOP = re.compile("^(?:该|这|此|相关|有关|各项|各类|一批|多项|上述|现有|相应|下一步|丰富|工作)")
_GENERIC_PROGRAM = {"金融", "产业", "企业", "项目", "服务", "数字化", "扶持", "优惠", "保障", "奖补"}

def find_regulations(text: str, md: Metadata) -> list[Mention]:
    """《》 titles, except the proposal's own title and forms or ledgers (…表)."""
    out: list[Mention] = []
    title = md.proposal_title.value if md.proposal_title else None
    for m in re.finditer(r"《([^》\n]{2,150})》", text):
        name = re.sub(r"\s+", "", m.group(1))
        if out and re.search("(?:以下简称|下称|简称)$", text[max(0, m.start() - 8) : m.start()]):
            out.append(Mention("Regulation", m.start(), m.end(), out[-1].name, rule="regulation-title", score=0.95))
            continue
        if title and name == re.sub(r"\s+", "", title):
            continue
        if re.search("(?:表|线索|台账|的建议|的提案|报|杂志|日报)$", name):
            continue
        out.append(Mention("Regulation", m.start(), m.end(), name.replace("<", "〈").replace(">", "〉"),
                           rule="regulation-title", score=0.95))
    return out


def find_programs(text: str, original: str) -> list[Mention]:
    out: dict[tuple[int, int], Mention] = {}
    # quoted names, merged with a cue that follows: “证照分离”改革, “3个百亿”中小企业基金
    for m in re.finditer(f"“([^”\n]{{2,20}})”({NAME_CHARS}{{0,10}}?(?:{_PROGRAM_CUES}))?", text):
        inner = m.group(1)
        if re.search("[,，、;；。:：!！?？]", inner) or "□" in inner:
            continue
        before = text[max(0, m.start() - 2) : m.start()]
        if before.endswith("关于"):
            continue
        name = inner + (m.group(2) or "")
        aliases = (inner,) if m.group(2) else ()
        out[(m.start(), m.end())] = Mention(_program_kind(name), m.start(), m.end(), name, aliases=aliases,
                                            rule="program-quoted",
                                            score=0.8 if m.group(2) or re.search(f"(?:{_PROGRAM_CUES})$", inner) else 0.6)
    for m in re.finditer(f"(?:{_PROGRAM_CUES})+", text):
        end = m.end()
        if any(s < end <= e for s, e in out):
            continue
        begin = phrase_start(text, m.start(), limit=22)
        name = text[begin:end].replace("“", "").replace("”", "")
        core = name[: -len(m.group())]
        generic = core in _GENERIC_PROGRAM or _PROGRAM_STOP.match(name) or re.search(r"\d+家|□", name)
        if len(re.findall(f"[{CJK}]", core)) < 2 or generic:
            continue
        out[(begin, end)] = Mention(_program_kind(name), begin, end, name, rule="program-cue", score=0.6)
    return list(out.values())


def _program_kind(name: str) -> str:
    if name.endswith("基金"):
        return "Fund"
    if name.endswith("贷"):
        return "LoanProduct"
    if name.endswith("平台"):
        return "Platform"
    return "Program"
