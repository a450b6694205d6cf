"""policykg validate: the SHACL shapes and the integrity checks, each shown to pass on a
built graph and to catch the one thing it is for."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.pipeline import build_store
from policykg.store import LetterStore
from policykg.validate import CHECKS, read_triples, validate_triples
from tests.conftest import SEED

POL = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
REPLY = ox.NamedNode(f"{ID}reply/gz-2022-20222149-gxj")


@pytest.fixture(scope="module")
def seed_triples() -> list[ox.Triple]:
    with LetterStore(None) as store:
        build_store([SEED], store, jobs=1)
        return read_triples(store)


def _agency(triples: list[ox.Triple]) -> ox.NamedNode:
    agencies = sorted(t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object.value == f"{POL}Agency")
    return ox.NamedNode(agencies[0])


def _statement(triples: list[ox.Triple]) -> ox.NamedNode:
    statements = sorted(t.subject.value for t in triples
                        if t.predicate == RDF_TYPE and t.object.value.endswith("22-rdf-syntax-ns#Statement"))
    return ox.NamedNode(statements[0])


def test_built_graph_passes_every_check(seed_triples: list[ox.Triple]) -> None:
    report = validate_triples(seed_triples)
    assert report.conforms, report.problems
    assert report.letters == 1
    assert report.triples == len(seed_triples)


def _without_labels(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    agency = _agency(t)
    return [x for x in t if not (x.subject == agency and x.predicate == LABEL)], agency.value


def _without_evidence(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    st = _statement(t)
    return [x for x in t if not (x.subject == st and x.predicate.value.endswith("wasDerivedFrom"))], st.value


def _unreified(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    st = _statement(t)
    subject = next(x.object for x in t if x.subject == st and x.predicate.value.endswith("#subject"))
    return [x for x in t if x.subject != st], subject.value


def _dangling(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    missing = f"{ID}agency/0000000000000000"  # a successor named nowhere in the graph
    return [*t, ox.Triple(_agency(t), ox.NamedNode("http://purl.org/dc/terms/isReplacedBy"), ox.NamedNode(missing))], missing


def _undeclared(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    return [*t, ox.Triple(REPLY, ox.NamedNode(f"{POL}madeUp"), ox.Literal("x"))], f"{POL}madeUp"


def _two_classes(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    agency = _agency(t)
    return [*t, ox.Triple(agency, RDF_TYPE, ox.NamedNode(f"{POL}Bank"))], agency.value  # a Bank is a Firm, not an Agency


def _email(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    agency = _agency(t)
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    return [*t, ox.Triple(agency, alt, ox.Literal("邮箱gxj@gz.gov.cn", language="zh"))], agency.value


def _id_card(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    return [*t, ox.Triple(REPLY, ox.NamedNode(f"{POL}contactPerson"), ox.Literal("吴志４４０１０３１９８００１０１１２３４"))], REPLY.value


def _telephone(t: list[ox.Triple]) -> tuple[list[ox.Triple], str]:
    return [*t, ox.Triple(REPLY, ox.NamedNode("https://schema.org/telephone"), ox.Literal("13660007681"))], REPLY.value


@pytest.mark.parametrize(
    ("break_graph", "check", "words"),
    [
        (_without_labels, "labels", "without a label"),
        (_without_evidence, "evidence", "not derived from a sentence"),
        (_unreified, "evidence", "stated without evidence"),
        (_dangling, "dangling", "never described"),
        (_undeclared, "dangling", "does not declare"),
        (_two_classes, "disjoint", "pol:Agency, pol:Bank"),
        (_email, "privacy", "e-mail"),
        (_id_card, "privacy", "ID-card"),
        (_telephone, "privacy", "--keep-contacts"),
    ],
    ids=["no-label", "no-evidence", "unreified-relation", "dangling-iri", "undeclared-term", "disjoint-classes", "e-mail",
         "id-card", "telephone"],
)
def test_each_check_catches_its_problem(seed_triples: list[ox.Triple], break_graph: object, check: str, words: str) -> None:
    assert callable(break_graph)
    broken, focus = break_graph(seed_triples)
    report = validate_triples(broken, shacl=False)
    assert {p.check for p in report.problems} == {check}, report.problems
    assert any(p.focus == focus and words in p.message for p in report.problems), report.problems


def test_telephone_is_accepted_only_with_keep_contacts(seed_triples: list[ox.Triple]) -> None:
    broken, _ = _telephone(seed_triples)
    assert not validate_triples(broken, shacl=False).conforms
    assert validate_triples(broken, keep_contacts=True).conforms  # the shapes allow it on a reply with a contact person


def test_shapes_are_part_of_the_check(seed_triples: list[ox.Triple]) -> None:
    quote = next(t for t in seed_triples if t.predicate.value == "http://www.w3.org/ns/oa#exact")
    wrong = [t for t in seed_triples if t != quote] + [ox.Triple(quote.subject, quote.predicate, ox.Literal("多出来的字" + quote.object.value))]
    report = validate_triples(wrong)
    assert {p.check for p in report.problems} == {"shacl"}
    assert any("polsh:MentionQuoteLength" in p.message for p in report.problems)


# --- the command ----------------------------------------------------------------------------


def test_validate_a_dump_and_the_store(tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "seed.trig"
    assert CliRunner().invoke(main, ["build", str(SEED), "--store", str(store), "--out", str(out)]).exit_code == 0
    for args in ([str(out)], ["--store", str(store)]):
        result = CliRunner().invoke(main, ["validate", *args])
        assert result.exit_code == 0, result.output
        assert result.output.count("  ok   ") == len(CHECKS)
        assert result.output.strip().splitlines()[-1].startswith("valid (")


def test_validate_reports_problems_with_exit_1(tmp_path: Path, seed_triples: list[ox.Triple]) -> None:
    broken, _ = _two_classes(seed_triples)
    path = tmp_path / "broken.nt"
    path.write_bytes(ox.serialize(broken, format=ox.RdfFormat.N_TRIPLES) or b"")
    path = path.rename(tmp_path / "broken.ttl")  # N-Triples is Turtle
    result = CliRunner().invoke(main, ["validate", str(path), "--limit", "1"])
    assert result.exit_code == 1
    assert "FAIL no node in two classes that exclude each other: 1 problem" in result.output
    assert "invalid: " in result.output


def test_validate_cannot_read_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "cannot read graph" in result.output
    missing = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "none")])
    assert missing.exit_code == 2
    assert "no store here" in missing.output
    assert "Traceback" not in result.output + missing.output


def test_validate_help_gives_the_exit_codes() -> None:
    help_text = " ".join(CliRunner().invoke(main, ["validate", "--help"]).output.split())
    assert "Exit codes: 0 valid; 1 problems found (listed per check); 2 the graph cannot be read." in help_text


def test_graph_of_the_shared_letters_is_valid(tmp_path: Path, shared_letters: Path) -> None:
    out = tmp_path / "letters.nq"
    assert CliRunner().invoke(main, ["build", str(shared_letters), "--no-store", "--out", str(out)]).exit_code == 0
    result = CliRunner().invoke(main, ["validate", str(out)])
    assert result.exit_code == 0, result.output
