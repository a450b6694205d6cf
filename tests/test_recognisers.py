"""Each recogniser on short sentences written for these tests (not taken from the letters).

Every case wraps its sentence in a minimal letter frame and runs the whole extraction, so masking
and the order of the recognisers take part as they do on a real letter.
"""

from __future__ import annotations

import pytest

from policykg.extract import Extraction, extract
from policykg.ingest import Letter
from policykg.metadata import read_metadata
from policykg.text import to_match_text

FRAME = "张三代表:\n您提出的《关于加快发展的建议》(第12号)收悉。现答复如下:\n{body}\n"


def read(body: str, frame: str = FRAME) -> Extraction:
    text = frame.format(body=body)
    return extract(Letter(key="case", source="case.txt", text=text, encoding="utf-8"))


def names(ex: Extraction, *kinds: str) -> list[str]:
    return [m.name for m in ex.mentions if m.kind in kinds]


def relations(ex: Extraction, predicate: str) -> set[tuple[str, str]]:
    return {(r.subject.name, r.object.name) for r in ex.relations if r.predicate == predicate}


# --- firms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a registered name begins after the verb, not at a word inside it (开发, 发展)
        ("我局协调银行为云岭山珍生物开发股份有限公司发放贷款。", ["云岭山珍生物开发股份有限公司"]),
        ("去年邀请青禾食品集团到园区考察。", ["青禾食品集团"]),
        ("目前由东湖建设投资有限公司负责运营。", ["东湖建设投资有限公司"]),
        # a bank and its branch are one name; banks in a list are each a firm
        ("市工信局与中国银行湖南省分行联合开展对接。", ["中国银行湖南省分行"]),
        ("推动中信、浦发等银行推出专属产品。", ["中信", "浦发"]),
        # items of A、B等企业 are firms, after an appositive noun (重点企业甲乙科技)
        ("引进了星河电子、蓝海材料等一批企业。", ["星河电子", "蓝海材料"]),
        ("支持重点企业甲乙科技等企业扩产。", ["甲乙科技"]),
        # the head names sectors, not firms
        ("发挥航空、商贸等行业龙头企业作用。", []),
        ("引入整车及电池、电控等关键部件企业。", []),
        ("走访长三角等地企业。", []),
        # exchanges, and short forms of the lexicon where they stand alone
        ("支持企业到北交所上市。", ["北交所"]),
    ],
)
def test_firms(body: str, expected: list[str]) -> None:
    assert names(read(body), "Firm", "Bank") == expected


def test_firm_mentions_record_their_rule_and_score() -> None:
    (firm,) = [m for m in read("去年邀请青禾食品集团到园区考察。").mentions if m.kind == "Firm"]
    assert firm.rule == "firm-suffix"
    assert 0 < firm.score <= 1


# --- clusters and parks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        ("支持青山经济开发区扩区。", "IndustrialPark", ["青山经济开发区"]),
        # counts, levels, years and 我省 do not open a name; the bare designation is a programme
        ("建成12个省级现代农业产业园。", "Program", ["现代农业产业园"]),
        ("2023年我省特色产业现代农业产业园通过认定。", "Program", ["特色产业现代农业产业园"]),
        # 和/及 join industries inside one cluster's name
        ("加快培育光伏材料及储能装备产业集群。", "IndustryCluster", ["光伏材料及储能装备产业集群"]),
        # a cluster named only by generic words is no cluster
        ("因地制宜打造县域特色集群。", "IndustryCluster", []),
        # a park named after a county (怀集县 → 怀集) is a place, not a designation
        ("建设怀集茶叶产业园。", "IndustrialPark", ["怀集茶叶产业园"]),
        # — joins the places of one name
        ("打造甲市—乙市—丙市电子信息产业集聚区。", "IndustryCluster", ["甲市—乙市—丙市电子信息产业集聚区"]),
    ],
)
def test_clusters(body: str, kind: str, expected: list[str]) -> None:
    assert names(read(body), kind) == expected


def test_enumerated_clusters() -> None:
    ex = read("打造汽车、电子、化工三大千亿级产业集群。")
    assert names(ex, "IndustryCluster") == ["汽车产业集群", "电子产业集群", "化工产业集群"]


# --- agencies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a bare domain with 厅 after a space is a body of its own
        ("青海省商务厅 财政厅联合开展调研。", ["青海省商务厅", "财政厅"]),
        ("根据我市投资促进中心统计。", ["市投资促进中心"]),
        # a city bureau and its district branch are one body
        ("由杭州市规划和自然资源局西湖区分局负责。", ["杭州市规划和自然资源局西湖区分局"]),
        # verbs and generic tails end a name; 布局 is no bureau
        ("市政府主要领导到省发展改革委汇报。", ["市政府", "省发展改革委"]),
        ("优化全市产业布局。", []),
        ("省十一届政协三次会议", []),
        # the body that holds a session is named by the session, not acting: no mention
        ("在市政协十二届三次会议上提出。", []),
    ],
)
def test_agencies(body: str, expected: list[str]) -> None:
    assert [m.name for m in read(body).mentions if m.kind == "Agency" and not m.pronoun] == expected


