"""The networkx projection of the store, and the analytics on it (centrality, paths, communities, Gephi files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph

from policykg.cli import main
from policykg.errors import OutputFormatError, QueryError
from policykg.network import (
    CLASSES,
    find_entities,
    parse_types,
    serialize_network,
    to_centrality,
    to_communities,
    to_entity,
    to_networkx,
    to_path,
    to_subgraph,
)
from policykg.pipeline import build_store
from policykg.store import LetterStore
from policykg.vocab import POL
from tests.conftest import SEED

SEED_FILE = SEED.name
FINANCE = "广州市财政局"
WEATHER = "广州市气象局"
INSURANCE = "2021-2023年广州市政策性农业保险实施方案"


@pytest.fixture(scope="module")
def seed_store() -> Iterator[LetterStore]:
    store = LetterStore(None)
    build_store([SEED], store, jobs=1)
    yield store
    store.close()


@pytest.fixture(scope="module")
def seed_net(seed_store: LetterStore) -> nx.MultiDiGraph[str]:
    return to_networkx(seed_store)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed letter in a store on disk, closed, for the command line."""
    path = tmp_path_factory.mktemp("net") / "store"
    with LetterStore(path) as store:
        build_store([SEED], store, jobs=1)
    return path


def _node(graph: nx.MultiDiGraph[str], label: str) -> str:
    (node,) = [n for n, d in graph.nodes(data=True) if d["label"] == label]
    return node


def test_entities_are_nodes_with_class_names_letters_and_evidence(seed_net: nx.MultiDiGraph[str]) -> None:
    data = seed_net.nodes[_node(seed_net, FINANCE)]
    assert data["cls"] == "Agency"
    assert data["label_en"] == "Guangzhou Municipal Bureau of Finance"
    assert data["label_pinyin"] == "Guǎngzhōu Shì Cáizhèng Jú"
    assert data["alt_labels"] == ("市财政局",)
    assert data["letters"] == (SEED_FILE,)
    assert data["evidence"]
    assert all(e.letter == SEED_FILE and "市财政局" in e.text for e in data["evidence"])


def test_every_node_is_an_entity_or_document_literals_stay_attributes(seed_net: nx.MultiDiGraph[str]) -> None:
    assert {d["cls"] for _, d in seed_net.nodes(data=True)} <= set(CLASSES)
    assert all(str(n).startswith("https://w3id.org/policykg/id/") for n in seed_net)


def test_relations_are_the_graphs_relations(seed_net: nx.MultiDiGraph[str], seed_graph: Graph) -> None:
    """The projection (read through SPARQL from Oxigraph) has exactly the links rdflib sees between nodes."""
    typed = {s for c in CLASSES for s in seed_graph.subjects(RDF.type, POL[c])}
    expected = {(str(s), p.n3(seed_graph.namespace_manager), str(o)) for s, p, o in seed_graph
                if s in typed and o in typed and p != POL.mentionedIn}
    actual = {(u, k, v) for u, v, k in seed_net.edges(keys=True)}
    assert actual == expected
    assert len(actual) > 40


def test_parallel_relations_survive(seed_net: nx.MultiDiGraph[str]) -> None:
    firm, cluster = _node(seed_net, "百济神州"), _node(seed_net, "生物医药产业集群")
    assert set(seed_net[firm][cluster]) == {"pol:anchorOf", "pol:memberOf"}


def test_each_relation_carries_its_sentence(seed_net: nx.MultiDiGraph[str]) -> None:
    edge = seed_net.edges[_node(seed_net, INSURANCE), _node(seed_net, FINANCE), "pol:issuedBy"]
    assert edge["relation"] == "pol:issuedBy"
    (evidence,) = edge["evidence"]
    assert evidence.letter == SEED_FILE
    assert "联合印发《2021-2023年广州市政策性农业保险实施方案》" in evidence.text


def test_documents_are_optional_nodes(seed_store: LetterStore, seed_net: nx.MultiDiGraph[str]) -> None:
    reply = _node(seed_net, SEED_FILE)
    assert seed_net.nodes[reply]["cls"] == "Reply"
    assert sum(1 for _, _, k in seed_net.out_edges(reply, keys=True) if k == "pol:cites") == 7
    bare = to_networkx(seed_store, documents=False)
    assert {d["cls"] for _, d in bare.nodes(data=True)} & {"Reply", "Proposal"} == set()
    assert bare.number_of_nodes() == seed_net.number_of_nodes() - 2
    assert not any(k == "pol:cites" for _, _, k in bare.edges(keys=True))


