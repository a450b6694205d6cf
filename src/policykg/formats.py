"""Bytes → text for each input format: plain text in any Chinese encoding, saved web pages,
Word ``.docx`` and PDF with a text layer.

Every function takes the file's bytes and returns a ``Decoded`` (the text, the encoding it
was read with, and warnings worth telling the user), or raises ``ValueError`` whose message
says what is wrong with the file in a few words. The text is what the letter says, one
paragraph per line; every offset in the graph refers to it.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import charset_normalizer
import docx
import pypdf
from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree

__all__ = [
    "FORMAT_OF_SUFFIX",
    "MAX_CHARS",
    "Decoded",
    "decode_bytes",
    "docx_to_text",
    "html_to_text",
    "pdf_to_text",
    "sniff_format",
]

# A reply letter is a few thousand characters; the longest seen is about 20,000. A text many
# times longer is not one letter (and would take minutes to extract).
MAX_CHARS = 500_000

FORMAT_OF_SUFFIX = {
    ".txt": "txt", ".text": "txt",
    ".htm": "html", ".html": "html", ".shtml": "html", ".xhtml": "html",
    ".docx": "docx", ".pdf": "pdf",
    ".doc": "doc", ".wps": "doc",  # old binary formats: named, so a folder of them is not passed over in silence
}

logging.getLogger("pypdf").setLevel(logging.ERROR)  # recoverable-structure chatter; real failures raise


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read with, and what the user should know about it."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


# --- plain text in any encoding ------------------------------------------------------

# Tried after UTF-8, by charset-normalizer's measures of mess and coherence; on a tie, the
# earlier wins (mainland letters are the common case). GB18030 is a superset of GBK and
# GB2312; Big5-HKSCS of Big5 (as browsers read "big5").
_CANDIDATES = ("gb18030", "big5hkscs", "utf_16_le", "utf_16_be")
_CODEC_NAMES = {"utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be"}


def _decode_cut(data: bytes, codec: str) -> tuple[str, bool]:
    """Decode strictly, except that an incomplete character at the very end (a file cut in
    the middle of a character) is dropped; returns (text, cut).

    >>> _decode_cut("答复".encode("utf-8")[:-1], "utf-8")
    ('答', True)
    """
    try:
        return data.decode(codec), False
    except UnicodeDecodeError as exc:
        if exc.end < len(data) or exc.start < len(data) - 4:
            raise
        return data[: exc.start].decode(codec), True


def _cut_warning(cut: bool) -> tuple[str, ...]:
    return ("the file ends in the middle of a character (cut short?); the incomplete character was dropped",) if cut else ()


def decode_bytes(data: bytes) -> Decoded:
    """Decode a text file's bytes in whatever encoding it uses.

    Byte-order marks first, then strict UTF-8, then the best of GB18030, Big5 and UTF-16
    (without BOM) by charset-normalizer. A file cut in the middle of a character loses that
    character, with a warning; a UTF-8 file with a few broken bytes keeps the rest.

    Raises:
        ValueError: the bytes are not text in any of these encodings.

    >>> decode_bytes("您好,答复如下".encode("gbk")).encoding
    'gb18030'
    >>> decode_bytes("答复".encode("utf-8")[:-1]).text
    '答'
    """
    if data.startswith(codecs.BOM_UTF8):
        text, cut = _decode_cut(data[3:], "utf-8")
        return Decoded(text, "utf-8-sig", _cut_warning(cut))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, cut = _decode_cut(data, "utf-16")
        except UnicodeDecodeError as exc:
            raise ValueError(f"broken UTF-16 ({exc.reason} at byte {exc.start})") from None
        return Decoded(text, "utf-16", _cut_warning(cut))
    try:
        text, cut = _decode_cut(data, "utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if text.count("\x00") <= len(text) // 10:
            return Decoded(text, "utf-8", _cut_warning(cut))
        return _detect(data) or Decoded(text, "utf-8", _cut_warning(cut))  # NULs: UTF-16 of ASCII without a BOM?
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    if bad <= sum(1 for ch in loose if ord(ch) > 127) // 200:  # UTF-8 with a few broken bytes (GBK gives many)
        return Decoded(loose, "utf-8", (f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD",))
    detected = _detect(data)
    if detected is None:
        raise ValueError("not text in UTF-8, GB18030/GBK/GB2312, Big5 or UTF-16")
    return detected


def _detect(data: bytes) -> Decoded | None:
    """The best candidate encoding by charset-normalizer; failing that (pasted junk, stray
    control characters make it give up), the candidate whose decoding reads most like a letter."""
    for threshold in (0.2, 1.0):
        for trim in range(4):  # a multi-byte character cut at the end can hide the encoding
            sample = data[: len(data) - trim]
            if threshold == 1.0:  # an ESC byte makes charset-normalizer look only for ISO-2022 encodings
                sample = sample.replace(b"\x1b", b"")
            matches = list(charset_normalizer.from_bytes(sample, cp_isolation=list(_CANDIDATES), threshold=threshold))
            matches.sort(key=lambda m: (m.chaos, -m.coherence, _CANDIDATES.index(m.encoding)
                                        if m.encoding in _CANDIDATES else len(_CANDIDATES)))
            for match in matches:
                try:
                    text, cut = _decode_cut(data, match.encoding)
                except UnicodeDecodeError:
                    continue
                if threshold < 1.0 or _letter_like(text) >= 0.8:
                    return Decoded(text, _CODEC_NAMES.get(match.encoding, match.encoding), _cut_warning(cut))
    best: tuple[float, str, bool, str] | None = None
    for codec in _CANDIDATES:  # charset-normalizer gave up: the decoding that reads most like a letter
        try:
            text, cut = _decode_cut(data, codec)
        except UnicodeDecodeError:
            continue
        score = _letter_like(text)
        if score >= 0.8 and (best is None or score > best[0]):
            best = (score, text, cut, codec)
    return None if best is None else Decoded(best[1], _CODEC_NAMES.get(best[3], best[3]), _cut_warning(best[2]))


_LETTER_CHAR = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2027\x20-\x7e\n\r\t]")


def _letter_like(text: str) -> float:
    """Share of the characters a Chinese letter is made of (common CJK, punctuation, ASCII).

    >>> _letter_like("您好,答复如下。"), _letter_like("\u0f3c\ua83c\u1234\u0300")
    (1.0, 0.0)
    """
    sample = text[:20000]
    return len(_LETTER_CHAR.findall(sample)) / max(1, len(sample))


# --- which format ------------------------------------------------------------------------

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)", re.I)


def sniff_format(data: bytes, suffix: str) -> str:
    """The format of a file by its first bytes, else by its suffix: txt, html, docx, pdf,
    or one that cannot be read (doc, rtf, image).

    >>> sniff_format(b"%PDF-1.7 ...", ".txt"), sniff_format(b"<!DOCTYPE html><html>", ".txt")
    ('pdf', 'html')
    >>> sniff_format("答复".encode(), ".html")
    'html'
    """
    for magic, fmt in _MAGIC:
        if data.startswith(magic):
            return fmt
    if b"%PDF-" in data[:1024]:
        return "pdf"
    named = FORMAT_OF_SUFFIX.get(suffix.lower(), "txt")
    if named in ("txt", "html") and _HTML_START.search(data[:2048].replace(b"\x00", b"")):
        return "html"
    return named


# --- saved web pages -------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]{0,80}encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I
)
_CHARSET_CODEC = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
                  "euc-cn": "gb18030", "gb_2312-80": "gb18030", "big5": "big5hkscs", "big5-hkscs": "big5hkscs",
                  "cp950": "big5hkscs", "x-x-big5": "big5hkscs"}
# Never the letter: code, styles, controls, embedded objects, hidden parts.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "frame", "svg", "canvas", "object", "embed", "head",
              "button", "select", "textarea", "input", "map", "audio", "video")
# Page furniture, dropped when it holds only a small part of the page's text (a wrapper named
# "header" that holds everything is not furniture).
_FURNITURE_TAGS = ("nav", "header", "footer", "aside", "menu")
_FURNITURE_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|subnav|footer|foot|fotter|header|top|topbar|bottom|breadcrumbs?|crumbs?|position|"
    r"location|dqwz|sidebar|side|share|bdshare|copyright|links?|friendlink|related|xgwz|toolbar|search|login|banner|"
    r"qrcode|ewm|print|close|tools?)(?:$|[-_\s\d])",
    re.I,
)
_BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
})
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_CJK_CHAR = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_WRAP_BETWEEN_CJK = re.compile("(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\f]*\n[ \t\r\n\f]*(?=[\u3000-\u9fff\uff00-\uffef])")
_SPACES = re.compile("[ \t\r\n\f]+")


def _page_encoding(data: bytes) -> tuple[str, str] | None:
    """(codec, declared label) from the page's ``<meta charset>`` or XML declaration."""
    m = _META_CHARSET.search(data[:4096])
    if m is None:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii").lower()
    codec = _CHARSET_CODEC.get(label, label)
    try:
        codecs.lookup(codec)
    except LookupError:
        return None
    return codec, label


