"""Extraction's fast paths find exactly what the plain scans they replace find, and stay fast."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from policykg.agencies import _match_prefixed, _place_name_at, _prefix_start, place_names
from policykg.extract import extract
from policykg.extract.firms import FIRM_ENUMERATION, firm_enumerations
from policykg.ingest import find_letters, read_letter
from policykg.text import to_match_text
from tests.conftest import SEED

TEXTS = {
    "seed": to_match_text(read_letter(SEED).text),
    "agencies": "由我局会同市住房城乡建设局、市供销总社和市规划和自然资源局负责办理",
    "prefixes": "广州市白云区工业和信息化局和市场监督管理局、省市场监管局及区人大常委会办公室",
    "firm_lists": "带动华为、中兴等一批龙头企业和美的两家公司,支持甲科技、乙电子等٣家企业",
    "clusters": "以广汽集团、小鹏汽车为代表的新能源汽车产业集群,培育A公司和B公司3家企业",
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


def test_fast_paths_on_shared_letters(shared_letters: Path) -> None:
    for path in find_letters([shared_letters]):
        text = to_match_text(read_letter(path).text)
        assert agency_starts_missed(text) == [], path.name
        fast, plain = firm_enumerations(text), FIRM_ENUMERATION.finditer(text)
        assert firm_enumeration_spans(fast) == firm_enumeration_spans(plain), path.name


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
