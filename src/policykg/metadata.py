"""Letter → Metadata: proposal number and title, proposer, replying body, co-handlers, date.

Rules read the letter's frame (title line, salutation, handling sentence, signature), not
its body. Every found value keeps the span it came from, so the graph can cite it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from policykg.agencies import AgencySpan, find_agencies, has_agency_suffix, place_names
from policykg.places import place_info, place_rows, places
from policykg.resources import load_rules, load_table
from policykg.text import CJK

__all__ = ["Metadata", "Span", "read_metadata"]


@dataclass(frozen=True)
class Span:
    """A piece of the letter: ``text[start:end]`` (``value`` may be a cleaned form of it)."""

    start: int
    end: int
    value: str


@dataclass
class Metadata:
    """What a letter says about itself and the proposal it answers."""

    proposal_number: Span | None = None
    proposal_title: Span | None = None
    proposers: list[tuple[str, Span]] = field(default_factory=list)  # ("Deputy" | "Agency", span)
    replying: AgencySpan | None = None
    replying_name: str | None = None  # full name when the letter gives the body only by pronoun/number
    co_handlers: list[AgencySpan] = field(default_factory=list)
    date: dt.date | None = None
    date_span: Span | None = None
    document_number: Span | None = None
    year: int | None = None  # of the letter: its date, else its document number, else a year-led proposal number
    contact_person: Span | None = None
    contact_phone: Span | None = None  # kept in the graph only on request (build --keep-contacts)
    jurisdiction: str | None = None
    salutation: Span | None = None
    lead_handler: AgencySpan | None = None  # in a 会办/协办意见 letter: the addressee, not the writer


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}


def _cn_number(s: str) -> int:
    """Chinese numerals as used in dates: 二〇二二, 十七, 六 → int.

    >>> _cn_number("二〇二二"), _cn_number("十七"), _cn_number("二十"), _cn_number("6")
    (2022, 17, 20, 6)
    """
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


_NUM = "[0-9〇一二三四五六七八九十零○]"
_DATE = re.compile(f"({_NUM}{{4}})\\s*年\\s*({_NUM}{{1,2}})\\s*月\\s*({_NUM}{{1,3}})\\s*日")
_NUMBER = re.compile(r"第\s*([A-Za-z]{0,4}\s*\d+)\s*号|[(（]\s*(列\s*\d+)\s*号\s*[)）]")
_DOCNO = re.compile(f"[{CJK}]{{1,8}}[〔\\[【(]\\s*\\d{{4}}\\s*[〕\\]】)]?\\s*\\d+\\s*号?")
_DOCNO_YEAR = re.compile(r"[〔\[【(]\s*(\d{4})")
_TITLE_QUOTED = re.compile(r"提出的[^《\n]{0,40}?《([^》\n]{4,120})》")
_TITLE_BARE = re.compile("提出的(?:[^关\\n]{0,40}?号)?(关于[^\\n。]{4,100}?的(?:建议|提案))")
_SALUTATION = re.compile(f"^\\s*(?:尊敬的)?([{CJK}A-Za-z0-9()（）,，、· ]{{2,150}}?)\\s*[:：]")
# A salutation line without its colon (金某代表), or one that stands inside a one-line letter's text
_BARE_SALUTATION = re.compile(
    f"^\\s*(?:尊敬的)?((?:[{CJK}·]{{2,4}}[、,， ]\\s*)*[{CJK}·]{{2,4}}?(?:等\\s*\\d*\\s*[名位])?(?:代表|委员|同志)(?:们)?)\\s*$"
)
_INLINE_SALUTATION = re.compile(
    f"(?:^|\\s)(?:尊敬的)?((?:[{CJK}·]{{2,4}}、)*[{CJK}·]{{2,4}}?(?:等\\d*[名位])?(?:代表|委员))\\s*[:：]"
)
_CONTACT = re.compile(f"联系人\\s*[:：]?\\s*([{CJK}]{{2,4}}?)(?=[\\s,，;；、)）]|联系|电话|$)")
_CONTACT_PHONE = re.compile(
    r"(?:电话|手机|Tel|TEL)\s*[:：]?\s*((?:\(0\d{2,3}\)|0\d{2,3}[- ]?)?\d{7,8}|1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)"
)
_ITEM_END = "镇|街道|中心|管委会|办事处|公司|集团|社|局|委|厅|办|部|会|院|所|队|站|室|组|府|联"
# How the name of a letter's writer may end (title line, signature): a body's suffix, or the
# endings of bodies that write letters without one (投资促进中心, 街道办事处, 人民银行…分行).
_WRITER_SUFFIXES = (
    "领导小组办公室|管理委员会|人民政府|委员会|管委会|办公室|办公厅|办事处|中心|分行|政府|局|委|厅|办|部|署"
)


def read_metadata(text: str) -> Metadata:
    """Read a letter's frame. ``text`` is the matching form (see ``text.to_match_text``)."""
    md = Metadata()
    lines = _lines(text)
    head_end = _head_end(text, lines)
    md.salutation = _salutation(text, lines, head_end)
    if md.salutation and _CO_OPINION.search(text, 0, head_end):
        # a co-handler's opinion sent to the lead handler: the salutation names the lead handler,
        # the proposers are named in the text (王某委员关于…, 张某、李某等委员提出的…)
        lead = [a for a in find_agencies(text[: md.salutation.end]) if a.start >= md.salutation.start]
        md.lead_handler = lead[0] if lead else None
        md.proposers = _proposers_in_text(text, head_end + 600)
    elif md.salutation:
        md.proposers = _proposers(md.salutation)
    for m in _NUMBER.finditer(text, 0, head_end):
        value = re.sub(r"\s", "", m.group(1) or m.group(2))
        md.proposal_number = Span(m.start(), m.end(), value)
        if m.start() > (md.salutation.end if md.salutation else 0):
            break
    md.proposal_title = _title(text)
    md.document_number = _document_number(text, lines, head_end)
    md.date, md.date_span = _date(text, lines)
    md.year = _year(md)
    contact = _CONTACT.search(text, max(0, len(text) - 400))
    if contact:
        md.contact_person = Span(contact.start(1), contact.end(1), contact.group(1))
        phone = _CONTACT_PHONE.search(text, max(0, contact.start() - 60), contact.end() + 80)
        if phone:
            md.contact_phone = Span(phone.start(1), phone.end(1), phone.group(1))
    md.replying = _replying(text, lines, head_end)
    md.co_handlers = _co_handlers(text, md)
    md.jurisdiction = _jurisdiction(text, md)
    if md.replying is None or md.replying.pronoun:
        pronoun = text[md.replying.start : md.replying.end] if md.replying else None
        md.replying_name = _body_from_document_number(md, pronoun)
        if md.replying_name is None and pronoun:
            md.replying_name = _body_by_ending(text, md, pronoun)
    if md.replying is None:
        md.replying = _most_active(text, md)
    return md


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _head_end(text: str, lines: list[tuple[int, int]]) -> int:
    """End of the frame that opens a letter: the paragraph saying 收悉 and the one after it."""
    seen, after = 0, False
    for start, end in lines:
        if text[start:end].strip():
            seen += 1
            if after:
                return end
            if "收悉" in text[start:end] or seen >= 8:
                after = True
    return min(len(text), 600)


