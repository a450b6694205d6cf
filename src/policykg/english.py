"""English and pinyin labels for agencies, built from the structure of their Chinese names.

A canonical agency name is a place and a function (广州市 + 工业和信息化局), or one of a few
fixed patterns (X人民政府, 中共X委员会, 中国人民政治协商会议X委员会, 中华人民共和国X部). The
function splits into a domain and a head (工业和信息化 + 局); each part is translated from
``data/gazetteer/english.tsv``, and whatever is not in the table is written in pinyin, so every
agency gets an English label. The pinyin label spells the whole name with tone marks, a word
at a time (words from the same table and the places).
"""

from __future__ import annotations

import re
from functools import cache

from pypinyin import Style, lazy_pinyin

from policykg.places import place_info
from policykg.resolve import expand as _expand
from policykg.resources import load_table

__all__ = ["english_name", "pinyin_name"]

_LEVEL_SUFFIXES = ("特别行政区", "自治区", "自治州", "省", "市", "区", "县", "镇", "乡", "街道")
_LEVEL_WORDS = {"省": "Province", "自治区": "Autonomous Region", "市": "City", "区": "District", "县": "County",
                "镇": "Town", "乡": "Township", "街道": "Subdistrict", "自治州": "Autonomous Prefecture"}
_PLACE_PART = re.compile(r"[\u4e00-\u9fff]+?(?:特别行政区|自治区|自治州|省|市|区|县|镇|乡|街道)")
_PLACE_AT_START = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}?(?:自治区|省|市))(?:[\u4e00-\u9fff]{1,3}?(?:区|县))?")


@cache
def _table(kind: str) -> dict[str, str]:
    return {row[1]: (row[2] if len(row) > 2 else "") for row in load_table("english.tsv") if row[0] == kind}


@cache
def _heads() -> tuple[str, ...]:
    return tuple(sorted(_table("head"), key=lambda n: (-len(n), n)))


@cache
def _domains() -> tuple[str, ...]:
    return tuple(sorted(_table("domain"), key=lambda n: (-len(n), n)))


def _title_pinyin(text: str) -> str:
    """Toneless pinyin of a word, capitalised: 广州 → Guangzhou."""
    return "".join(lazy_pinyin(text)).capitalize()


def _place_core(place: str) -> tuple[str, str]:
    """Split a place name into its core and its level suffix: 广州市 → (广州, 市)."""
    for suffix in _LEVEL_SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix):
            return place[: -len(suffix)], suffix
    return place, ""


def _place_en(place: str) -> str:
    core, _ = _place_core(place)
    return _table("place").get(core) or _title_pinyin(core)


def _split_place(name: str) -> tuple[str, str]:
    """(place, rest) of a full agency name; the place is '' when the name has none."""
    best = ""
    for i in range(len(name) - 1, 1, -1):
        if place_info(name[:i]) is not None:
            best = name[:i]
            break
    if not best:
        m = _PLACE_AT_START.match(name)
        best = m.group(0) if m else ""
    if best:  # a town or district written after a known place: 广州市白云区人和镇
        rest = name[len(best) :]
        m = re.match(r"^[\u4e00-\u9fff]{1,3}?(?:区|县|镇|乡|街道)$", rest)
        if m and not any(rest.endswith(h) for h in ("局", "厅", "委", "办")):
            return name, ""
    return best, name[len(best) :]


def _level(place: str) -> str:
    info = place_info(place)
    if info is not None:
        return info[1]
    suffix = _place_core(place)[1]
    return {"省": "province", "自治区": "province", "市": "city", "区": "district", "县": "district"}.get(suffix, "town")


