"""The ontology (ontology/policykg.ttl) and its SHACL shapes (ontology/shapes.ttl).

The vocabulary tests check that every pol: term is documented and aligned to a standard
vocabulary. The shape tests validate a small hand-written graph that follows the data
model of build.py, then break it one way at a time and check the reason for rejection.
"""

from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SH, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
POL = Namespace("https://w3id.org/policykg/ontology#")
POLSH = Namespace("https://w3id.org/policykg/shapes#")
ID = Namespace("https://w3id.org/policykg/id/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ONTOLOGY_IRI = URIRef("https://w3id.org/policykg/ontology")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")

CLASSES = [
    "ExtractionRule",
    "Agency",
    "Deputy",
    "Regulation",
    "Program",
    "Platform",
    "LoanProduct",
    "Fund",
    "Firm",
    "Bank",
    "IndustryCluster",
    "IndustrialPark",
    "Proposal",
    "Reply",
    "Sentence",
    "Mention",
]
PROPERTIES = [
    "confidence",
    "respondsTo",
    "proposedBy",
    "leadHandler",
    "coHandler",
    "issuedBy",
    "memberOf",
    "anchorOf",
    "chainLeader",
    "drives",
    "offeredBy",
    "administeredBy",
    "cites",
    "mentionedIn",
    "documentNumber",
    "year",
    "contactPerson",
    "jurisdiction",
    "inSentence",
]

PREFIXES = """
@prefix pol: <https://w3id.org/policykg/ontology#> .
@prefix id: <https://w3id.org/policykg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
"""

# One letter, as build.py emits it. Offsets are character offsets into the letter text;
# the sentence starts at 1631 and 广汽本田 sits at 1634-1638.
VALID_DATA = """
id:reply-gz-2022-20222149-gxj a pol:Reply ;
    pol:respondsTo id:proposal-gz-20222149 ;
    dcterms:creator id:agency-gz-gxj ;
    dcterms:date "2022-06-17"^^xsd:date ;
    pol:year 2022 ;
    dcterms:source "gz-2022-20222149-gxj.txt" ;
    pol:documentNumber "穗工信函〔2022〕123号" ;
    pol:contactPerson "吴志" ;
    pol:cites id:regulation-gz-agri-insurance-2021 .

id:proposal-gz-20222149 a pol:Proposal ;
    dcterms:identifier "20222149" ;
    dcterms:title "关于加大力度培育镶嵌在城乡地区的中小微企业健康发展的建议"@zh ;
    pol:proposedBy id:deputy-hong-qinhua ;
    pol:leadHandler id:agency-gz-gxj ;
    pol:coHandler id:agency-gz-jrj .

id:agency-gz-gxj a pol:Agency ;
    rdfs:label "广州市工业和信息化局"@zh ,
        "Guangzhou Municipal Bureau of Industry and Information Technology"@en ,
        "Guǎngzhōu Shì Gōngyè hé Xìnxīhuà Jú"@zh-Latn-pinyin ;
    skos:altLabel "市工业和信息化局"@zh , "我局"@zh ;
    pol:jurisdiction "广州市"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:agency-gz-jrj a pol:Agency ;
    rdfs:label "广州市地方金融监督管理局"@zh ;
    skos:altLabel "市地方金融监管局"@zh ;
    pol:jurisdiction "广州市"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:deputy-hong-qinhua a pol:Deputy ;
    rdfs:label "洪芹华"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:regulation-gz-agri-insurance-2021 a pol:Regulation ;
    rdfs:label "2021-2023年广州市政策性农业保险实施方案"@zh ;
    pol:issuedBy id:agency-gz-jrj ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:program-gz-inclusive-loan-risk-compensation a pol:Program ;
    rdfs:label "广州市普惠贷款风险补偿机制"@zh ;
    pol:administeredBy id:agency-gz-jrj ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:platform-auto-automation a pol:Platform ;
    rdfs:label "汽车产业自动化平台"@zh ;
    pol:chainLeader id:firm-gac-honda ;
    pol:drives id:firm-ruili-kemi ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:firm-gac-honda a pol:Firm ;
    rdfs:label "广汽本田"@zh , "GAC Honda"@en ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:firm-ruili-kemi a pol:Firm ;
    rdfs:label "瑞立科密"@zh ;
    pol:memberOf id:park-gz-zhuanjingtexin ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:firm-xpeng a pol:Firm ;
    rdfs:label "小鹏汽车"@zh ;
    pol:anchorOf id:cluster-gz-nev ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:cluster-gz-nev a pol:IndustryCluster ;
    rdfs:label "新能源智能汽车产业集群"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:park-gz-zhuanjingtexin a pol:IndustrialPark ;
    rdfs:label "专精特新产业园"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:bank-grcb a pol:Bank ;
    rdfs:label "广州农村商业银行"@zh ;
    skos:altLabel "广州农商银行"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:loan-grcb-nonggeng a pol:LoanProduct ;
    rdfs:label "农耕贷"@zh ;
    pol:offeredBy id:bank-grcb ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:fund-rural-revitalisation a pol:Fund ;
    rdfs:label "乡村振兴基金"@zh ;
    pol:mentionedIn id:reply-gz-2022-20222149-gxj .

id:sentence-gz-2022-20222149-gxj-1631 a pol:Sentence ;
    oa:hasSource id:reply-gz-2022-20222149-gxj ;
    rdf:value "打造以广汽本田为龙头链主的“汽车产业自动化平台”,带动瑞立科密、明珞装备等一批专精特新企业高质量发展;"@zh ;
    oa:hasSelector id:sentence-gz-2022-20222149-gxj-1631-position .

id:sentence-gz-2022-20222149-gxj-1631-position a oa:TextPositionSelector ;
    oa:start 1631 ;
    oa:end 1682 .

id:mention-gz-2022-20222149-gxj-1634 a pol:Mention ;
    oa:hasBody id:firm-gac-honda ;
    pol:inSentence id:sentence-gz-2022-20222149-gxj-1631 ;
    oa:hasTarget id:mention-gz-2022-20222149-gxj-1634-target .

id:mention-gz-2022-20222149-gxj-1634-target a oa:SpecificResource ;
    oa:hasSource id:reply-gz-2022-20222149-gxj ;
    oa:hasSelector id:mention-gz-2022-20222149-gxj-1634-quote , id:mention-gz-2022-20222149-gxj-1634-position .

id:mention-gz-2022-20222149-gxj-1634-quote a oa:TextQuoteSelector ;
    oa:exact "广汽本田" ;
    oa:prefix "打造以" ;
    oa:suffix "为龙头链主" .

id:mention-gz-2022-20222149-gxj-1634-position a oa:TextPositionSelector ;
    oa:start 1634 ;
    oa:end 1638 .

id:statement-gz-2022-20222149-gxj-1 a rdf:Statement ;
    rdf:subject id:platform-auto-automation ;
    rdf:predicate pol:chainLeader ;
    rdf:object id:firm-gac-honda ;
    prov:wasDerivedFrom id:sentence-gz-2022-20222149-gxj-1631 .
"""

# Checks across nodes: SPARQL constraints whose shape has a SPARQL target with the same WHERE clause.
SPARQL_CHECKS = [
    "MissingZhLabel",
    "NoPhoneNumber",
    "MentionInItsSentence",
    "MentionQuoteLength",
    "MentionBodyMentionedIn",
    "StatementAsserted",
]

PHONE_NUMBERS = [
    "13660007681",
    "联系人:吴志,联系电话:13660007681)",
    "136-6000-7681",
    "136 6000 7681",
    "１３６６０００７６８１",
    "020-83124567",
    "(020)83124567",
    "02083124567",
    "0757-1234567",
    "电话:０２０－８３１２４５６７",
]
NOT_PHONE_NUMBERS = [
    "2021-2023年广州市政策性农业保险实施方案",
    "穗科函〔2021〕6号",
    "第20222149号",
    "2841亿元",
    "0-3天",
    "98.64%",
    "2022年6月17日",
    "91440101MA59ABCD1X",
    "123456789012345",
]

# (case id, Turtle removed from VALID_DATA, Turtle added to it, shapes or constraints that must fail)
INVALID_CASES = [
    (
        "two_zh_labels",
        "",
        'id:agency-gz-gxj rdfs:label "广州市工信局"@zh .',
        {POLSH.EntityLabel},
    ),
    (
        "pinyin_label_is_not_zh",
        'id:agency-gz-gxj rdfs:label "广州市工业和信息化局"@zh .',
        "",
        {POLSH.MissingZhLabel},
    ),
    (
        "label_without_language",
        'id:firm-xpeng rdfs:label "小鹏汽车"@zh .',
        'id:firm-xpeng rdfs:label "小鹏汽车" .',
        {POLSH.EntityLabel, POLSH.MissingZhLabel},
    ),
    (
        "mobile_number_in_label",
        "",
        'id:agency-gz-gxj skos:altLabel "吴志 13660007681"@zh .',
        {POLSH.NoPhoneNumber},
    ),
    (
        "landline_number_in_quote_suffix",
        'id:mention-gz-2022-20222149-gxj-1634-quote oa:suffix "为龙头链主" .',
        'id:mention-gz-2022-20222149-gxj-1634-quote oa:suffix "为龙头链主(电话:020-83124567)" .',
        {POLSH.NoPhoneNumber},
    ),
    (
        "full_width_mobile_number",
        "",
        'id:reply-gz-2022-20222149-gxj dcterms:description "联系电话:１３６６０００７６８１"@zh .',
        {POLSH.NoPhoneNumber},
    ),
    (
        "contact_person_with_digits",
        'id:reply-gz-2022-20222149-gxj pol:contactPerson "吴志" .',
        'id:reply-gz-2022-20222149-gxj pol:contactPerson "吴志 8312" .',
        {POLSH.ReplyContactPerson},
    ),
    (
        "reply_without_responds_to",
        "id:reply-gz-2022-20222149-gxj pol:respondsTo id:proposal-gz-20222149 .",
        "",
        {POLSH.ReplyRespondsTo},
    ),
    (
        "reply_without_source",
        'id:reply-gz-2022-20222149-gxj dcterms:source "gz-2022-20222149-gxj.txt" .',
        "",
        {POLSH.ReplySource},
    ),
    (
        "reply_date_as_plain_string",
        'id:reply-gz-2022-20222149-gxj dcterms:date "2022-06-17"^^xsd:date .',
        'id:reply-gz-2022-20222149-gxj dcterms:date "2022年6月17日" .',
        {POLSH.ReplyDate},
    ),
    (
        "reply_year_as_string",
        "id:reply-gz-2022-20222149-gxj pol:year 2022 .",
        'id:reply-gz-2022-20222149-gxj pol:year "2022年" .',
        {POLSH.ReplyYear},
    ),
    (
        "reply_with_two_years",
        "",
        "id:reply-gz-2022-20222149-gxj pol:year 2021 .",
        {POLSH.ReplyYear},
    ),
    (
        "reply_created_by_firm",
        "id:reply-gz-2022-20222149-gxj dcterms:creator id:agency-gz-gxj .",
        "id:reply-gz-2022-20222149-gxj dcterms:creator id:firm-gac-honda .",
        {POLSH.ReplyCreator},
    ),
    (
        "proposed_by_firm",
        "id:proposal-gz-20222149 pol:proposedBy id:deputy-hong-qinhua .",
        "id:proposal-gz-20222149 pol:proposedBy id:firm-gac-honda .",
        {POLSH.ProposedByRange},
    ),
    (
        "member_of_agency",
        "",
        "id:firm-xpeng pol:memberOf id:agency-gz-gxj .",
        {POLSH.MemberOfRange},
    ),
    (
        "non_ascii_iri",
        "",
        """<https://w3id.org/policykg/id/firm-广汽本田> a pol:Firm ;
               rdfs:label "广汽本田"@zh ;
               pol:mentionedIn id:reply-gz-2022-20222149-gxj .""",
        {POLSH.AsciiIriShape},
    ),
    (
        "selector_start_after_end",
        "id:mention-gz-2022-20222149-gxj-1634-position oa:end 1638 .",
        "id:mention-gz-2022-20222149-gxj-1634-position oa:end 1634 .",
        {POLSH.SelectorStart, POLSH.MentionQuoteLength},
    ),
    (
        "mention_outside_its_sentence",
        """id:mention-gz-2022-20222149-gxj-1634-position oa:start 1634 ; oa:end 1638 .""",
        """id:mention-gz-2022-20222149-gxj-1634-position oa:start 1700 ; oa:end 1704 .""",
        {POLSH.MentionInItsSentence},
    ),
    (
        "quote_length_differs_from_offsets",
        'id:mention-gz-2022-20222149-gxj-1634-quote oa:exact "广汽本田" .',
        'id:mention-gz-2022-20222149-gxj-1634-quote oa:exact "广汽本田公司" .',
        {POLSH.MentionQuoteLength},
    ),
    (
        "mention_body_not_mentioned_in_letter",
        "id:firm-gac-honda pol:mentionedIn id:reply-gz-2022-20222149-gxj .",
        "",
        {POLSH.EntityMentionedIn, POLSH.MentionBodyMentionedIn},
    ),
    (
        "statement_without_evidence",
        "id:statement-gz-2022-20222149-gxj-1 prov:wasDerivedFrom id:sentence-gz-2022-20222149-gxj-1631 .",
        "",
        {POLSH.StatementEvidence},
    ),
    (
        "statement_about_absent_triple",
        "id:platform-auto-automation pol:chainLeader id:firm-gac-honda .",
        "",
        {POLSH.StatementAsserted},
    ),
]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "policykg.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl")