# Labelled header lines that look like a salutation (答复类别:A类, 办理结果:解决采纳), and bare titles.
_NOT_SALUTATION = re.compile(
    "(?:答复|办理|提案|建议)?(?:类别|类型|结果|公开|性质|编号)|签发人|承办人|联系人|各位?(?:代表|委员)$|(?:代表|委员)$"
)


def _salutation(text: str, lines: list[tuple[int, int]], head_end: int) -> Span | None:
    for start, end in lines:
        if start >= head_end:
            break
        line = text[start:end]
        m = _SALUTATION.match(line) or _BARE_SALUTATION.match(line)
        if m and "关于" not in m.group(1) and not re.search(r"\d{4}|〔|号", m.group(1)) and not _NOT_SALUTATION.match(
            re.sub(r"\s", "", m.group(1))
        ):
            return Span(start + m.start(1), start + m.end(1), m.group(1))
    inline = _INLINE_SALUTATION.search(text, 0, min(head_end, 400))
    if inline and not _NOT_SALUTATION.match(inline.group(1)):
        return Span(inline.start(1), inline.end(1), inline.group(1))
    return None


_PERSON = re.compile(
    f"(?:[{CJK}]*?代表团)?([{CJK}·]{{2,4}}?)(?:\\(?等\\)?|等\\s*\\d+\\s*[名位]|等[一二三四五六七八九十]+[名位])?(代表|委员|同志)(?:们)?$"
)


