"""The embedded store: per-letter graphs replaced atomically, the union default graph, export,
queries with bound parameters, and a build killed half-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from policykg.cli import main
from policykg.pipeline import build_store
from policykg.store import ONTOLOGY_GRAPH, LetterStore
from tests.conftest import SEED

SEED_GRAPH = "https://w3id.org/policykg/id/letter/gz-2022-20222149-gxj"


def _graph(store: LetterStore, graph: str) -> set[str]:
    return {str(q.triple) for q in store.quads(graph)}


def _default(store: LetterStore) -> set[str]:
    return {str(q.triple) for q in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def _union(store: LetterStore) -> set[str]:
    graphs = [*store.letter_graphs(), ONTOLOGY_GRAPH]
    return {t for g in graphs for t in _graph(store, g)}


def test_building_twice_changes_nothing(tmp_path: Path) -> None:
    with LetterStore(tmp_path / "s") as store:
        build_store([SEED], store, jobs=1)
        first = sorted(str(q) for q in store.ox)
        build_store([SEED], store, jobs=1)
        assert sorted(str(q) for q in store.ox) == first
    assert len(first) == len(set(first))


def test_build_compacts_after_bulk_loading_only(tmp_path: Path, shared_letters: Path) -> None:
    compactions: list[int] = []

    class Counting(LetterStore):
        def optimize(self) -> None:
            compactions.append(len(self.ox))
            super().optimize()

    with Counting(tmp_path / "s") as store:
        build_store([shared_letters], store, jobs=1)  # new letters: bulk-loaded, then compacted
        assert len(compactions) == 1
        before = sorted(str(q) for q in store.ox)
        store.optimize()  # compaction changes no data
        assert sorted(str(q) for q in store.ox) == before
        build_store([SEED], store, jobs=1)  # a letter already there is replaced, not bulk-loaded
        assert len(compactions) == 2  # the explicit call above only
        assert sorted(str(q) for q in store.ox) == before


def test_changed_letter_replaces_only_its_graph(tmp_path: Path, shared_letters: Path) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    for name in ("gz-2022-20222149-gxj.txt", "cq_2020_smart_industry_proposal.txt"):
        shutil.copy(shared_letters / name, letters / name)
    other = "https://w3id.org/policykg/id/letter/cq_2020_smart_industry_proposal"
    with LetterStore(tmp_path / "s") as store:
        build_store([letters], store, jobs=1)
        before_other, before_seed = _graph(store, other), _graph(store, SEED_GRAPH)
        assert "广州农村商业银行" in str(before_seed)
        # the letter is edited: a paragraph naming the bank is dropped
        text = (letters / "gz-2022-20222149-gxj.txt").read_text(encoding="utf-8")
        edited = "\n".join(line for line in text.splitlines() if "广州农商银行" not in line)
        (letters / "gz-2022-20222149-gxj.txt").write_text(edited, encoding="utf-8")
        build_store([letters / "gz-2022-20222149-gxj.txt"], store, jobs=1)
        after_seed = _graph(store, SEED_GRAPH)
        assert _graph(store, other) == before_other  # the other letter is untouched
        assert after_seed != before_seed
        assert "广州农村商业银行" not in str(after_seed)  # no stale triples in the letter's graph ...
        assert "广州农村商业银行" not in str(_default(store))  # ... nor in the union
        assert _default(store) == _union(store)


def test_default_graph_is_the_union(tmp_path: Path, shared_letters: Path) -> None:
    with LetterStore(tmp_path / "s") as store:
        build_store([shared_letters], store, jobs=2)
        assert len(store.letter_graphs()) == len(list(shared_letters.glob("*.txt")))
        assert _default(store) == _union(store)


@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nq", ".jsonld"])
def test_export_is_stable_and_reimports(tmp_path: Path, suffix: str) -> None:
    store = tmp_path / "s"
    assert CliRunner().invoke(main, ["build", str(SEED), "--store", str(store)]).exit_code == 0
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    for out in (a, b):
        result = CliRunner().invoke(main, ["export", "--store", str(store), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()
    with LetterStore(store, read_only=True) as s:
        expected = Graph()
        for q in s.quads(SEED_GRAPH):
            expected.parse(data=f"{q.triple} .", format="nt")
    if suffix == ".ttl":
        assert isomorphic(Graph().parse(a, format="turtle"), expected)
    else:
        ds = Dataset()
        ds.parse(a, format={".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}[suffix])
        got = Graph()
        for s_, p, o, _ in ds.quads((None, None, None, None)):
            got.add((s_, p, o))
        assert isomorphic(got, expected)
        assert SEED_GRAPH in {str(g.identifier) for g in ds.graphs()}


def test_export_one_letter(tmp_path: Path, shared_letters: Path) -> None:
    store = tmp_path / "s"
    CliRunner().invoke(main, ["build", str(shared_letters), "--store", str(store)])
    out = tmp_path / "one.nq"
    result = CliRunner().invoke(main, ["export", "--store", str(store), "--graph", "gz-2022-20222149-gxj", "--out", str(out)])
    assert result.exit_code == 0, result.output
    graphs = {line.rsplit(" ", 2)[-2] for line in out.read_text(encoding="utf-8").splitlines()}
    assert graphs == {f"<{SEED_GRAPH}>"}
    missing = CliRunner().invoke(main, ["export", "--store", str(store), "--graph", "nope", "--out", str(tmp_path / "x.nq")])
    assert missing.exit_code == 1
    assert "nope" in missing.output


def test_query_formats_and_bound_parameter(tmp_path: Path) -> None:
    store = tmp_path / "s"
    CliRunner().invoke(main, ["build", str(SEED), "--store", str(store)])
    query = tmp_path / "q.rq"
    query.write_text(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX pol: <https://w3id.org/policykg/ontology#>\n"
        "SELECT ?a WHERE { ?a a pol:Agency ; rdfs:label ?l . FILTER(STR(?l) = ?name) }",
        encoding="utf-8",
    )
    base = ["query", str(query), "--store", str(store)]
    found = CliRunner().invoke(main, [*base, "--param", "name=广州市财政局", "--format", "json"])
    assert found.exit_code == 0, found.output
    rows = json.loads(found.output)["results"]["bindings"]
    assert len(rows) == 1
    assert rows[0]["a"]["value"].startswith("https://w3id.org/policykg/id/agency/")
    # a value that would break out of a pasted query only fails to match
    hostile = CliRunner().invoke(main, [*base, "--param", 'name=x" ) } ?a ?b ?c # ', "--format", "csv"])
    assert hostile.exit_code == 0, hostile.output
    assert hostile.output.strip().splitlines() == ["a"]
    tsv = CliRunner().invoke(main, [*base, "--param", "name=广州市财政局", "--format", "tsv"])
    assert tsv.output.splitlines()[0] == "?a"
    assert tsv.output.splitlines()[1].startswith("<https://w3id.org/policykg/id/agency/")
    unknown = CliRunner().invoke(main, [*base, "--param", "nope=1"])
    assert unknown.exit_code == 1
    assert "?nope" in unknown.output


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "agencies_by_letter_count", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no store here" in result.output
    assert "Traceback" not in result.output


def test_killed_build_leaves_complete_letters(tmp_path: Path, shared_letters: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):  # copies with their own names: a build long enough to be killed half-way
        for f in shared_letters.glob("*.txt"):
            shutil.copy(f, corpus / f"{f.stem}-{i}.txt")
    store = tmp_path / "s"
    with LetterStore(store) as s:
        build_store([SEED], s, jobs=1)
        seed_before = _graph(s, SEED_GRAPH)
    cli = Path(sys.executable).parent / "policykg"
    proc = subprocess.Popen([str(cli), "build", str(corpus), "--store", str(store), "--jobs", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with LetterStore(store) as s:
        assert _graph(s, SEED_GRAPH) == seed_before  # what was there before is intact
        assert _default(s) == _union(s)  # the union was not left half-updated
        with LetterStore(None) as fresh:  # every letter in the store is complete
            for g in s.letter_graphs()[:40]:
                if g == SEED_GRAPH:
                    continue
                build_store([corpus / f"{g.rsplit('/', 1)[-1]}.txt"], fresh, jobs=1)
                assert _graph(s, g) == _graph(fresh, g), g


def test_dump_is_readable_like_any_new_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "seed.ttl"
        assert CliRunner().invoke(main, ["build", str(SEED), "--no-store", "--out", str(out)]).exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
