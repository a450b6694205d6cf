"""Extraction's fast paths find exactly what the plain scans they replace find, and stay fast."""

from __future__ import annotations

import importlib.util
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

import pytest

from policykg.agencies import (
    _SPECIAL_HEADS,
    _Ahead,
    _match_prefixed,
    _place_name_at,
    _prefix_start,
    _special_head_end,
    place_names,
)
from policykg.build import letter_triples
from policykg.extract import extract
from policykg.extract.firms import _LED_BY, FIRM_ENUMERATION, firm_enumerations, led_lists
from policykg.extract.relations import _CLAUSE_HEAD, _between, _cues, _Index
from policykg.ingest import Letter, find_letters, read_letter
from policykg.resolve import resolve
from policykg.text import CJK, redact, to_match_text
from tests.conftest import ROOT, SEED

TEXTS = {
    "seed": to_match_text(read_letter(SEED).text),
    "agencies": "由我局会同市住房城乡建设局、市供销总社和市规划和自然资源局负责办理",
    "prefixes": "广州市白云区工业和信息化局和市场监督管理局、省市场监管局及区人大常委会办公室",
    "firm_lists": "带动华为、中兴等一批龙头企业和美的两家公司,支持甲科技、乙电子等٣家企业",
    "clusters": "以广汽集团、小鹏汽车为代表的新能源汽车产业集群,培育A公司和B公司3家企业",
    "bad_lists": "甲乙、丙丁、、等企业,甲、等企业,三三三、家企业,甲乙和丙三家企业,以甲以乙为代表以丙等为链主",
    "private": "电话:020-12345678 a.b+c@d-e.cn,13912345678abc@x.com,+e@f.g@h.i,身份证11010119900101123X",
    "heads": "市委" + "甲" * 40 + "委员会,市委高度重视,市政府" + "乙" * 30 + "办公厅 市委9员会,同时,同时,此外,2022年5月,一是市局",
}
texts = pytest.mark.parametrize("text", list(TEXTS.values()), ids=list(TEXTS))


def agency_starts_missed(text: str) -> list[int]:
    """Positions where an agency name starts but ``_prefix_start`` finds no start."""
    starts = {m.start() for m in _prefix_start().finditer(text)}
    return [i for i in range(len(text)) if _match_prefixed(text, i) is not None and i not in starts]


def firm_enumeration_spans(matches: Iterable[re.Match[str]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [(m.span(), m.span(1)) for m in matches]


@texts
def test_agency_names_start_only_where_prefix_start_finds(text: str) -> None:
    assert agency_starts_missed(text) == []


@texts
def test_place_name_at_is_the_longest_place_name(text: str) -> None:
    for i in range(len(text)):
        longest = max((p for p in place_names() if text.startswith(p, i)), key=len, default=None)
        m = _place_name_at().match(text, i)
        assert (m.group() if m else None) == longest, i


@texts
def test_firm_enumerations_equal_a_plain_search(text: str) -> None:
    assert firm_enumeration_spans(firm_enumerations(text)) == firm_enumeration_spans(FIRM_ENUMERATION.finditer(text))


@texts
def test_led_lists_equal_the_lazy_regex(text: str) -> None:
    assert list(led_lists(text)) == [m.span(1) for m in _LED_BY.finditer(text)]


_PRIVATE = re.compile(
    r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}|\d{17}[\dXx]|\d{3,4}-\d{7,8})(?!\d)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)


@texts
def test_redact_equals_the_regex_it_replaces(text: str) -> None:
    assert redact(text) == _PRIVATE.sub(lambda m: "＊" * len(m.group()), text)


_SPECIAL_HEAD_AT = re.compile(f"(?:{'|'.join(_SPECIAL_HEADS)})(?![{CJK}]*?(?:员会|办公))")


@texts
def test_special_heads_equal_the_lookahead_regex(text: str) -> None:
    ahead = _Ahead(text)
    for i in range(len(text) + 1):
        m = _SPECIAL_HEAD_AT.match(text, i)
        assert _special_head_end(text, i, ahead) == (m.end() if m else None), i


@texts
def test_clause_heads_equal_the_regex(text: str) -> None:
    idx = _Index(text, extract(Letter("t", "t.txt", text, "utf-8")))
    for i in range(len(text) + 1):
        assert idx.head_end(i) == _CLAUSE_HEAD.match(text, i).end(), i  # type: ignore[union-attr]


@pytest.mark.parametrize("gap", ["、 " * 4, "、 、 等3个部门于2022年5月正式", "和 及以及会同 ", "、 、 甲", "等单位 X", ""])
def test_what_stands_between_a_body_and_its_verb(gap: str) -> None:
    old = (r"(?:\s*(?:、|和|与|及|以及|会同|联合|牵头|,)?\s*|(?:等(?:\d+|[一二三四五六七八九十]+)?(?:个|家)?(?:部门|单位)?)?"
           f"|{_cues('filler').pattern})*")
    assert bool(_between(_cues("filler").pattern).fullmatch(gap)) == bool(re.fullmatch(old, gap))
    started = time.perf_counter()
    assert _between(_cues("filler").pattern).fullmatch("、 " * 40 + "甲") is None  # the old pattern: 2⁴⁰ tries
    assert time.perf_counter() - started < 0.1


def test_fast_paths_on_shared_letters(shared_letters: Path) -> None:
    for path in find_letters([shared_letters]):
        text = to_match_text(read_letter(path).text)
        assert agency_starts_missed(text) == [], path.name
        fast, plain = firm_enumerations(text), FIRM_ENUMERATION.finditer(text)
        assert firm_enumeration_spans(fast) == firm_enumeration_spans(plain), path.name
        assert list(led_lists(text)) == [m.span(1) for m in _LED_BY.finditer(text)], path.name
        assert redact(text) == _PRIVATE.sub(lambda m: "＊" * len(m.group()), text), path.name


def test_extraction_reads_at_least_100_characters_per_ms() -> None:
    """A loose floor (about 500 characters/ms measured; 15 before the scans were indexed) that a
    return to per-position table scans would break."""
    letter = read_letter(SEED)
    extract(letter)
    best = min(seconds(lambda: extract(letter)) for _ in range(3))
    assert len(letter.text) / (best * 1000) >= 100


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _worstcase() -> ModuleType | None:
    """bench/worstcase.py, the worst-case letters (None where the bench is not there)."""
    path = ROOT / "bench" / "worstcase.py"
    spec = importlib.util.spec_from_file_location("worstcase", path) if path.exists() else None
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WORSTCASE = _worstcase()


@pytest.mark.skipif(WORSTCASE is None, reason="bench/worstcase.py is not there")
@pytest.mark.parametrize("name", list(WORSTCASE.CASES) if WORSTCASE else [])
def test_worst_cases_are_read_in_linear_time(name: str) -> None:
    """Four times the text takes about four times as long to read (a quadratic recogniser: sixteen)."""
    assert WORSTCASE is not None

    def read(size: int) -> float:
        letter = Letter("worst", "worst.txt", WORSTCASE.worst_case(name, size), "utf-8")
        return seconds(lambda: letter_triples(ex := extract(letter), resolve(ex)))

    read(2_000)  # warm up
    small = min(read(12_500) for _ in range(3))
    large = min(read(50_000) for _ in range(2))
    assert large / small < 10, f"{name}: {small:.2f} s for 12,500 characters, {large:.2f} s for 50,000"