def _decode_page(data: bytes) -> Decoded:
    declared = None if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _page_encoding(data)
    if declared is not None:
        codec, label = declared
        try:
            text, cut = _decode_cut(data, codec)
            return Decoded(text, codecs.lookup(codec).name, _cut_warning(cut))
        except UnicodeDecodeError:
            found = decode_bytes(data)
            wrong = f"the page says charset={label} but is {found.encoding}"
            return Decoded(found.text, found.encoding, (wrong, *found.warnings))
    return decode_bytes(data)


def html_to_text(data: bytes) -> Decoded:
    """The letter on a saved web page: its body text, without navigation, footers and scripts.

    The page is decoded by its declared charset (GB2312 pages are read as GB18030, which
    also holds the GBK characters such pages use) or, failing that, detected. Furniture
    (nav, header, footer, sidebars, link lists, breadcrumbs, hidden parts) is dropped; the
    body is the smallest part of the page that still holds 85% of its Chinese text.

    Raises:
        ValueError: the page cannot be decoded, or holds no text.
    """
    decoded = _decode_page(data)
    soup = BeautifulSoup(decoded.text, "html.parser")
    for tag in [*soup.find_all(_DROP_TAGS), *soup.find_all(_is_hidden)]:
        if not _gone(tag):
            tag.decompose()
    counts = _count(soup)
    total = max(1, counts[id(soup)].cjk)
    for tag in soup.find_all(True):  # document order: a container before what it holds
        if _gone(tag):
            continue
        c = counts[id(tag)]
        link_list = tag.name in _LINK_BLOCKS and c.links >= 2 and c.linked >= 0.5 * max(1, c.cjk)
        if (link_list or _is_furniture(tag)) and c.cjk < 0.3 * total:
            tag.decompose()
    root: Tag = soup.body or soup
    counts = _count(root)
    need = 0.85 * counts[id(root)].cjk
    while True:
        child = next((c for c in root.find_all(True, recursive=False) if counts[id(c)].cjk >= need), None)
        if child is None:
            break
        root = child
    text = _render(root)
    if not text.strip():
        raise ValueError("web page without text")
    return Decoded(text, decoded.encoding, decoded.warnings)