def _proposers(span: Span) -> list[tuple[str, Span]]:
    """The proposers a salutation names: deputies (张某、李某代表) or bodies (民建广东省委会)."""
    out: list[tuple[str, Span]] = []
    pos = span.start
    parts = re.split(r"([,，、]\s*)", span.value)
    # 张某、李某等代表: a bare name before the last deputy is a deputy too
    deputies = bool(parts) and bool(_PERSON.match(parts[-1]))
    for part in parts:
        if not part.strip() or re.fullmatch(r"[,，、]\s*", part):
            pos += len(part)
            continue
        m = _PERSON.match(part)
        if m:
            out.append(("Deputy", Span(pos + m.start(1), pos + m.end(1), m.group(1))))
        elif deputies and re.fullmatch(f"[{CJK}·]{{2,4}}", part) and not has_agency_suffix(part):
            out.append(("Deputy", Span(pos, pos + len(part), part)))
        else:
            out.append(("Agency", Span(pos, pos + len(part), part)))
        pos += len(part)
    return out


# The letter is a co-handler's opinion to the lead handler: 会办意见的函, 现将协办意见答复如下
_CO_OPINION = re.compile("[会协]办意见(?:的函|的复函|如下|答复如下)|(?:提案|建议)[会协]办意见")
_PROPOSER_IN_TEXT = re.compile(
    f"((?:[{CJK}·]{{2,4}}、)*[{CJK}·]{{2,4}}?)(?:等(?:\\d+名)?)?(?:委员|代表)(?:提出的|关于|所提)"
)


def _proposers_in_text(text: str, limit: int) -> list[tuple[str, Span]]:
    """Deputies named in a letter's opening as the authors: 王某委员关于…, 张某、李某等委员提出的…."""
    m = _PROPOSER_IN_TEXT.search(text, 0, limit)
    if not m:
        return []
    out, pos = [], m.start(1)
    for name in m.group(1).split("、"):
        if not re.search("[的了和与及在为是年月日号届次会议]", name):
            out.append(("Deputy", Span(pos, pos + len(name), name)))
        pos += len(name) + 1
    return out


def _title(text: str) -> Span | None:
    m = _TITLE_QUOTED.search(text, 0, 1500) or _TITLE_BARE.search(text, 0, 1500)
    if not m:
        return None
    return Span(m.start(1), m.end(1), re.sub(r"\s+", " ", m.group(1)).strip())


def _document_number(text: str, lines: list[tuple[int, int]], head_end: int) -> Span | None:
    for start, end in lines:
        if start >= head_end:
            break
        m = _DOCNO.search(text, start, end)
        if m and (m.start() == start or not text[start : m.start()].strip() or "复" in m.group()):
            value = re.sub(r"\s", "", m.group())
            return Span(m.start(), m.end(), value)
    return None


def _date(text: str, lines: list[tuple[int, int]]) -> tuple[dt.date | None, Span | None]:
    for start, end in reversed(lines[-8:]):
        m = _DATE.fullmatch(text[start:end].strip())
        if m:
            try:
                d = dt.date(*(_cn_number(g) for g in m.groups()))
            except ValueError:
                continue
            at = start + text[start:end].index(m.group())
            return d, Span(at, at + len(m.group()), d.isoformat())
    return None, None


