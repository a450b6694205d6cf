"""Entities, relations and identity on real letters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from policykg.export import to_union_graph
from policykg.pipeline import build_graph
from policykg.resolve import canonical_agency
from policykg.vocab import POL, RDF, RDFS, SKOS


def iri_of(g: Graph, label: str) -> URIRef:
    found = {s for s in g.subjects(RDFS.label, Literal(label, lang="zh"))}
    found |= {s for s in g.subjects(SKOS.altLabel, Literal(label, lang="zh"))}
    assert len(found) == 1, (label, found)
    (iri,) = found
    assert isinstance(iri, URIRef)
    return iri


def zh(g: Graph, node: object) -> str:
    """The Chinese label of a node."""
    return next(str(o) for o in g.objects(node, RDFS.label) if getattr(o, "language", None) == "zh")  # type: ignore[arg-type]


def test_firms_anchor_clusters(seed_graph: Graph) -> None:
    display = iri_of(seed_graph, "新型显示产业集群")
    anchors = {zh(seed_graph, f) for f in seed_graph.subjects(POL.anchorOf, display)}
    assert anchors == {"乐金OLED", "华星光电"}
    assert set(seed_graph.subjects(POL.memberOf, display)) == set(seed_graph.subjects(POL.anchorOf, display))


def test_chain_leader_platforms_drive_firms(seed_graph: Graph) -> None:
    platform = iri_of(seed_graph, "汽车产业自动化平台")
    assert (platform, RDF.type, POL.Platform) in seed_graph
    assert {zh(seed_graph, f) for f in seed_graph.objects(platform, POL.chainLeader)} == {"广汽本田"}
    assert {zh(seed_graph, f) for f in seed_graph.objects(platform, POL.drives)} == {"瑞立科密", "明珞装备"}


def test_loan_products_are_offered_by_banks(seed_graph: Graph) -> None:
    bank = iri_of(seed_graph, "广州农商银行")
    assert (bank, RDF.type, POL.Bank) in seed_graph
    products = {zh(seed_graph, p) for p in seed_graph.subjects(POL.offeredBy, bank)}
    assert products == {"银农通", "金米乡村振兴生猪养殖贷", "农耕贷"}


def test_joint_issuers_of_a_regulation(seed_graph: Graph) -> None:
    reg = iri_of(seed_graph, "2021-2023年广州市政策性农业保险实施方案")
    issuers = {zh(seed_graph, a) for a in seed_graph.objects(reg, POL.issuedBy)}
    assert issuers == {"广州市地方金融监督管理局", "广州市农业农村局", "广州市财政局", "广州市气象局"}


def test_proposal_title_is_not_a_regulation(seed_graph: Graph) -> None:
    titles = {str(o) for s in seed_graph.subjects(RDF.type, POL.Regulation) for o in seed_graph.objects(s, RDFS.label)}
    assert not any(t.startswith("关于加大力度培育") for t in titles)
    assert len(titles) == 7


@pytest.mark.parametrize(
    ("name", "prefix", "place", "full"),
    [
        ("市住房城乡建设局", "市", "广州市", "广州市住房和城乡建设局"),
        ("市地方金融监管局", "市", "广州市", "广州市地方金融监督管理局"),
        ("市供销总社", "市", "广州市", "广州市供销合作总社"),
        ("区财政局", "区", "广州市番禺区", "广州市番禺区财政局"),
        ("区财政局", "区", "广州市白云区", "广州市白云区财政局"),
        ("省市场监管局", "省", "广东省", "广东省市场监督管理局"),
        ("市发展改革委", "市", "广州市", "广州市发展和改革委员会"),
        ("工信部", "", None, "中华人民共和国工业和信息化部"),
        ("市委组织部", "市", "广州市", "中共广州市委组织部"),
        ("市政府", "市", "广州市", "广州市人民政府"),
        ("人民银行广州分行", "", "广州市", "中国人民银行广州分行"),
    ],
)
def test_canonical_agency_names(name: str, prefix: str, place: str | None, full: str) -> None:
    assert canonical_agency(name, prefix, place) == full


def test_relative_names_need_a_place() -> None:
    assert canonical_agency("市工信局", "市", None) is None


def test_same_entity_same_iri_in_any_order(shared_letters: Path) -> None:
    files = sorted(shared_letters.glob("*.txt"))

    def labelled(paths: list[Path]) -> dict[str, set[URIRef]]:
        out: dict[str, set[URIRef]] = {}
        for path in paths:
            g = to_union_graph(build_graph([path]).dataset)
            for s, o in g.subject_objects(RDFS.label):
                if isinstance(s, URIRef) and getattr(o, "language", None) == "zh" and "/id/letter/" not in str(s):
                    out.setdefault(str(o), set()).add(s)
        return out

    one_by_one = labelled(files)
    reversed_order = labelled(list(reversed(files)))
    together = to_union_graph(build_graph([shared_letters]).dataset)
    assert one_by_one == reversed_order
    for label, iris in one_by_one.items():
        assert iris == set(together.subjects(RDFS.label, Literal(label, lang="zh"))), label


def test_built_graph_invariants(all_graph: Graph) -> None:
    entities = set(all_graph.subjects(POL.mentionedIn, None))
    assert entities
    for e in entities:
        assert str(e).isascii()
        zh = [o for o in all_graph.objects(e, RDFS.label) if getattr(o, "language", None) == "zh"]
        assert len(zh) == 1, e
        assert not re.fullmatch("我[局委厅部办区市].*|贵单位", str(zh[0]))
    phone = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
    assert not [o for o in all_graph.objects() if isinstance(o, Literal) and phone.search(str(o))]


def test_bodies_in_several_letters_are_one_node(all_graph: Graph) -> None:
    for name in ("广州市工业和信息化局", "广州市财政局", "中华人民共和国财政部"):
        nodes = set(all_graph.subjects(RDFS.label, Literal(name, lang="zh")))
        assert len(nodes) == 1, name
        (node,) = nodes
        assert len(set(all_graph.objects(node, POL.mentionedIn))) >= 2, name