@pytest.fixture
def valid_data() -> Graph:
    return to_graph(VALID_DATA)


def to_graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)
    assert isinstance(report, Graph), text  # pyshacl reports a broken shape as a ValidationFailure
    return conforms, report, text


def to_reasons(report: Graph) -> set[Node | None]:
    """Name each validation result by its SPARQL constraint, or else by its shape."""
    return {
        report.value(result, SH.sourceConstraint) or report.value(result, SH.sourceShape)
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }


def to_where_clause(query: str) -> str:
    """The WHERE clause of a SELECT query, with $this as ?this and whitespace collapsed."""
    return " ".join(query[query.index("{") :].replace("$this", "?this").split())


def to_pol_terms(ontology: Graph) -> set[URIRef]:
    return {
        term
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for term in ontology.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and term.startswith(str(POL))
    }


def to_languages(graph: Graph, term: URIRef, predicate: URIRef) -> set[str | None]:
    return {obj.language for obj in graph.objects(term, predicate) if isinstance(obj, Literal)}


# --- the vocabulary ---------------------------------------------------------------


@pytest.mark.parametrize("file_name", ["policykg.ttl", "shapes.ttl"])
def test_ontology_file_parses(file_name: str) -> None:
    graph = Graph().parse(ONTOLOGY_DIR / file_name)
    assert len(graph) > 100


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert "en" in to_languages(ontology, ONTOLOGY_IRI, DCTERMS.title)
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.creator) == Literal("policykg contributors")