def test_mentions_link_entities_to_their_letters(seed_store: LetterStore) -> None:
    graph = to_networkx(seed_store, mentions=True)
    reply = _node(graph, SEED_FILE)
    entities = [n for n, d in graph.nodes(data=True) if d["cls"] not in ("Reply", "Proposal")]
    assert all(graph.has_edge(n, reply, "pol:mentionedIn") for n in entities)
    finance = _node(graph, FINANCE)
    assert graph.edges[finance, reply, "pol:mentionedIn"]["evidence"] == graph.nodes[finance]["evidence"]


def test_only_the_letters_asked_for(tmp_path: Path) -> None:
    other = tmp_path / "gz-2022-20222149-copy.txt"
    other.write_text(SEED.read_text(encoding="utf-8").replace("广州市气象局", "广州市统计局").replace("市气象局", "市统计局"),
                     encoding="utf-8")
    store = LetterStore(None)
    build_store([SEED, other], store, jobs=1)
    both = to_networkx(store)
    assert {n for n, d in both.nodes(data=True) if d["letters"] == (other.name,)}  # e.g. 广州市统计局
    one = to_networkx(store, letters=[SEED.stem])
    assert {d["letters"] for _, d in one.nodes(data=True)} == {(SEED_FILE,)}
    assert to_networkx(store, letters=[SEED_FILE]).number_of_nodes() == one.number_of_nodes()
    with pytest.raises(QueryError, match="no letter graph 'nope'"):
        to_networkx(store, letters=["nope"])


@pytest.mark.parametrize("name", [FINANCE, "市财政局", "guangzhou municipal bureau of finance", "Guǎngzhōu Shì Cáizhèng Jú"])
def test_an_entity_by_any_of_its_names(seed_net: nx.MultiDiGraph[str], name: str) -> None:
    assert to_entity(seed_net, name) == _node(seed_net, FINANCE)


def test_a_unique_part_of_a_name_is_enough(seed_net: nx.MultiDiGraph[str]) -> None:
    assert to_entity(seed_net, "气象") == _node(seed_net, WEATHER)
    assert len(find_entities(seed_net, "广州市")) > 10


@pytest.mark.parametrize(("name", "message"), [("广州市", r"names \d+ entities: .*give the full name"),
                                               ("火星局", "no entity named '火星局'")])
def test_unknown_or_ambiguous_names_are_errors(seed_net: nx.MultiDiGraph[str], name: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        to_entity(seed_net, name)


def test_types_are_checked_and_include_subclasses(seed_net: nx.MultiDiGraph[str]) -> None:
    assert parse_types("firm,Regulation") == ("Firm", "Regulation")
    with pytest.raises(QueryError, match="unknown class 'Firms'"):
        parse_types("Firms")
    firms = to_subgraph(seed_net, types=parse_types("Firm"))
    assert {d["cls"] for _, d in firms.nodes(data=True)} == {"Firm", "Bank"}


def test_focus_hops_and_max_nodes(seed_net: nx.MultiDiGraph[str]) -> None:
    finance, insurance = _node(seed_net, FINANCE), _node(seed_net, INSURANCE)
    near = to_subgraph(seed_net, focus=[finance], hops=1)
    assert set(near) == {finance, insurance}
    wider = to_subgraph(seed_net, focus=[finance], hops=2)
    assert _node(seed_net, WEATHER) in wider
    assert wider.has_edge(insurance, finance, "pol:issuedBy")
    assert wider.graph["omitted"] == 0
    small = to_subgraph(seed_net, focus=[finance], hops=2, max_nodes=2)
    assert set(small) == {finance, insurance}
    assert small.graph["omitted"] == wider.number_of_nodes() - 2
    assert to_subgraph(seed_net, types=("Firm",), focus=[finance], hops=1).number_of_nodes() == 1  # the focus stays


def _toy(edges: list[tuple[str, str]], classes: dict[str, str]) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for n, cls in classes.items():
        graph.add_node(n, cls=cls, label=n.upper())
    for u, v in edges:
        graph.add_edge(u, v, key="pol:drives", relation="pol:drives", evidence=())
    return graph


def test_centrality_per_class() -> None:
    graph = _toy([("a", "b"), ("b", "c"), ("c", "b")], {"a": "Firm", "b": "Agency", "c": "Firm", "d": "Firm"})
    rows = to_centrality(graph, top=2)
    assert [(r.cls, r.label, r.degree) for r in rows] == [("Agency", "B", 2), ("Firm", "A", 1), ("Firm", "C", 1)]
    assert [r.betweenness for r in rows] == [pytest.approx(1 / 3), 0.0, 0.0]  # b is on 1 of the 3 pairs' paths


def test_path_names_relation_direction_and_evidence(seed_net: nx.MultiDiGraph[str]) -> None:
    finance, weather, insurance = _node(seed_net, FINANCE), _node(seed_net, WEATHER), _node(seed_net, INSURANCE)
    hops = to_path(seed_net, finance, weather)
    assert [(h.source, h.target) for h in hops] == [(finance, insurance), (insurance, weather)]
    (back,), (forth,) = hops[0].links, hops[1].links
    assert (back.relation, back.forward, forth.relation, forth.forward) == ("pol:issuedBy", False, "pol:issuedBy", True)
    assert "联合印发" in back.evidence[0].text


def test_no_path_is_an_error(seed_net: nx.MultiDiGraph[str]) -> None:
    lonely = sorted(n for n in seed_net if seed_net.degree(n) == 0)
    with pytest.raises(QueryError, match="no connection between"):
        to_path(seed_net, lonely[0], lonely[1])


def test_communities_are_stable_and_numbered_by_size() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "d"), ("f", "g")]
    graph = _toy(edges, {n: "Firm" for n in "abcdefg"})
    found = to_communities(graph)
    assert found == to_communities(graph)
    assert found["a"] == found["b"] == found["c"] != found["d"]
    assert found["d"] == found["e"] == found["f"] == found["g"] == 0


