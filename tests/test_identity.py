"""One entity, one node: resolution across letters, renamed bodies, firm names, bilingual labels."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from policykg.cli import main
from policykg.english import english_name, pinyin_name
from policykg.pipeline import build_store
from policykg.resolve import expand
from policykg.store import LetterStore
from policykg.vocab import POL

PRONOUN = re.compile(r"(?:我|贵|本|该)(?:局|委|厅|部|办|单位|市|区|省|县|司|处)(?:政府)?")

# A dozen labels checked by hand against the agencies' own English names and Hanyu Pinyin.
BY_HAND = {
    "广州市工业和信息化局": ("Guangzhou Municipal Bureau of Industry and Information Technology", "Guǎngzhōu Shì Gōngyè hé Xìnxīhuà Jú"),
    "广州市番禺区财政局": ("Finance Bureau of Panyu District, Guangzhou", "Guǎngzhōu Shì Pānyú Qū Cáizhèng Jú"),
    "广州市发展和改革委员会": ("Guangzhou Municipal Commission of Development and Reform", "Guǎngzhōu Shì Fāzhǎn hé Gǎigé Wěiyuánhuì"),
    "广州市科学技术局": ("Guangzhou Municipal Bureau of Science and Technology", "Guǎngzhōu Shì Kēxué Jìshù Jú"),
    "中华人民共和国工业和信息化部": (
        "Ministry of Industry and Information Technology of the People's Republic of China",
        "Zhōnghuá Rénmín Gònghéguó Gōngyè hé Xìnxīhuà Bù",
    ),
    "广东省工业和信息化厅": ("Department of Industry and Information Technology of Guangdong Province", "Guǎngdōng Shěng Gōngyè hé Xìnxīhuà Tīng"),
    "广州市人民政府": ("Guangzhou Municipal People's Government", "Guǎngzhōu Shì Rénmín Zhèngfǔ"),
    "广州市白云区人民政府": ("People's Government of Baiyun District, Guangzhou", "Guǎngzhōu Shì Báiyún Qū Rénmín Zhèngfǔ"),
    "中共广州市委员会": ("Guangzhou Municipal Committee of the Communist Party of China", "Zhōnggòng Guǎngzhōu Shì Wěiyuánhuì"),
    "中国人民政治协商会议广州市委员会": (
        "Guangzhou Municipal Committee of the Chinese People's Political Consultative Conference",
        "Zhōngguó Rénmín Zhèngzhì Xiéshāng Huìyì Guǎngzhōu Shì Wěiyuánhuì",
    ),
    "内蒙古自治区工业和信息化厅": (
        "Department of Industry and Information Technology of Inner Mongolia Autonomous Region",
        "Nèiménggǔ Zìzhìqū Gōngyè hé Xìnxīhuà Tīng",
    ),
    "重庆市经济和信息化委员会": ("Chongqing Municipal Commission of Economy and Information Technology", "Chóngqìng Shì Jīngjì hé Xìnxīhuà Wěiyuánhuì"),
    "广州市白云区人和镇": ("Renhe Town, Baiyun District, Guangzhou", "Guǎngzhōu Shì Báiyún Qū Rénhé Zhèn"),
    "中国人民银行广州分行": ("Guangzhou Branch of the People's Bank of China", "Zhōngguó Rénmín Yínháng Guǎngzhōu Fēnháng"),
}


def _label(g: Graph, node: object, lang: str) -> str | None:
    return next((str(o) for o in g.objects(node, RDFS.label) if (getattr(o, "language", None) or "").lower() == lang), None)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(BY_HAND))
def test_english_and_pinyin_by_hand(name: str) -> None:
    assert (english_name(name), pinyin_name(name)) == BY_HAND[name]


def test_every_agency_has_english_and_pinyin(all_graph: Graph) -> None:
    agencies = set(all_graph.subjects(RDF.type, POL.Agency))
    assert len(agencies) > 50
    for a in agencies:
        zh, en, py = (_label(all_graph, a, lang) for lang in ("zh", "en", "zh-latn-pinyin"))
        assert zh, a
        assert en, zh
        assert py, zh
        assert "  " not in en, en
        assert not en.startswith("of "), en
        assert re.fullmatch(r"[A-Za-z'(),\- ]+", en), en  # no Chinese, no stray symbols
        assert not re.search(r"[\u4e00-\u9fff]", py), py


def test_hand_checked_labels_are_in_the_graph(all_graph: Graph) -> None:
    found = 0
    for name, (en, py) in BY_HAND.items():
        nodes = set(all_graph.subjects(RDFS.label, Literal(name, lang="zh")))
        if nodes:
            (node,) = nodes
            assert _label(all_graph, node, "en") == en
            assert _label(all_graph, node, "zh-latn-pinyin") == py
            found += 1
    assert found >= 10


@pytest.mark.parametrize("name", ["广州市发展和改革委员会", "广州市工业和信息化局", "广州市科学技术局", "中华人民共和国工业和信息化部"])
def test_bodies_in_several_letters_are_one_node(all_graph: Graph, name: str) -> None:
    nodes = set(all_graph.subjects(RDFS.label, Literal(name, lang="zh")))
    assert len(nodes) == 1, name
    (node,) = nodes
    assert len(set(all_graph.objects(node, POL.mentionedIn))) >= 2
    assert len(set(all_graph.objects(node, SKOS.altLabel))) >= 1  # written other ways somewhere


def test_no_two_agencies_are_one_body(all_graph: Graph) -> None:
    labels: dict[str, set[URIRef]] = {}
    for a in all_graph.subjects(RDF.type, POL.Agency):
        zh = _label(all_graph, a, "zh")
        assert zh is not None
        labels.setdefault(zh, set()).add(a)  # type: ignore[arg-type]
        assert expand(zh) == zh, f"{zh} is not the full form"
        assert not re.match(r"^(.{2,4}[省市区县])\1", zh), f"place written twice: {zh}"
    assert all(len(nodes) == 1 for nodes in labels.values())


def test_no_pronoun_is_a_name(all_graph: Graph) -> None:
    for p in (RDFS.label, SKOS.altLabel):
        for o in all_graph.objects(None, p):
            assert not PRONOUN.fullmatch(str(o)), f"pronoun stored as a name: {o}"


def test_renamed_body_links_to_its_successor(all_graph: Graph) -> None:
    old = set(all_graph.subjects(RDFS.label, Literal("广州市科技创新委员会", lang="zh")))
    new = set(all_graph.subjects(RDFS.label, Literal("广州市科学技术局", lang="zh")))
    assert len(old) == 1
    assert len(new) == 1
    assert old != new  # linked, not merged
    (o,), (n,) = old, new
    assert (o, DCTERMS.isReplacedBy, n) in all_graph
    assert (n, DCTERMS.replaces, o) in all_graph
    assert set(all_graph.objects(n, POL.mentionedIn))  # the successor is named in letters of its own


def test_bank_short_form_gets_registered_name(seed_graph: Graph) -> None:
    (bank,) = set(seed_graph.subjects(RDFS.label, Literal("广州农村商业银行", lang="zh")))
    assert (bank, RDF.type, POL.Bank) in seed_graph
    assert Literal("广州农商银行", lang="zh") in set(seed_graph.objects(bank, SKOS.altLabel))


def test_store_same_iris_one_by_one_shuffled_and_together(shared_letters: Path, tmp_path: Path) -> None:
    files = sorted(shared_letters.glob("*.txt"))
    random.Random(7).shuffle(files)
    with LetterStore(None) as one_by_one:
        for f in files:
            build_store([f], one_by_one, jobs=1)
        a = sorted(str(q) for q in one_by_one.quads())
    with LetterStore(None) as together:
        build_store([shared_letters], together, jobs=2)
        b = sorted(str(q) for q in together.quads())
    assert a == b


def test_stats_reports_merges_and_near_duplicates(shared_letters: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert CliRunner().invoke(main, ["build", str(shared_letters), "--store", str(store)]).exit_code == 0
    result = CliRunner().invoke(main, ["stats", "--store", str(store), "--dupes", "500"], terminal_width=250)
    assert result.exit_code == 0, result.output
    merged = re.search(r"pol:Agency\s*│\s*(\d+)\s*│\s*(\d+)", result.output)
    assert merged
    assert int(merged.group(1)) > int(merged.group(2)) > 50  # more forms than entities
    assert re.search(r"绿色食品产业园\s*│\s*绿色食品产业园区|绿色食品产业园区\s*│\s*绿色食品产业园", result.output)
    # a renamed body and its successor are linked, so they are not reported as near-duplicates
    assert not re.search(r"广州市政务服务和数据管理局\s*│\s*广州市政务服务数据管理局", result.output)


def test_body_behind_a_pronoun_is_the_body_named_in_the_text(all_graph: Graph) -> None:
    # jc_2025: 结合区发改局主要职能,我局… — the reply's writer is the 区发改局 the letter names,
    # one node, with its full label (the letter's place is unknown, so the node is the letter's own)
    (reply,) = all_graph.subjects(DCTERMS.source, Literal("jc_2025_green_food_industrial_park.txt"))
    creator = all_graph.value(reply, DCTERMS.creator)
    assert _label(all_graph, creator, "zh") == "区发展和改革局"
    assert (creator, SKOS.altLabel, Literal("区发改局", lang="zh")) in all_graph
    assert (creator, POL.mentionedIn, reply) in all_graph
    (gd,) = all_graph.subjects(DCTERMS.source, Literal("gd_2019_sme_payment_arrears.txt"))
    assert _label(all_graph, all_graph.value(gd, DCTERMS.creator), "zh") == "广东省工业和信息化厅"
