"""Input formats, each tested with files made here from real letter text: .txt in every
common Chinese encoding (detected and reported), saved government web pages, Word .docx,
PDF with a text layer; and the damaged or unsupported forms of each."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
import zhconv
from click.testing import CliRunner
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from policykg.cli import main
from policykg.errors import IngestError
from policykg.extract import extract
from policykg.ingest import read_letter
from tests.conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")
PARAGRAPHS = [line.strip() for line in TEXT.splitlines() if line.strip()]
TRADITIONAL = zhconv.convert(TEXT, "zh-tw")  # the seed letter as a Taiwan or Hong Kong page would print it


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- text files in any encoding ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "reported"),
    [
        (TEXT, "utf-8", "utf-8"),
        (TEXT, "utf-8-sig", "utf-8-sig"),
        (TEXT, "gb18030", "gb18030"),
        (TEXT, "gbk", "gb18030"),
        (TEXT, "utf-16", "utf-16"),
        (TEXT, "utf-16-le", "utf-16-le"),
        (TEXT, "utf-16-be", "utf-16-be"),
        (TRADITIONAL, "big5", "big5hkscs"),
        (TRADITIONAL, "big5hkscs", "big5hkscs"),
        (TRADITIONAL, "utf-8", "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-bom", "utf-16-le", "utf-16-be", "big5", "big5-hkscs", "traditional-utf-8"],
)
def test_text_in_each_encoding_is_read_and_reported(tmp_path: Path, text: str, encoding: str, reported: str) -> None:
    letter = read_letter(_write(tmp_path, "letter.txt", text.encode(encoding)))
    assert letter.text == text
    assert letter.encoding == reported
    assert letter.format == "txt"
    assert letter.warnings == ()


def test_gb2312_text(tmp_path: Path) -> None:
    # GB2312 proper lacks a few characters of the letter (e.g. 镶); the paragraphs it can hold
    text = "\n".join(p for p in PARAGRAPHS if _encodes(p, "gb2312"))
    assert len(text) > 2000
    letter = read_letter(_write(tmp_path, "letter.txt", text.encode("gb2312")))
    assert (letter.text, letter.encoding) == (text, "gb18030")


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5hkscs", "utf-16-le"])
def test_file_cut_in_the_middle_of_a_character(tmp_path: Path, encoding: str) -> None:
    text = TRADITIONAL if encoding == "big5hkscs" else TEXT
    data = text.encode(encoding)
    cut = data[: len(text[:3000].encode(encoding)) + 1]  # one byte into the 3001st character
    letter = read_letter(_write(tmp_path, "cut.txt", cut))
    assert letter.text == text[:3000]
    assert "middle of a character" in letter.warnings[0]


def test_a_few_broken_bytes_in_utf8_keep_the_rest(tmp_path: Path) -> None:
    data = TEXT.encode("utf-8")
    broken = data[:1000] + b"\xff" + data[1000:]
    letter = read_letter(_write(tmp_path, "broken.txt", broken))
    assert letter.encoding == "utf-8"
    assert letter.text.replace("\ufffd", "") == TEXT
    assert "replaced" in letter.warnings[0]


def test_cli_reports_each_letters_encoding(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    _write(folder, "a-gbk.txt", TEXT.encode("gbk"))
    _write(folder, "b-big5.txt", TRADITIONAL.encode("big5"))
    _write(folder, "c-utf16.txt", TEXT.replace("20222149", "20222150").encode("utf-16"))
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {Path(r["file"]).name: r["encoding"] for r in summary["letters"]} == {
        "a-gbk.txt": "gb18030", "b-big5.txt": "big5hkscs", "c-utf16.txt": "utf-16"}
    assert summary["encodings"] == {"gb18030": 1, "big5hkscs": 1, "utf-16": 1}
    plain = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq")])
    assert "encodings gb18030 1, big5hkscs 1, utf-16 1" in plain.output


# --- saved web pages ---------------------------------------------------------------------

FURNITURE = ["无障碍", "长者模式", "请输入关键字", "机构概况", "当前位置", "信息公开目录", "政策法规", "分享到", "相关文章",
             "主办单位", "网站标识码", "粤ICP备", "欢迎访问", "统计代码", "_hmt", "console", "color:red", "字号"]


def _is_hanzi(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _government_page(paragraphs: list[str], charset: str) -> str:
    """A page laid out as government sites lay them out: top bar, search, navigation,
    breadcrumb, side menu, the article, share buttons, related links, footer, scripts."""
    body = []
    for i, p in enumerate(paragraphs):
        k = next((k for k in range(10, len(p) - 10) if _is_hanzi(p[k - 1]) and _is_hanzi(p[k])), None)
        if i % 3 == 1 and k is not None:  # source lines wrapped between Chinese characters, runs split by spans
            p = f"{p[:k]}\n      {p[k:k + 5]}<span style=\"font-family:仿宋\">{p[k + 5:k + 10]}</span>{p[k + 10:]}"
        body.append(f'<p style="text-indent:2em">\u3000\u3000{p}</p>' if i % 4 else f"<p>{p}&nbsp;</p>")
    title = "关于加大力度培育中小微企业健康发展的建议答复"
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{title}_广州市工业和信息化局</title>
<script type="text/javascript">var _hmt = _hmt || []; document.write("欢迎访问广州市工业和信息化局");</script>
<style>.nav {{ color:red }} /* 导航栏 */</style>
</head>
<body>
<div class="topbar"><a href="#">无障碍</a> | <a href="#">长者模式</a> | <a href="#">登录</a></div>
<div class="header"><img src="logo.png" alt="广州市工业和信息化局" /><div class="search"><input value="请输入关键字" /></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="#">机构概况</a></li><li><a href="#">政务公开</a></li>
<li><a href="#">政务服务</a></li><li><a href="#">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="#">政务公开</a> &gt; <a href="#">建议提案办理</a></div>
<table width="1000"><tr>
<td class="left-side" width="200"><h3>信息公开目录</h3><ul><li><a href="#">机构职能</a></li><li><a href="#">政策法规</a></li>
<li><a href="#">规划计划</a></li></ul></td>
<td class="article">
<h1>{title}</h1>
<div class="info">发布日期：2022-06-20 来源：本网 字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div>
<div id="zoom" class="TRS_Editor">
<!-- 正文开始 -->
{"".join(body)}
</div>
<div style="display:none">隐藏的统计代码文本</div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a></div>
<div class="related"><h4>相关文章</h4><ul><li><a href="#">关于支持中小企业的建议答复</a></li>
<li><a href="#">关于优化营商环境的提案答复</a></li></ul></div>
</td></tr></table>
<div class="footer"><p>主办单位：广州市工业和信息化局 地址：广州市越秀区 电话：020-83124511</p>
<p>网站标识码：4401000035 粤ICP备05080091号</p></div>
<script>console.log("统计")</script>
</body></html>
"""


