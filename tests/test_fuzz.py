"""Property-based tests (hypothesis) of ingest and extraction on random and mutated letters:
never a crash, offsets always point into the original text, the output is always valid RDF
that passes the integrity checks (and, on a few, the SHACL shapes).

Letters are mutated the way real files go wrong: paragraphs cut, doubled or swapped, text
pasted in from elsewhere (brackets, numbers, stray control characters, any Unicode), the end
cut off. Examples are bounded so the suite stays fast; a failure prints the letter to replay.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import docx
import pyoxigraph as ox
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from policykg.build import letter_triples
from policykg.errors import IngestError
from policykg.extract import extract
from policykg.formats import decode_bytes
from policykg.ingest import Letter
from policykg.ntriples import to_ntriples
from policykg.pipeline import process_file
from policykg.resolve import resolve
from policykg.text import redact
from policykg.validate import validate_triples
from tests.conftest import SEED, SHARED

OA = "http://www.w3.org/ns/oa#"
LETTERS = [SEED.read_text(encoding="utf-8"),
           *(p.read_text(encoding="utf-8") for p in sorted((SHARED / "letters").glob("*.txt")) if p.name != SEED.name)]
# What gets pasted into letters: their own punctuation and words, digits, other scripts, controls.
PIECES = [*"《》“”\"'()（）〔〕[]、，,。.：:；;！？ \n\t\r\u3000\xa0\x00\x0b\ufeff0123456789１２３局委厅办号第年月日",
    "关于", "的建议", "提案", "收悉", "答复如下", "联系人:", "电话:", "13660007681", "020-83124511", "广州市", "区", "人民政府",
    "工业和信息化局", "财政局", "《广州市优化营商环境条例》", "有限公司", "银行", "产业集群", "代表:", "委员:", "我局", "会同",
    "\n\n", "😀", "𠮷", "ﾃｽﾄ", "Ａｂｃ", "\u200b",
]
FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

any_paste = st.lists(st.one_of(st.sampled_from(PIECES), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)),
                     max_size=6).map("".join)
letter_paste = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@st.composite
def mutated_letter(draw: st.DrawFn, paste: st.SearchStrategy[str] = any_paste) -> str:
    """A real letter with a few edits: cut, pasted (by default anything, any Unicode), doubled,
    swapped, truncated."""
    text = draw(st.sampled_from(LETTERS))
    for _ in range(draw(st.integers(0, 6))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 400)))
        op = draw(st.sampled_from(["delete", "insert", "replace", "double", "swap", "truncate"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(paste) + text[i:]
        elif op == "replace":
            text = text[:i] + draw(paste) + text[j:]
        elif op == "double":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "swap":
            text = text[i:] + text[:i]
        else:
            text = text[:j] if j > 0 else text
    return text


def _checked_build(text: str, keep_contacts: bool) -> list[ox.Triple]:
    """Extract, resolve and build one letter; check every offset; the statements as parsed RDF."""
    letter = Letter(key="fuzz", source="fuzz.txt", text=text, encoding="utf-8")
    ex = extract(letter)
    n = len(text)
    for s in ex.sentences:
        assert 0 <= s.start < s.end <= n
    for m in ex.mentions:
        assert 0 <= m.start < m.end <= n, m
    for r in ex.relations:
        assert 0 <= r.subject.start < r.subject.end <= n, r
        assert 0 <= r.object.start < r.object.end <= n, r
    md = ex.metadata
    for span in (md.proposal_number, md.proposal_title, md.date_span, md.document_number, md.contact_person,
                 md.contact_phone, md.salutation, md.replying, *md.co_handlers):
        if span is not None:
            assert 0 <= span.start <= span.end <= n, span
    res = resolve(ex)
    _, triples = letter_triples(ex, res, keep_contacts=keep_contacts)
    data = to_ntriples(triples)
    parsed = list(ox.parse(data.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))  # strict parser: valid RDF
    assert len(parsed) == len(triples)
    g = Graph().parse(data=data, format="nt")
    for target in g.subjects(URIRef(OA + "hasSelector"), None):
        selectors = list(g.objects(target, URIRef(OA + "hasSelector")))
        starts = [g.value(sel, URIRef(OA + "start")) for sel in selectors]
        ends = [g.value(sel, URIRef(OA + "end")) for sel in selectors]
        exact = next((g.value(sel, URIRef(OA + "exact")) for sel in selectors if g.value(sel, URIRef(OA + "exact"))), None)
        for start, end in zip(starts, ends, strict=True):
            if isinstance(start, Literal) and isinstance(end, Literal):
                assert 0 <= start.toPython() < end.toPython() <= n
                if exact is not None:
                    assert str(exact) == redact(text[start.toPython() : end.toPython()])
    return [t.triple for t in parsed]


@FUZZ
@given(mutated_letter(), st.booleans())
def test_mutated_letters_build_valid_graphs(text: str, keep_contacts: bool) -> None:
    triples = _checked_build(text, keep_contacts)
    report = validate_triples(triples, keep_contacts=keep_contacts, shacl=False)
    assert report.conforms, report.problems


@settings(max_examples=8, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_letter())
def test_mutated_letters_conform_to_the_shapes(text: str) -> None:
    report = validate_triples(_checked_build(text, False))
    assert report.conforms, report.problems


@FUZZ
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_random_text_never_crashes_extraction(text: str) -> None:
    _checked_build(text, False)


# --- ingest ------------------------------------------------------------------------------------

SUFFIXES = [".txt", ".html", ".docx", ".pdf", ".doc", ".md", ""]


def _docx_bytes() -> bytes:
    document = docx.Document()
    for line in LETTERS[0].splitlines()[:6]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _pdf_bytes() -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(LETTERS[0].splitlines()[:3]):
        c.drawString(40, 800 - 20 * i, line[:40])
    c.save()
    return buf.getvalue()


SAMPLES = [
    LETTERS[0].encode("utf-8"), LETTERS[0].encode("gbk"), LETTERS[0].encode("utf-16"), LETTERS[0][:400].encode("utf-16-be"),
    f"<html><head><meta charset=gb2312></head><body><p>{LETTERS[0][:600]}</p></body></html>".encode("gbk"), _docx_bytes(),
    _pdf_bytes(),
]


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if op == "flip" and i < len(data):
            data[i] ^= draw(st.integers(1, 255))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 64))]
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=16))
        elif op == "truncate":
            del data[i:]
    return bytes(data)


def _read(data: bytes, suffix: str) -> None:
    """A file is built, or fails with a one-line problem: never a crash, never an internal error."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, f"fuzz{suffix}")
        path.write_bytes(data)
        result = process_file(path)
    if isinstance(result, IngestError):
        assert result.problem
        assert "\n" not in result.problem
        assert not result.problem.startswith("internal error"), result.problem
    else:
        assert result.triples > 0


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_random_bytes_never_crash_ingest(data: bytes, suffix: str) -> None:
    _read(data, suffix)


@FUZZ
@given(mutated_bytes(), st.sampled_from(SUFFIXES))
def test_damaged_files_never_crash_ingest(data: bytes, suffix: str) -> None:
    _read(data, suffix)


@FUZZ
@given(mutated_letter(letter_paste), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030"]))
def test_letters_survive_their_encoding(text: str, encoding: str) -> None:
    """Damaged letters (what gets pasted in is what letters are made of, not arbitrary Unicode:
    on text mostly made of other scripts, detecting an encoding without BOM is a guess)."""
    assume(not text.startswith("\ufeff"))  # that is a byte-order mark
    assume(len(text) >= 200)  # a few characters of UTF-16 may also be ASCII ("洪" is b"*m"): too short to tell
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    assert decode_bytes(data).text == text
