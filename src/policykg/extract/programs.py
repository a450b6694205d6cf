"""Programmes, funds, loan products and platforms (quoted names and cue words), and 《》 regulations."""

from __future__ import annotations

import re
from functools import cache

from policykg.extract.common import NAME_CHARS, phrase_start
from policykg.extract.model import Mention
from policykg.metadata import Metadata
from policykg.resources import load_table
from policykg.text import CJK, trie_pattern

_PROGRAM_CUES = (
    "专项行动|行动计划|行动|工程|计划|机制|改革|试点|政策(?!性)|清单|专项资金|基金|再贷款|贷(?!款)|平台(?!公司|企业)|"
    "服务队|体系|模式|战略|重大专项|专项(?!债|资金|行动|整治|检查|工作|治理|规划)"
)
_PROGRAM_STOP = re.compile("^(?:该|这|此|相关|有关|各项|各类|一批|多项|上述|现有|相应|下一步|丰富|工作)")
# A title that is only a kind of document names no document of its own (《办法》, 《规划纲要》).
_GENERIC_TITLE = re.compile(
    "(?:实施|行动|工作|总体)?(?:意见|办法|方案|规划|规划纲要|纲要|通知|条例|决定|细则|措施|若干措施|规定|计划)"
)
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
        if re.search("(?:表|线索|台账|的建议|的提案|报|杂志|日报|回执)$", name):
            continue
        if _GENERIC_TITLE.fullmatch(name):
            # 《办法》 refers back to the title it short-names (以下简称《办法》), or to one ending so
            earlier = next((r for r in reversed(out) if r.name.endswith(name) or name in r.aliases), None)
            if earlier is not None:
                out.append(Mention("Regulation", m.start(), m.end(), earlier.name, rule="regulation-title", score=0.8))
            continue
        nested = re.fullmatch(r"(.{2,40}?)〈(.+)〉", name.replace("<", "〈").replace(">", "〉"))
        if nested:  # 《某厅〈关于印发…的通知〉》: the inner title, issued by the body before it
            out.append(Mention("Regulation", m.start(), m.end(), nested.group(2), aliases=(name,),
                               rule="regulation-title", score=0.9))
            continue
        out.append(Mention("Regulation", m.start(), m.end(), name.replace("<", "〈").replace(">", "〉"),
                           rule="regulation-title", score=0.95))
    return out


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """Names of data/gazetteer/programs.tsv (and their aliases) → (canonical name, kind)."""
    names: dict[str, tuple[str, str]] = {}
    for row in load_table("programs.tsv"):
        for name in (row[0], *(row[1].split("|") if row[1] else [])):
            names.setdefault(name, (row[0], row[2]))
    return re.compile(trie_pattern(sorted(names))), names


def find_programs(text: str, original: str) -> list[Mention]:
    """Programme, fund, loan-product and platform mentions: the lexicon, quoted names, cue words."""
    out: dict[tuple[int, int], Mention] = {}
    # the spans of out: positions p with s <= p < e (starts_inside), s < p <= e (ends_inside)
    starts_inside, ends_inside = bytearray(len(text) + 1), bytearray(len(text) + 1)

    def keep(begin: int, end: int, mention: Mention) -> None:
        out[(begin, end)] = mention
        starts_inside[begin:end] = b"\1" * (end - begin)
        ends_inside[begin + 1 : end + 1] = b"\1" * (end - begin)

    lexicon, known = _lexicon()
    for m in lexicon.finditer(text):
        canonical, kind = known[m.group()]
        aliases = (m.group(),) if m.group() != canonical else ()
        keep(m.start(), m.end(), Mention(kind, m.start(), m.end(), canonical, aliases=aliases,
                                         rule="program-lexicon", score=0.9))
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
        if starts_inside[m.start()] or ends_inside[m.end()]:
            continue  # inside a name of the lexicon
        keep(m.start(), m.end(), Mention(_program_kind(name), m.start(), m.end(), name, aliases=aliases,
                                         rule="program-quoted",
                                         score=0.8 if m.group(2) or re.search(f"(?:{_PROGRAM_CUES})$", inner) else 0.6))
    for m in re.finditer(f"(?:{_PROGRAM_CUES})+", text):
        end = m.end()
        if ends_inside[end]:
            continue
        begin = phrase_start(text, m.start(), limit=22)
        name = text[begin:end].replace("“", "").replace("”", "")
        core = name[: -len(m.group())]
        generic = core in _GENERIC_PROGRAM or _PROGRAM_STOP.match(name) or re.search(r"\d+家|□", name)
        if len(re.findall(f"[{CJK}]", core)) < 2 or generic:
            continue
        keep(begin, end, Mention(_program_kind(name), begin, end, name, rule="program-cue", score=0.6))
    return list(out.values())


def _program_kind(name: str) -> str:
    if name.endswith("基金"):
        return "Fund"
    if name.endswith("贷"):
        return "LoanProduct"
    if name.endswith("平台"):
        return "Platform"
    return "Program"