@pytest.mark.parametrize(("charset", "encoding", "reported"), [("gb2312", "gbk", "gb18030"), ("utf-8", "utf-8", "utf-8"),
                                                               ("big5", "big5hkscs", "big5hkscs")])
def test_saved_government_page_gives_the_letter_body(tmp_path: Path, charset: str, encoding: str, reported: str) -> None:
    def script(text: str) -> str:  # a Big5 page is in traditional characters
        return zhconv.convert(text, "zh-tw") if charset == "big5" else text

    page = script(_government_page(PARAGRAPHS, charset))
    letter = read_letter(_write(tmp_path, "post_8343569.html", page.encode(encoding)))  # GB2312 pages hold GBK characters
    assert (letter.format, letter.encoding) == ("html", reported)
    assert letter.text.split("\n") == [script(p) for p in PARAGRAPHS]  # the body, and nothing else
    for word in FURNITURE:
        assert script(word) not in letter.text


def test_page_of_each_shared_letter_keeps_its_body(tmp_path: Path, shared_letters: Path) -> None:
    for path in sorted(shared_letters.glob("*.txt")):
        paragraphs = _paragraphs(path.read_text(encoding="utf-8"))
        page = _government_page(paragraphs, "gb2312").encode("gb18030")
        text = read_letter(_write(tmp_path, f"{path.stem}.html", page)).text
        assert "\n".join(paragraphs) in text, path.name  # short letters may keep the page title above them
        assert not [w for w in FURNITURE if w in text], path.name


