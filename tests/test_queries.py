"""The query library: every queries/*.rq is documented, runs, and answers its question.

Expected rows are facts read in the letters themselves: the seed letter
(data/letters/gz-2022-20222149-gxj.txt) and the shared development letters
(../shared/letters, skipped when absent). Entities are compared by name; a firm or bank
may be given a fuller official name by resolution, so it is matched by any of its @zh
names (label or alternative label), which include the form the letter wrote.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policykg.errors import QueryError
from policykg.pipeline import build_store
from policykg.sparql import Results, bind_values, library, load_query, parse_param
from policykg.store import LetterStore
from tests.conftest import ROOT, SEED

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
NAMES = [p.stem for p in QUERIES]
SEED_FILE = SEED.name
POL = "https://w3id.org/policykg/ontology#"

# A value for each parameter of the library, one that the shared letters contain.
SAMPLE = {
    "regulation": "广州市优化营商环境条例",
    "entity": "广州市财政局",
    "from": "广州市工业和信息化局",
    "to": "广州市财政局",
}
HOSTILE = 'x" } ?s ?p ?o # '


@pytest.fixture(scope="session")
def seed_store() -> LetterStore:
    store = LetterStore(None)
    build_store([SEED], store, jobs=1)
    return store


@pytest.fixture(scope="session")
def shared_store(shared_letters: Path) -> LetterStore:
    store = LetterStore(None)
    build_store([shared_letters], store, jobs=1)
    return store


def run(store: LetterStore, name: str, **params: str) -> Results:
    _, text = load_query(name)
    return store.query(bind_values(text, [parse_param(f"{k}={v}") for k, v in params.items()]))


def header(path: Path) -> dict[str, str]:
    """The three header lines of a query file: Question, Parameters, Columns."""
    lines = path.read_text(encoding="utf-8").splitlines()[:3]
    out = {}
    for line, key in zip(lines, ("Question", "Parameters", "Columns"), strict=True):
        assert line.startswith(f"# {key}: "), f"{path.name}: line {key!r} missing or out of order: {line!r}"
        out[key] = line.removeprefix(f"# {key}: ").strip()
    return out


def declared_columns(columns: str) -> list[str]:
    """Column names in a Columns line: the words before each top-level '(' ."""
    depth, parts, current = 0, [], ""
    for ch in columns:
        depth += ch in "(（"
        depth -= ch in ")）"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip().split()[0] for p in parts if p.strip()]


def declared_params(parameters: str) -> list[str]:
    return [] if parameters.startswith("none") else list(dict.fromkeys(re.findall(r"\?(\w+)", parameters)))


def required_params(name: str) -> dict[str, str]:
    """Sample values for the parameters a query needs to give rows."""
    params = declared_params(header(ROOT / "queries" / f"{name}.rq")["Parameters"])
    return {p: SAMPLE[p] for p in params if p in SAMPLE}


def names(store: LetterStore, iri: str) -> set[str]:
    """Every @zh name of an entity: its label and alternative labels."""
    res = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f'SELECT ?n WHERE {{ <{iri}> rdfs:label|skos:altLabel ?n FILTER (LANG(?n) = "zh") }}'
    )
    return {v for (v,) in res.values() if v}


def named(store: LetterStore, iri: str | None, name: str) -> bool:
    return iri is not None and name in names(store, iri)


def rows(res: Results, *columns: str) -> set[tuple[str | None, ...]]:
    return {tuple(r[c].value if c in r else None for c in columns) for r in res.rows}


# --- the library as a whole --------------------------------------------------------------


def test_library_has_at_least_twelve_queries() -> None:
    assert len(QUERIES) >= 12
    assert [q.name for q in library()] == NAMES


@pytest.mark.parametrize("path", QUERIES, ids=NAMES)
def test_header_is_complete(path: Path) -> None:
    head = header(path)
    assert head["Question"].endswith("?")
    assert head["Parameters"]
    assert declared_columns(head["Columns"])
    text = path.read_text(encoding="utf-8")
    for p in declared_params(head["Parameters"]):
        assert re.search(rf"\?{p}\b", text.split("\n", 3)[3]), f"{path.name}: parameter ?{p} is not used"
    parsed = next(q for q in library() if q.name == path.stem)
    assert (parsed.question, parsed.parameters, parsed.columns) == (head["Question"], head["Parameters"], head["Columns"])


@pytest.mark.parametrize("name", NAMES)
def test_runs_on_shared_letters_with_declared_columns(name: str, shared_store: LetterStore) -> None:
    res = run(shared_store, name, **required_params(name))
    assert res.columns == declared_columns(header(ROOT / "queries" / f"{name}.rq")["Columns"])
    assert res.rows, f"{name} gave no rows on the shared letters"


PARAMETERISED = [n for n in NAMES if declared_params(header(ROOT / "queries" / f"{n}.rq")["Parameters"])]


@pytest.mark.parametrize("name", PARAMETERISED)
def test_hostile_parameter_value_cannot_change_the_query(name: str, seed_store: LetterStore) -> None:
    normal = run(seed_store, name, **required_params(name))
    assert normal.rows
    for param in required_params(name):
        hostile = run(seed_store, name, **{**required_params(name), param: HOSTILE})
        assert hostile.columns == normal.columns
        assert hostile.rows == []


def test_unknown_parameter_is_refused(seed_store: LetterStore) -> None:
    with pytest.raises(QueryError, match="no variable"):
        run(seed_store, "agencies_by_letter_count", **{"nosuchvar": "x"})


# --- the seed letter ------------------------------------------------------------------------


def test_agencies_by_letter_count_on_seed(seed_store: LetterStore) -> None:
    found = rows(run(seed_store, "agencies_by_letter_count"), "label", "letters")
    # 我局 (the signature) and the four co-handlers of 由我局会同…负责办理; 工信部 in 新推荐47家企业成为工信部…
    for label in ("广州市工业和信息化局", "广州市住房和城乡建设局", "广州市地方金融监督管理局", "广州市供销合作总社",
                  "广州市规划和自然资源局", "中华人民共和国工业和信息化部", "中国人民银行广州分行"):
        assert (label, "1") in found


def test_co_handlers_by_lead_on_seed(seed_store: LetterStore) -> None:
    # 由我局会同市住房城乡建设局、市地方金融监管局、市供销总社和市规划和自然资源局负责办理
    assert rows(run(seed_store, "co_handlers_by_lead"), "lead_label", "co_handler_label", "proposals") == {
        ("广州市工业和信息化局", "广州市住房和城乡建设局", "1"),
        ("广州市工业和信息化局", "广州市地方金融监督管理局", "1"),
        ("广州市工业和信息化局", "广州市供销合作总社", "1"),
        ("广州市工业和信息化局", "广州市规划和自然资源局", "1"),
    }


def test_regulations_by_issuer_year_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "regulations_by_issuer_year")
    # the seven titles in 《》 of the letter, all cited in a letter dated 2022年6月17日
    assert {r[0] for r in rows(res, "title")} == {
        "广州市优化营商环境条例", "广州市民营领军企业培育管理办法", "关于金融支持乡村振兴战略的实施意见",
        "金融支持国家城乡融合发展试验区广东广清接合片区建设行动方案", "2021-2023年广州市政策性农业保险实施方案",
        "广州市保障中小企业款项支付工作细则", "广州市建设民营企业社情民意直通车工作方案",
    }
    assert {r[0] for r in rows(res, "year")} == {"2022"}
    issued = rows(res, "title", "issuer_label")
    # 市地方金融监管局、市农业农村局、市财政局、市气象局联合印发《2021-2023年广州市政策性农业保险实施方案》
    assert {i for t, i in issued if t == "2021-2023年广州市政策性农业保险实施方案"} == {
        "广州市地方金融监督管理局", "广州市农业农村局", "广州市财政局", "广州市气象局"}
    # 人民银行广州分行《金融支持国家城乡融合发展试验区广东广清接合片区建设行动方案》
    assert ("金融支持国家城乡融合发展试验区广东广清接合片区建设行动方案", "中国人民银行广州分行") in issued
    # 施行《广州市优化营商环境条例》 names no issuer
    assert ("广州市优化营商环境条例", None) in issued


def test_letters_citing_regulation_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "letters_citing_regulation", regulation="广州市优化营商环境条例")
    assert rows(res, "source", "year", "agency_label", "title") == {
        (SEED_FILE, "2022", "广州市工业和信息化局", "广州市优化营商环境条例")}
    assert run(seed_store, "letters_citing_regulation", regulation="广州市促进中小企业发展条例").rows == []


def test_programs_by_agency_on_seed(seed_store: LetterStore) -> None:
    found = rows(run(seed_store, "programs_by_agency"), "agency_label", "program_label", "kind", "basis", "letters")
    # 实施黄埔数字赋能工程 / 实施中小民营企业人才培育计划, in the letter of 广州市工业和信息化局
    assert ("广州市工业和信息化局", "黄埔数字赋能工程", POL + "Program", "reply", "1") in found
    assert ("广州市工业和信息化局", "中小民营企业人才培育计划", POL + "Program", "reply", "1") in found
    # 统筹“3个百亿”中小企业基金: a fund
    assert ("广州市工业和信息化局", "3个百亿中小企业基金", POL + "Fund", "reply", "1") in found


def test_firms_by_cluster_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "firms_by_cluster")
    # 以乐金OLED、华星光电为代表的…新型显示产业集群,以百济神州为代表的…生物医药产业集群,
    # 以粤芯芯片为代表的…集成电路产业集群,以小鹏汽车、现代氢能为代表的新能源智能汽车产业集群
    expected = {("新型显示产业集群", "乐金OLED"), ("新型显示产业集群", "华星光电"), ("生物医药产业集群", "百济神州"),
                ("集成电路产业集群", "粤芯芯片"), ("新能源智能汽车产业集群", "小鹏汽车"), ("新能源智能汽车产业集群", "现代氢能")}
    got = {(r["cluster_label"].value, firm) for r in res.rows for firm in names(seed_store, r["firm"].value)}
    assert expected <= got
    assert len(res.rows) == len(expected)
    assert {r["anchor"].value for r in res.rows} == {"true"}
    assert {r["letters"].value for r in res.rows} == {"1"}


def test_platforms_by_chain_leader_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "platforms_by_chain_leader")
    # 打造以广汽本田为龙头链主的“汽车产业自动化平台”,带动瑞立科密、明珞装备…;以南方电网为龙头链主的“智慧电网平台”,
    # 带动众源科技、中星智能…;以视源电子为龙头链主的“电子信息产业供应链平台”,带动大彩光电、金众电子…
    expected = {
        ("汽车产业自动化平台", "广汽本田", "瑞立科密"), ("汽车产业自动化平台", "广汽本田", "明珞装备"),
        ("智慧电网平台", "南方电网", "众源科技"), ("智慧电网平台", "南方电网", "中星智能"),
        ("电子信息产业供应链平台", "视源电子", "大彩光电"), ("电子信息产业供应链平台", "视源电子", "金众电子"),
    }
    assert len(res.rows) == len(expected)
    for platform, leader, driven in expected:
        assert any(r["platform_label"].value == platform and named(seed_store, r["leader"].value, leader)
                   and named(seed_store, r["driven"].value, driven) for r in res.rows), (platform, leader, driven)


def test_loan_products_by_bank_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "loan_products_by_bank")
    # 广州农商银行开发银农通、金米乡村振兴生猪养殖贷、农耕贷、广州银行开发美丽乡村振兴带、乡村环境改善贷等特色贷款产品
    expected = {("广州农商银行", "银农通"), ("广州农商银行", "金米乡村振兴生猪养殖贷"), ("广州农商银行", "农耕贷"),
                ("广州银行", "美丽乡村振兴带"), ("广州银行", "乡村环境改善贷")}
    got = {(bank, r["product_label"].value) for r in res.rows for bank in names(seed_store, r["bank"].value)}
    assert expected <= got
    assert len(res.rows) == len(expected)
    assert {r["kind"].value for r in res.rows} == {POL + "LoanProduct"}


def test_entities_co_mentioned_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "entities_co_mentioned", entity="广州市财政局")
    found = rows(res, "other_label", "sentences", "letters")
    # 市地方金融监管局、市农业农村局、市财政局、市气象局联合印发《2021-2023年广州市政策性农业保险实施方案》
    for other in ("广州市地方金融监督管理局", "广州市农业农村局", "广州市气象局", "2021-2023年广州市政策性农业保险实施方案"):
        assert (other, "1", "1") in found
    assert "广州市财政局" not in {label for label, *_ in found}
    assert all(named(seed_store, r["focus"].value, "广州市财政局") for r in res.rows)


def test_connections_between_entities_on_seed(seed_store: LetterStore) -> None:
    # 以南方电网为龙头链主的“智慧电网平台”,带动众源科技: firm ← chainLeader platform → drives firm
    res = run(seed_store, "connections_between_entities", **{"from": "南方电网", "to": "众源科技"})
    assert rows(res, "hops", "step1", "node1_label", "step2", "step3") == {("2", "^chainLeader", "智慧电网平台", "drives", None)}
    # 洪芹华代表 proposed it; 市住房城乡建设局 co-handles it
    res = run(seed_store, "connections_between_entities", **{"from": "洪芹华", "to": "广州市住房和城乡建设局"})
    first = res.rows[0]
    assert (first["hops"].value, first["step1"].value, first["node1_label"].value, first["step2"].value) == (
        "2", "^proposedBy", "关于加大力度培育镶嵌在城乡地区的中小微企业健康发展的建议", "coHandler")
    # the proposal, its reply, and the regulation the reply cites: three hops
    res = run(seed_store, "connections_between_entities", **{"from": "洪芹华", "to": "广州市优化营商环境条例"})
    assert rows(res, "hops", "step1", "step2", "node2_label", "step3") == {
        ("3", "^proposedBy", "^respondsTo", SEED_FILE, "cites")}
    # an anchor firm of a cluster and a bank: nothing within three hops
    assert run(seed_store, "connections_between_entities", **{"from": "百济神州", "to": "广州银行"}).rows == []


def test_deputies_by_agency_on_seed(seed_store: LetterStore) -> None:
    # 洪芹华代表; 由我局会同市住房城乡建设局、市地方金融监管局、市供销总社和市规划和自然资源局负责办理
    assert rows(run(seed_store, "deputies_by_agency"), "deputy_label", "agency_label", "role", "proposals") == {
        ("洪芹华", "广州市工业和信息化局", "lead", "1"),
        ("洪芹华", "广州市住房和城乡建设局", "co", "1"),
        ("洪芹华", "广州市地方金融监督管理局", "co", "1"),
        ("洪芹华", "广州市供销合作总社", "co", "1"),
        ("洪芹华", "广州市规划和自然资源局", "co", "1"),
    }


def test_letters_by_year_agency_on_seed(seed_store: LetterStore) -> None:
    # signed 广州市工业和信息化局, 2022年6月17日
    assert rows(run(seed_store, "letters_by_year_agency"), "year", "agency_label", "letters") == {
        ("2022", "广州市工业和信息化局", "1")}


def test_entities_by_first_year_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "entities_by_first_year")
    assert {r["year"].value for r in res.rows} == {"2022"}
    assert {r["letters"].value for r in res.rows} == {"1"}
    found = rows(res, "kind", "label")
    assert {(POL + "Agency", "广州市财政局"), (POL + "Deputy", "洪芹华"),
            (POL + "Regulation", "广州市优化营商环境条例"), (POL + "LoanProduct", "农耕贷")} <= found


def test_statements_with_evidence_on_seed(seed_store: LetterStore) -> None:
    res = run(seed_store, "statements_with_evidence", entity="广州市住房和城乡建设局")
    co = [r for r in res.rows if r["predicate"].value == POL + "coHandler"]
    assert len(co) == 1
    assert co[0]["subject_label"].value == "关于加大力度培育镶嵌在城乡地区的中小微企业健康发展的建议"
    assert "由我局会同市住房城乡建设局" in co[0]["text"].value
    assert co[0]["source"].value == SEED_FILE
    # narrowed to one relation with ?predicate
    res = run(seed_store, "statements_with_evidence", entity="广州市气象局", predicate=f"<{POL}issuedBy>")
    assert rows(res, "subject_label", "object_label") == {("2021-2023年广州市政策性农业保险实施方案", "广州市气象局")}
    assert "联合印发《2021-2023年广州市政策性农业保险实施方案》" in res.rows[0]["text"].value


# --- the shared letters ------------------------------------------------------------------------


def test_co_handlers_by_lead_on_shared(shared_store: LetterStore) -> None:
    found = rows(run(shared_store, "co_handlers_by_lead"), "lead_label", "co_handler_label", "proposals")
    # 区科工商信局 is organised by 我区政府 in both Baiyun letters (第94号, 第2023114号)
    assert ("广州市白云区人民政府", "广州市白云区科技工业商务和信息化局", "2") in found
    # 经综合省工业和信息化厅、省市场监管局等单位意见 (广东省科学技术厅, 第1260号)
    assert ("广东省科学技术厅", "广东省工业和信息化厅", "1") in found
    assert ("广东省科学技术厅", "广东省市场监督管理局", "1") in found
    # 市工业和信息化局会同市委组织部、…、市财政局、… (第2148号)
    assert ("广州市工业和信息化局", "广州市财政局", "1") in found
    assert ("广州市工业和信息化局", "中共广州市委统战部", "1") in found


def test_regulations_by_issuer_year_on_shared(shared_store: LetterStore) -> None:
    found = rows(run(shared_store, "regulations_by_issuer_year"), "title", "issuer_label", "year")
    # 常工信提复﹝2024﹞5号: 严格执行《保障中小企业款项支付条例》和《政府投资条例》
    assert ("保障中小企业款项支付条例", None, "2024") in found
    assert ("政府投资条例", None, "2024") in found
    # 按照自治区人民政府印发的《关于促进工业园区高质量发展若干意见》(内政发〔2019〕21号)
    assert any(t == "关于促进工业园区高质量发展若干意见" and i == "内蒙古自治区人民政府" for t, i, _ in found)


def test_letters_citing_regulation_on_shared(shared_store: LetterStore) -> None:
    res = run(shared_store, "letters_citing_regulation", regulation="保障中小企业款项支付条例")
    assert rows(res, "source", "year", "agency_label") == {
        ("cd_2024_sme_payment_arrears_proposal.txt", "2024", "常德市工业和信息化局")}
    # 《关于印发<内蒙古自治区工业园区升级扩区评价办法>的通知》…以下简称《办法》: the short form finds the letter
    res = run(shared_store, "letters_citing_regulation", regulation="办法")
    assert {r["source"].value for r in res.rows} == {"nm_2020_industrial_park_upgrade.txt"}


def test_deputies_by_agency_on_shared(shared_store: LetterStore) -> None:
    found = rows(run(shared_store, "deputies_by_agency"), "deputy_label", "agency_label", "role")
    assert ("周楚良", "广东省科学技术厅", "lead") in found  # 周楚良代表, 广东省科学技术厅…答复的函
    assert ("魏国华", "广州市工业和信息化局", "lead") in found  # 魏国华委员, 广州市工业和信息化局…的答复
    assert ("张昱", "广州市白云区人民政府", "lead") in found  # 张昱委员, 我区政府
    assert ("张昱", "广州市白云区科技工业商务和信息化局", "co") in found
    assert "广州市工商业联合会" not in {d for d, _, _ in found}  # 市工商联 proposes as a body, not a deputy


def test_letters_by_year_agency_on_shared(shared_store: LetterStore) -> None:
    found = rows(run(shared_store, "letters_by_year_agency"), "year", "agency_label", "letters")
    assert {("2017", "广州市科技创新委员会", "1"),  # 穗科创函〔2017〕1465号
            ("2021", "广东省科学技术厅", "1"),  # 粤科函区字〔2021〕709号
            ("2021", "广东省农业农村厅", "1"),  # 粤农农函〔2021〕538号
            ("2022", "广州市工业和信息化局", "1"),  # 2022年6月17日
            ("2023", "广州市白云区人民政府", "1"),  # 第2023114号: a year-led proposal number
            ("2024", "常德市工业和信息化局", "1"),  # 常工信提复﹝2024﹞5号
            ("2025", "中山市政务服务和数据管理局", "1")} <= found  # 建议第2025134号
    # 第2148号 (2023, but the letter gives no date, no document number): year unknown
    assert (None, "广州市工业和信息化局", "1") in found


def test_entities_by_first_year_on_shared(shared_store: LetterStore) -> None:
    found = rows(run(shared_store, "entities_by_first_year"), "label", "year", "letters")
    # 市政府、市政协高度重视 in the 2017 letter, before the 2022 seed letter
    assert ("广州市人民政府", "2017", "2") in found
    # named in the seed (2022) and in 第20252153号 (2025, a year-led proposal number); the
    # 2023 letter on private firms (第2148号, no date, no document number) has no year
    assert ("广州市工业和信息化局", "2022", "2") in found
    assert ("常德市工业和信息化局", "2024", "1") in found  # 常工信提复﹝2024﹞5号


def test_connections_between_entities_on_shared(shared_store: LetterStore) -> None:
    res = run(shared_store, "connections_between_entities", **{"from": "广州市工业和信息化局", "to": "广州市财政局"})
    # lead handler and co-handler of 第2148号: two hops, listed before any longer chain
    first = res.rows[0]
    assert (first["hops"].value, first["step1"].value, first["node1_label"].value, first["step2"].value) == (
        "2", "^leadHandler", "关于持续优化营商环境 进一步提振民营企业家发展信心的提案", "coHandler")
    assert [r["hops"].value for r in res.rows] == sorted(r["hops"].value for r in res.rows)


def test_statements_with_evidence_on_shared(shared_store: LetterStore) -> None:
    res = run(shared_store, "statements_with_evidence", entity="广州市白云区科技工业商务和信息化局", predicate=f"<{POL}coHandler>")
    assert {r["source"].value for r in res.rows} == {
        "gz_2021_baiyun_rural_revitalization_industry.txt", "gz_2023_baiyun_economic_recovery_proposal.txt"}
    assert all("区科工商信局" in r["text"].value for r in res.rows)