_LINK_BLOCKS = frozenset({"ul", "ol", "dl", "div", "table", "p", "td", "section", "span"})


@dataclass
class _Count:
    cjk: int = 0  # Chinese characters in the element
    linked: int = 0  # of them inside links
    links: int = 0  # links in the element


def _count(root: Tag) -> dict[int, _Count]:
    """Counts for every element under ``root`` (by id), in one pass from the leaves up
    (iterative: a page nested 10,000 deep neither overflows the stack nor costs n²)."""
    order: list[Tag] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(c for c in node.children if isinstance(c, Tag))
    counts: dict[int, _Count] = {}
    for node in reversed(order):  # every element after all of its descendants
        total = _Count()
        for child in node.children:
            if isinstance(child, Tag):
                sub = counts[id(child)]
                total.cjk += sub.cjk
                total.linked += sub.linked
                total.links += sub.links
            elif isinstance(child, NavigableString) and not isinstance(child, _SKIPPED_STRINGS):
                total.cjk += len(_CJK_CHAR.findall(child))
        if node.name == "a":
            total.linked, total.links = total.cjk, total.links + 1
        counts[id(node)] = total
    return counts


def _gone(tag: Tag) -> bool:
    """Decomposed, itself or with a container (``Tag.decomposed`` searches the subtree for a
    child named "_decomposed" when the flag is unset: n² on a large page)."""
    return bool(tag.__dict__.get("_decomposed", False))


def _is_hidden(tag: Tag) -> bool:
    style = str(tag.get("style", "")).replace(" ", "").lower()
    return tag.has_attr("hidden") or "display:none" in style or "visibility:hidden" in style


def _is_furniture(tag: Tag) -> bool:
    if tag.name in _FURNITURE_TAGS:
        return True
    names = " ".join([str(tag.get("id", "")), *tag.get_attribute_list("class")])
    return bool(names.strip()) and _FURNITURE_NAME.search(names) is not None


def _render(root: Tag) -> str:
    """Text of an element, one block per line (iterative: deep nesting cannot overflow the stack)."""
    out: list[str] = []
    stack: list[Tag | NavigableString | str] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            out.append(node)  # a marker pushed below: the end of an element
        elif isinstance(node, NavigableString):
            if not isinstance(node, _SKIPPED_STRINGS):
                out.append(_SPACES.sub(" ", _WRAP_BETWEEN_CJK.sub("", str(node))))
        elif node.name == "br":
            out.append("\n")
        else:
            end = "\t" if node.name in ("td", "th") else "\n" if node.name in _BLOCK_TAGS else ""
            if end == "\n":
                out.append("\n")
            stack.append(end)
            stack.extend(reversed(list(node.children)))  # type: ignore[arg-type]
    return _tidy_lines("".join(out))


def _tidy_lines(text: str) -> str:
    lines = (line.strip() for line in text.split("\n"))  # indentation (spaces, 　, &nbsp;) is layout
    return "\n".join(line for line in lines if line.strip())