def _year(md: Metadata) -> int | None:
    """The letter's year: from its date, else its document number, else its proposal number.

    Guangzhou and Zhongshan number proposals by year and serial (20222149 = 2022, No. 2149);
    a proposal number of 7 or 8 digits that starts with a plausible year is read that way.

    >>> _year(Metadata(document_number=Span(0, 13, "穗科创函〔2017〕1465号")))
    2017
    >>> _year(Metadata(proposal_number=Span(0, 8, "20252153")))
    2025
    >>> _year(Metadata(proposal_number=Span(0, 4, "2148"))) is None
    True
    """
    if md.date is not None:
        return md.date.year
    if md.document_number:
        m = _DOCNO_YEAR.search(md.document_number.value)
        if m and _plausible_year(int(m.group(1))):
            return int(m.group(1))
    if md.proposal_number and re.fullmatch(r"\d{7,8}", md.proposal_number.value):
        year = int(md.proposal_number.value[:4])
        if _plausible_year(year):
            return year
    return None


def _plausible_year(year: int) -> bool:
    return 1980 <= year <= dt.date.today().year + 1


# A body's name at the start of a title line: the line goes on with 关于/对 (关于…的答复, 对…建议的答复)
# or ends there (the title's next line begins with 关于/对).
_TITLE_HEAD = re.compile(f"([{CJK}()（）]{{3,40}}?(?:{_WRITER_SUFFIXES}))\\s*(?=关于|对[{CJK}《“]|$)")


def _title_writer(text: str, lines: list[tuple[int, int]], head_end: int) -> AgencySpan | None:
    """The body named at the start of the letter's title, before the salutation."""
    shown = [(s, e) for s, e in lines if text[s:e].strip() and s < head_end][:6]
    for k, (start, end) in enumerate(shown):
        line = text[start:end]
        at = start + len(line) - len(line.lstrip())
        m = _TITLE_HEAD.match(text, at, end)
        if not m or re.search("[,，。:：]", line):
            continue
        if m.end() >= end - len(line) + len(line.rstrip()) and not (
            k + 1 < len(shown) and re.match(r"\s*(?:关于|对)", text[shown[k + 1][0] : shown[k + 1][1]])
        ):
            continue  # a line that is only a name, not followed by the title's 关于/对 line
        found = [a for a in find_agencies(text[: m.end(1)]) if a.start == at and a.end == m.end(1)]
        return found[0] if found else AgencySpan(at, m.end(1), "")
    return None


def _signature(text: str, lines: list[tuple[int, int]]) -> AgencySpan | None:
    """The body that signs the letter: a line of the last few that is only a body's name."""
    for start, end in reversed(lines[-8:]):
        line = text[start:end].strip()
        if (
            line
            and re.fullmatch(f"[{CJK}()（）]{{3,30}}(?:{_WRITER_SUFFIXES})", line)
            and not re.search("^(?:抄送|抄报|联系|承办|签发)", line)
        ):
            at = start + text[start:end].index(line)
            return AgencySpan(at, at + len(line), "")
    return None


def _replying(text: str, lines: list[tuple[int, int]], head_end: int) -> AgencySpan | None:
    """The body that wrote the letter: title line, then signature, then the frame's subject."""
    found = _title_writer(text, lines, head_end) or _signature(text, lines)
    if found:
        return found
    head = find_agencies(text[:head_end])
    for a in head:
        after = text[a.end : a.end + 6]
        if not a.pronoun and re.match("(?:高度重视|会同|牵头|全面履行|认真|积极)", after):
            name = text[a.start : a.end]
            if not re.search("(?:委|政府|政协)$", name) or "局" in name:
                return a
    return next((a for a in find_agencies(text[:1500]) if a.pronoun and text[a.start : a.end] != "贵单位"), None)