def test_ontology_declares_exactly_the_contract_terms(ontology: Graph) -> None:
    assert to_pol_terms(ontology) == {POL[name] for name in CLASSES + PROPERTIES}


@pytest.mark.parametrize("name", CLASSES)
def test_class_is_declared(ontology: Graph, name: str) -> None:
    assert (POL[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize("name", PROPERTIES)
def test_property_is_declared_with_domain_and_range(ontology: Graph, name: str) -> None:
    kinds = set(ontology.objects(POL[name], RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}
    assert ontology.value(POL[name], RDFS.domain) is not None
    assert ontology.value(POL[name], RDFS.range) is not None


@pytest.mark.parametrize("name", CLASSES + PROPERTIES)
def test_term_is_documented(ontology: Graph, name: str) -> None:
    term = POL[name]
    assert {"zh", "en"} <= to_languages(ontology, term, RDFS.label)
    assert "en" in to_languages(ontology, term, RDFS.comment)
    assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


@pytest.mark.parametrize("name", CLASSES + PROPERTIES)
def test_term_is_aligned_to_a_standard_vocabulary(ontology: Graph, name: str) -> None:
    parent = RDFS.subClassOf if name in CLASSES else RDFS.subPropertyOf
    ancestors = set(ontology.transitive_objects(POL[name], parent)) - {POL[name]}
    assert any(isinstance(a, URIRef) and not a.startswith(str(POL)) for a in ancestors)


def test_shapes_use_only_declared_pol_terms(ontology: Graph, shapes: Graph) -> None:
    used = {node for triple in shapes for node in triple if isinstance(node, URIRef) and node in POL}
    assert used <= to_pol_terms(ontology)


# --- the shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("name", SPARQL_CHECKS)
def test_sparql_target_selects_what_its_constraint_rejects(shapes: Graph, name: str) -> None:
    target = shapes.value(POLSH[f"{name}Shape"], SH.target)
    constraint = shapes.value(POLSH[f"{name}Shape"], SH.sparql)
    assert (target, RDF.type, SH.SPARQLTarget) in shapes
    assert constraint == POLSH[name]
    target_where = to_where_clause(str(shapes.value(target, SH.select)))
    assert target_where == to_where_clause(str(shapes.value(constraint, SH.select)))


def test_shapes_graph_is_valid_shacl(valid_data: Graph, shapes: Graph, ontology: Graph) -> None:
    conforms, _, text = pyshacl.validate(
        valid_data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, meta_shacl=True
    )
    assert conforms, text


def test_valid_letter_conforms(valid_data: Graph, shapes: Graph, ontology: Graph) -> None:
    conforms, _, text = validate(valid_data, shapes, ontology)
    assert conforms, text


def test_undated_letter_without_document_number_conforms(valid_data: Graph, shapes: Graph, ontology: Graph) -> None:
    reply = ID["reply-gz-2022-20222149-gxj"]
    valid_data.remove((reply, DCTERMS.date, None))
    valid_data.remove((reply, POL.year, None))
    valid_data.remove((reply, POL.documentNumber, None))
    valid_data.remove((reply, POL.contactPerson, None))
    conforms, _, text = validate(valid_data, shapes, ontology)
    assert conforms, text


# rdflib's own Dataset code reads its deprecated default_context when pyshacl walks the graphs.
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_letters_in_named_graphs_are_validated_as_union(valid_data: Graph, shapes: Graph, ontology: Graph) -> None:
    # Entities in one named graph, the letter that mentions them in another.
    dataset = Dataset()
    entities = dataset.graph(ID["graph-entities"])
    letter = dataset.graph(ID["graph-gz-2022-20222149-gxj"])
    for triple in valid_data:
        subject = str(triple[0])
        (letter if "reply-" in subject or "proposal-" in subject else entities).add(triple)
    conforms, _, text = validate(dataset, shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize(
    ("removed", "added", "expected"),
    [case[1:] for case in INVALID_CASES],
    ids=[case[0] for case in INVALID_CASES],
)
def test_invalid_letter_is_rejected_for_the_expected_reason(
    valid_data: Graph, shapes: Graph, ontology: Graph, removed: str, added: str, expected: set[URIRef]
) -> None:
    removed_graph = to_graph(removed)
    assert len(removed_graph) == 0 or set(removed_graph) <= set(valid_data)
    data = (valid_data - removed_graph) + to_graph(added)
    conforms, report, text = validate(data, shapes, ontology)
    assert not conforms
    assert to_reasons(report) == expected, text


@pytest.mark.parametrize("text", PHONE_NUMBERS)
def test_phone_number_in_any_literal_is_rejected(valid_data: Graph, shapes: Graph, ontology: Graph, text: str) -> None:
    valid_data.add((ID["agency-gz-gxj"], SKOS.altLabel, Literal(text, lang="zh")))
    conforms, report, report_text = validate(valid_data, shapes, ontology)
    assert not conforms
    assert to_reasons(report) == {POLSH.NoPhoneNumber}, report_text


@pytest.mark.parametrize("text", NOT_PHONE_NUMBERS)
def test_other_numbers_are_not_taken_for_phone_numbers(valid_data: Graph, shapes: Graph, ontology: Graph, text: str) -> None:
    valid_data.add((ID["agency-gz-gxj"], SKOS.altLabel, Literal(text, lang="zh")))
    conforms, _, report_text = validate(valid_data, shapes, ontology)
    assert conforms, report_text