@pytest.mark.parametrize("fmt", [".graphml", ".gexf"])
def test_gephi_files_keep_every_relation(seed_net: nx.MultiDiGraph[str], tmp_path: Path, fmt: str) -> None:
    data = serialize_network(seed_net, fmt)
    assert data == serialize_network(seed_net, fmt)
    path = tmp_path / f"g{fmt}"
    path.write_bytes(data)
    back = nx.read_graphml(path) if fmt == ".graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == seed_net.number_of_nodes()
    assert back.number_of_edges() == seed_net.number_of_edges()
    finance = _node(seed_net, FINANCE)
    assert back.nodes[finance]["label"] == FINANCE
    assert back.nodes[finance]["cls"] == "Agency"
    assert "联合印发" in back.nodes[finance]["evidence"]
    firm, cluster = _node(seed_net, "百济神州"), _node(seed_net, "生物医药产业集群")
    relations = sorted(d.get("relation", d.get("label")) for d in back.get_edge_data(firm, cluster).values())
    assert relations == ["pol:anchorOf", "pol:memberOf"]


def test_unknown_network_format(seed_net: nx.MultiDiGraph[str]) -> None:
    with pytest.raises(OutputFormatError):
        serialize_network(seed_net, ".dot")


@pytest.mark.parametrize("command", ["viz", "path", "export", "stats"])
def test_commands_have_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 5


def test_cli_stats_centrality(store_dir: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--store", str(store_dir), "--centrality", "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "centrality: top 2 per class" in result.output
    assert "广州市工业和信息化局" in result.output
    plain = CliRunner().invoke(main, ["stats", "--store", str(store_dir)])
    assert "centrality" not in plain.output


def test_cli_path(store_dir: Path) -> None:
    result = CliRunner().invoke(main, ["path", FINANCE, "Guangzhou Municipal Bureau of Meteorology", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{FINANCE} (Agency)"
    assert lines[1] == "  ← pol:issuedBy"
    assert lines[2].startswith(f"      [{SEED_FILE}] ")
    assert "联合印发《2021-2023年广州市政策性农业保险实施方案》" in lines[2]
    assert f"{INSURANCE} (Regulation)" in lines
    assert lines[-1] == "2 hops"


@pytest.mark.parametrize(("a", "b", "message"), [("火星局", FINANCE, "no entity named"), ("广州市", FINANCE, "give the full name")])
def test_cli_path_errors(store_dir: Path, a: str, b: str, message: str) -> None:
    result = CliRunner().invoke(main, ["path", a, b, "--store", str(store_dir)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", [".graphml", ".gexf"])
def test_cli_export_for_gephi(store_dir: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph{fmt}"
    result = CliRunner().invoke(main, ["export", "--store", str(store_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(out) if fmt == ".graphml" else nx.read_gexf(out)
    assert back.number_of_nodes() > 100
    assert any(d.get("label") == FINANCE for _, d in back.nodes(data=True))
    assert all(str(n).startswith("https://w3id.org/policykg/id/") for n in back.nodes)