_CLOSINGS = {
    "any": "等|共同|负责|认真|办理|进行|的?意见|研究|形成|答复|回复|办复",
    "opinion": "的?意见|形成",
    "talk": "沟通|协商|研究|会商|对接|衔接",
}
# A clause that issues or does something else is not the handling of the proposal (会同A联合印发《…》).
_NOT_HANDLING = re.compile(
    "印发|出台|发布|制定|开展|推进|建设|开通|申请|完善|加强|加大|优化|健全|推出|建立|函送|报送|送至|上报|报请|《"
)


@cache
def _handling_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The cue words of data/rules/co_handling.tsv: one pattern for cues before a list, one for after."""
    rows = load_rules("co_handling.tsv")
    before = sorted((r for r in rows if r[1] == "before"), key=lambda r: -len(r[0]))
    after = sorted((r[0] for r in rows if r[1] == "after"), key=len, reverse=True)
    groups = "|".join(f"(?P<{r[2]}{k}>{r[0]})" for k, r in enumerate(before))
    return re.compile(groups), re.compile("|".join(after))


def _co_handlers(text: str, md: Metadata) -> list[AgencySpan]:
    """The bodies the frame names as handling the proposal with the writer (data/rules/co_handling.tsv)."""
    limit = len(text) if md.salutation is None else min(len(text), md.salutation.end + 900)
    start = md.salutation.end if md.salutation else 0
    before, after = _handling_cues()
    found: list[AgencySpan] = []
    for m in before.finditer(text, start, limit):
        closing = _CLOSINGS[re.sub(r"\d+$", "", m.lastgroup or "any")]
        clause = re.search("[,，。;；:：]", text[m.end() : limit])
        clause_end = m.end() + clause.start() if clause else limit
        close = re.search(closing, text[m.end() : clause_end])
        if close:
            list_end = m.end() + close.start()
        elif re.search(closing, text[clause_end + 1 : clause_end + 32].split("。")[0]):
            list_end = clause_end  # 会同A、B,对提案进行了认真研究 / 经商A、B,现答复如下
        else:
            continue
        if re.search("(?:将|将会|拟|要|继续|还将)$", text[max(0, m.start() - 2) : m.start()]):
            continue  # 我委将会同…: work to come, not the handling of this proposal
        found = [a for a in _list_items(text, m.end(), list_end) if not a.pronoun]
        between = [text[a.end : b.start] for a, b in itertools.pairwise(found)]
        if found and not any(_NOT_HANDLING.search(t) for t in (*between, text[found[-1].end : clause_end])):
            return found
    for m in after.finditer(text, start, limit):
        cut = max(start, *(text.rfind(p, start, m.start()) + 1 for p in ",，。;；:："))
        head = re.search("(?:已?交由|已?交|已?转交?|由|请)", text[cut : m.start()])
        begin = cut + (head.end() if head else 0)
        found = [a for a in _list_items(text, begin, m.start()) if not a.pronoun]
        if found:
            return found
    return []


def _list_items(text: str, start: int, end: int) -> list[AgencySpan]:
    """Agencies in an enumeration: every item counts, whatever its suffix (镇, 中心, 管委会…)."""
    out: list[AgencySpan] = []
    known = {(a.start, a.end): a for a in find_agencies(text[:end]) if a.start >= start}
    pos = start
    for piece in re.split(r"([、,，]|(?<=[局委厅办部社会心室组府镇])(?:和|及|以及)(?=[市区省县国]))", text[start:end]):
        if piece is None:
            continue
        s, e = pos, pos + len(piece)
        pos = e
        if not piece.strip() or re.fullmatch(r"[、,，]|和|及|以及", piece):
            continue
        tail = re.search("等(?:[\\d一二三四五六七八九十]+个)?(?:单位|部门)?$", piece)
        if tail and tail.start() > 0:  # 省科学院等单位
            piece, e = piece[: tail.start()], s + tail.start()
        inner = [a for (a0, _), a in known.items() if s <= a0 < e]
        if inner:
            out.extend(sorted(inner, key=lambda a: a.start))
        elif piece.strip() in places() and places()[piece.strip()][1] == "district":  # 武清区: its government
            at = s + len(piece) - len(piece.lstrip())
            out.append(AgencySpan(at, at + len(piece.strip()), ""))
        elif (
            2 <= len(piece) <= 15
            and re.fullmatch(f"[{CJK}()（）]+(?:{_ITEM_END})", piece)
            and not re.match("[我各有相本]|盟市|市县|县区|省市|区县|市区", piece)  # generic: 各盟市政府
        ):
            out.append(AgencySpan(s, e, ""))
    return out


@cache
def _doc_prefixes() -> dict[str, str]:
    out: dict[str, str] = {}
    for full, _, _, aliases in place_rows():
        for alias in aliases:
            if len(alias) == 1:
                out.setdefault(alias, full)
    return out


def _split_document_number(value: str) -> tuple[str | None, str]:
    """Split a document number's stem into its place and the body's abbreviation.

    >>> _split_document_number("穗云农函〔2021〕103号")
    ('广州市白云区', '农')
    >>> _split_document_number("渝经信复函〔2020300")
    ('重庆市', '经信')
    """
    stem = re.split(r"[〔\[【(]", value)[0]
    place = _doc_prefixes().get(stem[:1])
    rest = stem[1:] if place else stem
    if place:
        for full, level, parent, aliases in place_rows():
            if level == "district" and parent == place and rest[:1] in aliases:
                place, rest = full, rest[1:]
                break
    else:  # a district's own short form: 巴南经信 (重庆市巴南区)
        named = _place_at_start(stem)
        if named:
            place, rest = places()[named][0], stem[len(named) :]
    body = re.sub("(?:提复|复函|函区字|函|复|发|字)+$", "", rest)
    return place, body


def _place_at_start(stem: str) -> str | None:
    """The longest place name or short form (two characters or more) that begins ``stem``."""
    return next((p for p in (stem[:n] for n in range(min(len(stem), 8), 1, -1)) if p in places()), None)


def _body_from_document_number(md: Metadata, pronoun: str | None) -> str | None:
    """The replying body named by the abbreviation in the letter's document number (渝经信 → 经信委)."""
    if not md.document_number:
        return None
    place, body = _split_document_number(md.document_number.value)
    if not place and md.jurisdiction and body.startswith(md.jurisdiction[0]):  # 常工信 in a 常德市 letter
        place, body = md.jurisdiction, body[1:]
    if not place or not body:
        return None
    suffixes = ["局", "委", "厅"]
    if pronoun and pronoun[-1] in "局委厅":
        suffixes = [pronoun[-1]]
    table = {row[0]: row[1] for row in load_table("abbreviations.tsv")}
    for suffix in suffixes:
        if body + suffix in table:
            return place + table[body + suffix]
    level = 1 if place_info(place) is not None and place_info(place)[1] == "province" else 2  # type: ignore[index]
    for row in load_rules("document_bodies.tsv"):
        if re.fullmatch(f"(?:{row[0]})(?:[{CJK}]{{0,2}})", body) and re.match(row[0], body):
            name = row[level]
            if not pronoun or name.endswith(pronoun[-1]) or (pronoun[-1] == "委" and name.endswith("委员会")):
                return place + name
    return None