def test_old_table_layout_page_with_br_paragraphs(tmp_path: Path) -> None:
    rows = "<br />\n".join(PARAGRAPHS)
    page = ('<html><head><meta charset="utf-8"></head><body><table><tr><td><a href="/">首页</a> <a href="#">新闻</a> '
            f'<a href="#">公告</a></td></tr><tr><td class="content"><font size="3">{rows}</font></td></tr></table></body></html>')
    letter = read_letter(_write(tmp_path, "letter.htm", page.encode("utf-8")))
    assert letter.text.split("\n") == PARAGRAPHS


def test_page_with_a_wrong_charset_is_read_and_says_so(tmp_path: Path) -> None:
    page = _government_page(PARAGRAPHS, "utf-8").encode("gbk")  # says utf-8, is GBK
    letter = read_letter(_write(tmp_path, "letter.html", page))
    assert letter.text.split("\n") == PARAGRAPHS
    assert letter.warnings == ("the page says charset=utf-8 but is gb18030",)


def test_page_saved_as_txt_is_read_as_a_page(tmp_path: Path) -> None:
    letter = read_letter(_write(tmp_path, "letter.txt", _government_page(PARAGRAPHS, "utf-8").encode("utf-8")))
    assert letter.format == "html"
    assert letter.text.split("\n") == PARAGRAPHS


def test_deeply_nested_page(tmp_path: Path) -> None:
    page = "<html><body>" + "<div>" * 5000 + "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>" * 5000 + "</body></html>"
    assert read_letter(_write(tmp_path, "deep.html", page.encode("utf-8"))).text.split("\n") == PARAGRAPHS


def test_page_without_text(tmp_path: Path) -> None:
    page = b"<html><head><script>var a = 1;</script></head><body><img src='scan.png'></body></html>"
    with pytest.raises(IngestError, match="web page without text"):
        read_letter(_write(tmp_path, "scan.html", page))


# --- Word .docx --------------------------------------------------------------------------