def _place_phrase(place: str) -> str:
    """A place in running English: 'Panyu District, Guangzhou', 'Renhe Town, Baiyun District, Guangzhou'."""
    parts = _PLACE_PART.findall(place)
    if "".join(parts) != place or not parts:
        parts = [place]
    *outer, last = parts
    core, suffix = _place_core(last)
    words = f"{_table('place').get(core) or _title_pinyin(core)} {_LEVEL_WORDS.get(suffix, '')}".strip()
    if not outer:
        return words
    if len(outer) == 1:
        return f"{words}, {_place_en(outer[0])}"
    return f"{words}, {_place_phrase(''.join(outer))}"


def _domain_en(domain: str) -> str:
    """Translate a domain, longest known words first, the rest in pinyin."""
    if not domain:
        return ""
    if domain in _table("domain"):
        return _table("domain")[domain]
    parts: list[str] = []
    i = 0
    unknown = ""
    while i < len(domain):
        if domain[i] == "和":
            i += 1
            continue
        word = next((w for w in _domains() if domain.startswith(w, i)), None)
        if word is None:
            unknown += domain[i]
            i += 1
            continue
        if unknown:
            parts.append(_title_pinyin(unknown))
            unknown = ""
        parts.append(_table("domain")[word])
        i += len(word)
    if unknown:
        parts.append(_title_pinyin(unknown))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _function_en(function: str) -> tuple[str, str]:
    """(head, domain) in English of a function part: 工业和信息化局 → (Bureau, Industry and …)."""
    head = next((h for h in _heads() if function.endswith(h)), "")
    domain = function[: len(function) - len(head)]
    return (_table("head")[head] if head else ""), _domain_en(domain)


@cache
def english_name(name: str) -> str:
    """An English label for a canonical agency name.

    >>> english_name("广州市工业和信息化局")
    'Guangzhou Municipal Bureau of Industry and Information Technology'
    >>> english_name("广州市番禺区财政局")
    'Finance Bureau of Panyu District, Guangzhou'
    >>> english_name("广东省科学技术厅")
    'Department of Science and Technology of Guangdong Province'
    >>> english_name("中华人民共和国工业和信息化部")
    "Ministry of Industry and Information Technology of the People's Republic of China"
    """
    fixed = _table("name").get(name)
    if fixed:
        return fixed
    if m := re.fullmatch(r"中华人民共和国(.+)部", name):
        return f"Ministry of {_domain_en(m.group(1))} of the People's Republic of China"
    if m := re.fullmatch(r"中国共产党(.+)委员会|中共(.+)委员会", name):
        return f"{_committee_place(m.group(1) or m.group(2))} Committee of the Communist Party of China"
    if m := re.fullmatch(r"中共(.+?(?:省|市|区|县))委(.+)", name):
        head, domain = _function_en(m.group(2))
        inner = f"{head} of {domain}" if domain and head not in ("Ministry",) else domain or head
        if m.group(2).endswith("部"):
            inner = f"{domain} Department"
        return f"{inner} of the CPC {_committee_place(m.group(1))} Committee"
    if m := re.fullmatch(r"中国人民政治协商会议(.+?)委员会(.*)", name):
        tail = f"{_function_en(m.group(2))[1]} Committee of the " if m.group(2) else ""
        return f"{tail}{_committee_place(m.group(1))} Committee of the Chinese People's Political Consultative Conference"
    party = next((p for p in _table("party") if name.startswith(p)), None)
    if party:
        place, function = _split_place(name[len(party) :])
        head, _ = _function_en(function)
        where = f"{_committee_place(place)} " if place else ""
        return f"{where}{head or 'Organization'} of the {_table('party')[party]}"
    if m := re.fullmatch(r"中国人民银行(.+?)(?:分行|中心支行|支行)", name):
        return f"{_place_en(m.group(1))} Branch of the People's Bank of China"
    place, function = _split_place(name)
    if not function:
        return _place_phrase(place) if place else _title_pinyin(name)
    head, domain = _function_en(function)
    level = _level(place) if place else ""
    if not place:
        relative = {"市": "Municipal", "区": "District", "县": "County", "省": "Provincial"}.get(name[:1])
        if relative and name[:2] != "市场":
            head, domain = _function_en(_expand(function[1:]))
            return f"{relative} {head} of {domain}" if domain else f"{relative} {head}"
        return f"{head} of {domain}" if domain and head else domain or head
    if head in ("People's Government", "General Office of the People's Government"):
        if level == "city" or place.endswith("市"):
            return f"{_place_en(place)} Municipal {head}"
        return f"{head} of {_place_phrase(place)}"
    if level == "city" or place.endswith("市"):
        return f"{_place_en(place)} Municipal {head} of {domain}" if domain else f"{_place_en(place)} Municipal {head}"
    if level == "province":
        return f"{head} of {domain} of {_place_phrase(place)}" if domain else f"{head} of {_place_phrase(place)}"
    return f"{domain} {head} of {_place_phrase(place)}".strip()