# --- the letter's frame ----------------------------------------------------------------------


def test_writer_from_a_title_line_before_the_title() -> None:
    text = "青海省商务厅\n关于省人大第五次会议第8号建议的答复\n李四代表:\n您提出的《关于开放的建议》收悉。现答复如下:\n正文。\n"
    md = read_metadata(to_match_text(text))
    assert md.replying is not None
    assert text[md.replying.start : md.replying.end] == "青海省商务厅"


def test_writer_from_the_signature() -> None:
    text = "李四代表:\n您提出的《关于开放的建议》收悉。现答复如下:\n正文。\n\n青海县投资促进中心\n2024年5月6日\n"
    md = read_metadata(to_match_text(text))
    assert md.replying is not None
    assert text[md.replying.start : md.replying.end] == "青海县投资促进中心"


def test_co_opinion_letter_names_the_lead_handler_and_the_proposers() -> None:
    text = ("青海市商务局关于第7号提案会办意见的函\n市工信局:\n王五、赵六等委员提出的《关于开放的建议》收悉。"
            "经认真研究,我局会办意见如下:\n正文。\n")
    md = read_metadata(to_match_text(text))
    assert md.lead_handler is not None
    assert text[md.lead_handler.start : md.lead_handler.end] == "市工信局"
    assert [span.value for _, span in md.proposers] == ["王五", "赵六"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("经商市财政局、市商务局,现答复如下:", ["市财政局", "市商务局"]),
        ("交由市财政局、市商务局以及市民政局分别研究办理。", ["市财政局", "市商务局", "市民政局"]),
        ("并与市财政局、市商务局沟通,认为可行。", ["市财政局", "市商务局"]),
        ("我局将会同市财政局继续推进。", []),  # work to come, not the handling
        ("我局会同市财政局联合印发《实施办法》。", []),  # an issuing clause, not the handling
    ],
)
def test_co_handlers(sentence: str, expected: list[str]) -> None:
    text = "李四代表:\n您提出的《关于开放的建议》收悉。" + sentence + "\n正文。\n"
    md = read_metadata(to_match_text(text))
    assert [text[a.start : a.end] for a in md.co_handlers] == expected


# --- relations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("市财政局、市商务局于2023年6月正式联合印发《开放发展办法》。",
         {("开放发展办法", "市财政局"), ("开放发展办法", "市商务局")}),
        ("市商务局牵头,先后出台了《甲办法》《乙细则》。", {("甲办法", "市商务局"), ("乙细则", "市商务局")}),
        ("《开放发展条例》已经市人大常委会表决通过。", {("开放发展条例", "市人大常委会")}),
        ("按照市财政局的《资金管理办法》执行。", {("资金管理办法", "市财政局")}),
        ("企业可参照《开放发展办法》申报。", set()),
    ],
)
def test_issued_by(body: str, expected: set[tuple[str, str]]) -> None:
    assert relations(read(body), "issuedBy") == expected


def test_administered_by_the_subject_of_the_clause() -> None:
    ex = read("市商务局会同市财政局推出“开放贷”,并设立“外贸基金”。")
    assert relations(ex, "administeredBy") == {
        ("开放贷", "市商务局"), ("开放贷", "市财政局"), ("外贸基金", "市商务局"), ("外贸基金", "市财政局")}


def test_relation_evidence_is_the_stating_sentence() -> None:
    ex = read("市财政局负责资金。\n市商务局联合印发《开放发展办法》。")
    (rel,) = [r for r in ex.relations if r.predicate == "issuedBy"]
    assert rel.evidence is not None
    sentence = ex.sentence_of(rel.evidence)
    assert "印发" in ex.letter.text[sentence.start : sentence.end]


def test_firms_settled_in_a_park_are_its_members() -> None:
    ex = read("星河电子、蓝海材料等企业落户青山经济开发区。")
    assert relations(ex, "memberOf") == {("星河电子", "青山经济开发区"), ("蓝海材料", "青山经济开发区")}


def test_loan_products_offered_by_the_bank_of_their_sentence() -> None:
    ex = read("市工信局与交通银行湖南省分行合作,推出了专项服务,提供“科创快贷”“订单贷”等产品。")
    assert relations(ex, "offeredBy") == {("科创快贷", "交通银行湖南省分行"), ("订单贷", "交通银行湖南省分行")}


def test_every_rule_the_recognisers_name_is_declared_in_the_ontology() -> None:
    import re
    from pathlib import Path

    from rdflib import Graph

    from policykg.build import rule_iri
    from policykg.vocab import POL, RDF

    root = Path(__file__).resolve().parents[1]
    source = "".join(p.read_text(encoding="utf-8") for p in (root / "src" / "policykg").rglob("*.py"))
    rules = set(re.findall(r'rule="([a-z-]+)"', source)) | set(re.findall(r'"([a-z]+(?:-[a-z]+)+)" if', source))
    rules |= {"letter-frame", "agency-pronoun", "agency-grammar"}
    ontology = Graph().parse(root / "ontology" / "policykg.ttl")
    assert len(rules) > 15
    assert {r for r in rules if (rule_iri(r), RDF.type, POL.ExtractionRule) not in ontology} == set()