# --- Word .docx ------------------------------------------------------------------------

_MAX_UNZIPPED = 200 * 1024 * 1024


def docx_to_text(data: bytes) -> Decoded:
    """The text of a Word .docx: body paragraphs and table rows in document order.

    Headers, footers and comments are left out. Table cells are separated by a tab.

    Raises:
        ValueError: not a .docx (another zip, an old binary .doc), damaged, or a zip bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            unzipped = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ValueError(f"damaged or cut-short .docx (zip: {exc})") from None
    if "word/document.xml" not in names:
        raise ValueError("zip archive without word/document.xml: not a Word .docx")
    if unzipped > _MAX_UNZIPPED:
        raise ValueError(f"the .docx unpacks to {unzipped / 2**20:.0f} MB (a zip bomb?)")
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError, zlib.error, EOFError) as exc:
        raise ValueError(f"damaged .docx ({type(exc).__name__}: {exc})") from None
    return Decoded("\n".join(line for line in lines if line.strip()), "utf-8")


def _docx_lines(document: DocxDocument) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell repeats in each column it spans
                        seen.add(id(cell._tc))
                        cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
                yield "\t".join(cells).strip()
        else:
            yield block.text.strip()


# --- PDF ---------------------------------------------------------------------------------

_PDF_ERRORS = (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
               RecursionError, OverflowError, NotImplementedError, struct.error, zlib.error, EOFError)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})\s*$"
)
_SENTENCE_END = "。！？；：!?;:"
_NEW_PARAGRAPH = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D|附件|联系人|抄送)"
)


def pdf_to_text(data: bytes) -> Decoded:
    """The text layer of a PDF, with lines that the page wrapped joined back into paragraphs.

    A line is joined to the next when it runs to the right margin (it is at least 80% as
    wide as the page's full lines) and does not end a sentence, and the next line does not
    open a numbered item. Page numbers alone on a line are dropped.

    Raises:
        ValueError: damaged, encrypted with a password, or without a text layer (a scan).
    """
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else _pdf_pages(reader)
    except _PDF_ERRORS as exc:
        raise ValueError(f"damaged or cut-short PDF ({type(exc).__name__}: {exc})") from None
    if locked:
        raise ValueError("encrypted PDF: it needs a password")
    lines = [line for page in pages for line in page]
    if sum(1 for ch in "".join(lines) if not ch.isspace()) < 10:
        raise ValueError("PDF without a text layer (a scanned image?): run OCR on it first")
    return Decoded(_reflow(lines), "unicode")


def _pdf_pages(reader: pypdf.PdfReader) -> list[list[str]]:
    """Each page's lines, without blank lines and page numbers; stops past MAX_CHARS."""
    pages: list[list[str]] = []
    chars = 0
    for page in reader.pages:
        lines = [line.rstrip() for line in (page.extract_text() or "").split("\n") if line.strip()]
        while lines and _PAGE_NUMBER.match(lines[-1]):
            lines.pop()
        while lines and _PAGE_NUMBER.match(lines[0]):
            lines.pop(0)
        pages.append(lines)
        chars += sum(len(line) for line in lines)
        if chars > MAX_CHARS:
            break  # read_letter refuses the text as too long
    return pages


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _reflow(lines: list[str]) -> str:
    """Join lines that the page wrapped back into paragraphs.

    A line is wrapped when it runs to the right margin (at least 80% as wide as the page's
    full lines) and the next line opens no numbered item. Where the document indents its
    paragraphs, an indented next line starts a new paragraph; where it does not, a line that
    ends a sentence ends its paragraph.

    >>> _reflow(["一、总体情况", "我局高度重视您提出的建议,会同市财政局", "认真研究办理。", "二、下一步"])
    '一、总体情况\\n我局高度重视您提出的建议,会同市财政局认真研究办理。\\n二、下一步'
    >>> _reflow(["  我局高度重视您的建议。会同市财政局研究", "办理。经综合各单位意见,现答复如下。", "  一是加快"])
    '我局高度重视您的建议。会同市财政局研究办理。经综合各单位意见,现答复如下。\\n一是加快'
    """
    widths = sorted(_width(line.strip()) for line in lines)
    if not widths:
        return ""
    full = widths[int(0.9 * (len(widths) - 1))] if len(widths) >= 10 else widths[-1]
    indents = any(line[:1].isspace() for line in lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line.strip())
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or _width(line.strip()) < 0.8 * full or _NEW_PARAGRAPH.match(nxt):
            wrapped = False
        elif indents:
            wrapped = not nxt[:1].isspace()
        else:
            wrapped = not line.rstrip().endswith(tuple(_SENTENCE_END))
        if not wrapped:
            out.append("\n")
    return "".join(out).strip("\n")
