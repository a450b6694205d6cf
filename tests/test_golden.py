"""Golden graphs: each case's letter builds to exactly its expected.ttl (compared as graphs).

Run ``pytest tests/test_golden.py --update-golden`` to rewrite them; review the git diff.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from policykg.export import to_union_graph
from policykg.pipeline import build_graph
from tests.conftest import ROOT, SEED, SHARED

CASES = {
    "seed": SEED,
    "cq_2020": SHARED / "letters" / "cq_2020_smart_industry_proposal.txt",
    "gz_2017": SHARED / "letters" / "gz_2017_private_innovation_key_proposal.txt",
    "nm_2020": SHARED / "letters" / "nm_2020_industrial_park_upgrade.txt",
}


def _dump(g: Graph) -> str:
    return "\n".join(sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in g))


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, update_golden: bool) -> None:
    letter = CASES[case]
    if not letter.exists():
        pytest.skip(f"letter not present: {letter}")
    actual = to_union_graph(build_graph([letter]).dataset)
    expected_path = ROOT / "tests" / "cases" / case / "expected.ttl"
    if update_golden:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(actual.serialize(format="turtle"), encoding="utf-8")
    expected = Graph().parse(expected_path)
    if not isomorphic(actual, expected):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(f"only in expected:\n{_dump(only_expected)}\n\nonly in actual:\n{_dump(only_actual)}")