_NATIONAL = re.compile("^(?:国务院|中共中央|党中央|中央|全国)")


def _body_by_ending(text: str, md: Metadata, pronoun: str) -> str | None:
    """The body behind 我厅/我局/我委/我部: the one body of that kind the letter names, if only one.

    A letter that calls itself 我厅 and names 省工业和信息化厅 (牵头) and 省财政厅 (a co-handler)
    was written by 省工业和信息化厅. Co-handlers are not candidates, nor are national bodies
    (国务院办公厅) unless the letter speaks as a ministry (我部). Of several candidates, the one named
    most often; a tie, or none: unknown.
    """
    ending = pronoun[-1]
    if ending not in "厅局委部":
        return None
    co = {text[a.start : a.end] for a in md.co_handlers}
    named = [text[a.start : a.end] for a in find_agencies(text)]
    found = {
        name
        for a in find_agencies(text)
        if not a.pronoun
        and (name := text[a.start : a.end]).endswith(ending)
        and name not in co
        and len(name) - len(a.prefix) >= 3  # 省委, 市委 (party committees) do not write as 我委
        and (ending == "部" or not _NATIONAL.match(name))
    }
    if len(found) <= 1:
        return found.pop() if found else None
    # several: the one the letter names most often, if one does stand out
    times = Counter(named)  # not named.count per candidate: a letter naming thousands of bodies
    ranked = sorted(found, key=lambda n: -times[n])
    return ranked[0] if times[ranked[0]] > times[ranked[1]] else None