def _docx(paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "广州市工业和信息化局文件"
    document.sections[0].footer.paragraphs[0].text = "— 1 —"
    for i, p in enumerate(paragraphs):
        para = document.add_paragraph()
        if i % 2:  # a paragraph in several runs with their own formatting, as Word saves them
            para.add_run(p[: len(p) // 2]).bold = True
            para.add_run(p[len(p) // 2 :]).font.size = Pt(16)
        else:
            para.add_run(p)
        if i == 3 and table:
            t = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
        if i == 5:
            document.add_paragraph("")  # an empty paragraph: a blank line
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_gives_its_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    table = [["单位", "联系人"], ["市财政局", "李明"]]
    letter = read_letter(_write(tmp_path, "letter.docx", _docx(PARAGRAPHS, table=table)))
    assert (letter.format, letter.encoding) == ("docx", "utf-8")
    lines = letter.text.split("\n")
    assert lines == [*PARAGRAPHS[:4], "单位\t联系人", "市财政局\t李明", *PARAGRAPHS[4:]]
    assert "广州市工业和信息化局文件" not in letter.text  # the page header
    assert "— 1 —" not in letter.text  # the page footer


def test_docx_letter_reads_like_the_text_file(tmp_path: Path) -> None:
    from_txt = extract(read_letter(SEED)).metadata
    from_docx = extract(read_letter(_write(tmp_path, "letter.docx", _docx(PARAGRAPHS)))).metadata
    for field in ("proposal_number", "proposal_title", "date", "contact_person"):
        got, want = getattr(from_docx, field), getattr(from_txt, field)
        assert getattr(got, "value", got) == getattr(want, "value", want), field
    assert from_docx.replying is not None
    assert from_docx.replying_name == from_txt.replying_name


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: _docx(PARAGRAPHS)[:5000], "damaged or cut-short .docx"),
        (lambda: _zip({"readme.txt": "答复"}), "not a Word .docx"),
        (lambda: _zip({"word/document.xml": "<w:document>未闭合"}), "damaged .docx"),
    ],
    ids=["cut-short", "other-zip", "broken-xml"],
)
def test_damaged_docx(tmp_path: Path, make: object, problem: str) -> None:
    assert callable(make)
    with pytest.raises(IngestError, match=problem):
        read_letter(_write(tmp_path, "letter.docx", make()))


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(_write(tmp_path, "seed.docx", _docx(PARAGRAPHS[:3])), "r") as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            zf.writestr(item, src.read(item))
        zf.writestr("word/media/padding.bin", b"\0" * (210 * 1024 * 1024))  # 210 MB of zeros, 200 KB zipped
    with pytest.raises(IngestError, match="zip bomb"):
        read_letter(_write(tmp_path, "bomb.docx", buf.getvalue()))


# --- PDF ---------------------------------------------------------------------------------


def _pdf(paragraphs: list[str]) -> bytes:
    """A letter laid out on A4 pages in a CJK font (its text layer maps to Unicode),
    paragraphs indented, lines wrapped at the margin, page numbers in the footer."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK", firstLineIndent=24)

    def footer(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("STSong-Light", 10)
        c.drawCentredString(A4[0] / 2, 30, f"— {doc.page} —")

    buf = io.BytesIO()
    flow = [Paragraph(p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style) for p in paragraphs]
    SimpleDocTemplate(buf, pagesize=A4).build(flow, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def test_pdf_gives_its_paragraphs(tmp_path: Path) -> None:
    data = _pdf(PARAGRAPHS)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 3  # wrapped lines, page breaks and page numbers to undo
    letter = read_letter(_write(tmp_path, "letter.pdf", data))
    assert (letter.format, letter.encoding) == ("pdf", "unicode")
    assert letter.text.split("\n") == PARAGRAPHS


def test_pdf_of_each_shared_letter(tmp_path: Path, shared_letters: Path) -> None:
    for path in sorted(shared_letters.glob("*.txt")):
        paragraphs = _paragraphs(path.read_text(encoding="utf-8"))
        assert read_letter(_write(tmp_path, f"{path.stem}.pdf", _pdf(paragraphs))).text.split("\n") == paragraphs, path.name


def test_pdf_without_a_text_layer(tmp_path: Path) -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.rect(100, 100, 300, 500, fill=1)  # a scanned page is an image: no text to take
    c.showPage()
    c.save()
    with pytest.raises(IngestError, match="without a text layer"):
        read_letter(_write(tmp_path, "scan.pdf", buf.getvalue()))


def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf(PARAGRAPHS[:4]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(IngestError, match="encrypted PDF"):
        read_letter(_write(tmp_path, "locked.pdf", buf.getvalue()))


def test_cut_short_pdf(tmp_path: Path) -> None:
    data = _pdf(PARAGRAPHS)
    with pytest.raises(IngestError, match="damaged or cut-short PDF"):
        read_letter(_write(tmp_path, "cut.pdf", data[: len(data) // 2]))


# --- what cannot be read -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old binary Word"),
        ("letter.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 600, "image file"),
        ("letter.txt", b"{\\rtf1\\ansi " + TEXT.encode("utf-8"), "RTF document"),
        ("letter.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "damaged or cut-short PDF"),
    ],
    ids=["doc", "png-named-txt", "rtf", "pdf-header-only"],
)
def test_unsupported_or_disguised_files(tmp_path: Path, name: str, data: bytes, problem: str) -> None:
    with pytest.raises(IngestError, match=problem):
        read_letter(_write(tmp_path, name, data))


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    letter = read_letter(_write(tmp_path, "letter.txt", _pdf(PARAGRAPHS)))
    assert letter.format == "pdf"
    assert letter.text.split("\n") == PARAGRAPHS