def _committee_place(place: str) -> str:
    """A place as the modifier of a committee: Guangzhou Municipal, Guangdong Provincial, Baiyun District (Guangzhou)."""
    level = _level(place)
    if level == "city" or place.endswith("市"):
        return f"{_place_en(place)} Municipal"
    if level == "province":
        return f"{_place_en(place)} Provincial"
    phrase = _place_phrase(place)
    first, _, rest = phrase.partition(", ")
    return f"{first} ({rest})" if rest else first


_ORG_PREFIXES = ("中华人民共和国", "中国共产党", "中国人民政治协商会议", "中国人民银行", "中共")


def _segments(word: str, others: set[str]) -> bool:
    """Whether a word is a sequence of other (shorter) words, with 和 allowed between them."""
    if not word:
        return True
    return any(word.startswith(o) and _segments(word[len(o) :], others) for o in others) or (
        word[0] == "和" and _segments(word[1:], others)
    )


@cache
def _words() -> tuple[str, ...]:
    parts = {part for entry in (*_table("domain"), *_table("head")) for part in entry.split("和") if part}
    parts |= set(_table("word")) | {"中共", "中华", "共和国", "国家", "国务院"}
    # keep a compound only if it cannot be spelled as a sequence of shorter known words
    return tuple(sorted((w for w in parts if len(w) == 1 or not _segments(w, parts - {w})), key=lambda n: (-len(n), n)))


def _segment(text: str) -> list[str]:
    """Split text into known words, longest first; unknown characters stand alone."""
    words, i = [], 0
    while i < len(text):
        word = next((w for w in _words() if text.startswith(w, i)), text[i])
        words.append(word)
        i += len(word)
    return words


@cache
def pinyin_name(name: str) -> str:
    """The name in Hanyu Pinyin with tone marks, a word at a time.

    >>> pinyin_name("广州市工业和信息化局")
    'Guǎngzhōu Shì Gōngyè hé Xìnxīhuà Jú'
    >>> pinyin_name("广州市番禺区财政局")
    'Guǎngzhōu Shì Pānyú Qū Cáizhèng Jú'
    """
    words: list[str] = []
    org = next((p for p in _ORG_PREFIXES if name.startswith(p)), "")
    if org:
        words += _segment(org)
        name = name[len(org) :]
    party = next((p for p in _table("party") if name.startswith(p)), "")
    if party:
        words.append(party)
        name = name[len(party) :]
    place, rest = _split_place(name)
    for part in _PLACE_PART.findall(place):
        core, suffix = _place_core(part)
        words += [core, suffix] if suffix else [core]
    covered = sum(len(p) for p in _PLACE_PART.findall(place))
    if place and not covered:  # a place without its level word: 广州 (分行)
        words.append(place)
        covered = len(place)
    rest = place[covered:] + rest
    words += _segment(rest)
    out = []
    for w in words:
        py = "".join(lazy_pinyin(w, style=Style.TONE))
        out.append(py if w == "和" else py[:1].upper() + py[1:])
    return " ".join(out)