def _most_active(text: str, md: Metadata) -> AgencySpan | None:
    """Last resort: the body that most often opens a clause as its subject (市政务和数据局:…)."""
    co = {text[a.start : a.end] for a in md.co_handlers}
    counts: dict[str, list[AgencySpan]] = {}
    for a in find_agencies(text):
        name = text[a.start : a.end]
        before = text[a.start - 1] if a.start else "\n"
        if a.pronoun or name in co or re.search("(?:委|政府|政协)$", name) or before not in "\n,，。)）:：":
            continue
        counts.setdefault(name, []).append(a)
    best = max(counts.values(), key=len, default=[])
    return best[0] if len(best) >= 2 else None


def _jurisdiction(text: str, md: Metadata) -> str | None:
    """The place the letter speaks for: from the replying body, the document number, the text."""
    places = place_names()
    if md.replying and not md.replying.pronoun:
        name = text[md.replying.start : md.replying.end]
        for p in places:
            if name.startswith(p):
                return _full_place(name, p)
    if md.replying and text[md.replying.start : md.replying.end] == "我部":
        return "中华人民共和国"
    if md.document_number:
        place, _ = _split_document_number(md.document_number.value)
        if place:
            return place
    counts: dict[str, int] = {}
    for p in places:
        n = text.count(p)
        if n and len(p) >= 3:
            counts[p] = n
    if not counts:
        return _unlisted_city(text, md)
    best = max(counts, key=lambda p: (counts[p], len(p)))
    if "我区" in text:
        for full, level, parent, _ in place_rows():
            if level == "district" and parent == best and full in text:
                return full
    return best


# Characters that do not occur in the two-character core of a city name but often stand before 市.
_NOT_CITY = set("我全本该各省县市区镇乡的了在和与及等对为把被将是有开立行强导升型管履副兆到至从向于由按入超上门股都")


def _unlisted_city(text: str, md: Metadata) -> str | None:
    """A city the gazetteer does not list (揭阳市) in a letter that speaks as 我市.

    The city must be written in full (X市) and its core X must occur again, or begin the
    document number (常工信提复 for 常德市).
    """
    if "我市" not in text:
        return None
    prefix = _split_document_number(md.document_number.value)[1] if md.document_number else ""
    best, best_score = None, 0
    for m in re.finditer(r"(?=([\u4e00-\u9fff]{2})市)", text):
        core = m.group(1)
        if _NOT_CITY & set(core) or core == "城市":
            continue
        score = text.count(core) + (2 if prefix.startswith(core[0]) else 0)
        if score >= 2 and score > best_score:
            best, best_score = core + "市", score
    return best


def _full_place(name: str, prefix: str) -> str:
    """Canonical place for a name's prefix, including a district after a city (广州市白云区)."""
    rest = name[len(prefix) :]
    info = places().get(prefix)
    if info is None:
        return prefix
    full = info[0]
    for sub, level, parent, aliases in place_rows():
        if level == "district" and parent == full and any(
            rest.startswith(a) for a in (sub[len(full) :] if sub.startswith(full) else sub, *aliases) if len(a) >= 2
        ):
            return sub
    return full
