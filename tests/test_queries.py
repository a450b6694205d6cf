"""Every query in queries/ parses and runs on the seed letter's graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from tests.conftest import ROOT

QUERIES = sorted((ROOT / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_runs(path: Path, seed_graph: Graph) -> None:
    rows = list(seed_graph.query(path.read_text(encoding="utf-8")))
    assert rows


def test_agencies_by_letter_count_on_seed(seed_graph: Graph) -> None:
    rows = seed_graph.query((ROOT / "queries" / "agencies_by_letter_count.rq").read_text(encoding="utf-8"))
    labels = {str(r.label) for r in rows}
    assert {"广州市工业和信息化局", "广州市住房和城乡建设局", "中华人民共和国工业和信息化部"} <= labels
