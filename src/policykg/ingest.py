"""Files → Letter: text files in any Chinese encoding, saved web pages, Word .docx and PDF.

A file is read whole (at most 20 MB), its format found by its first bytes or else its
suffix (``formats.sniff_format``), and its text taken out (``formats``). The text is kept
unchanged after that: every offset in the graph refers to ``Letter.text``. A file that is
not a readable reply letter raises ``IngestError`` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import IngestError
from policykg.formats import (
    FORMAT_OF_SUFFIX,
    MAX_CHARS,
    Decoded,
    decode_bytes,
    docx_to_text,
    html_to_text,
    pdf_to_text,
    sniff_format,
)

__all__ = ["LETTER_SUFFIXES", "MAX_BYTES", "Letter", "decode_bytes", "find_letters", "read_letter", "to_display_name",
           "to_letter", "to_letter_key"]

LETTER_SUFFIXES = frozenset(FORMAT_OF_SUFFIX)
# A reply letter is 5-100 KB as text, a few MB as a PDF with a scanned seal; a larger file is
# refused before it is read, so a 50 MB file costs nothing but its one-line message.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Letter:
    """One reply letter as read from disk.

    Attributes:
        key: ASCII identifier, stable for the same file name (used in IRIs).
        source: the file's name, recorded as ``dcterms:source``.
        text: the letter's text, unchanged after reading: every offset refers to it.
        encoding: the encoding the text was decoded with (``unicode`` for a PDF's text layer).
        format: txt, html, docx or pdf (by the file's content, not only its name).
        warnings: what the reader should know (a character cut at the end, a wrong charset).
    """

    key: str
    source: str
    text: str
    encoding: str
    format: str = "txt"
    warnings: tuple[str, ...] = ()


def to_letter_key(name: str) -> str:
    """An ASCII key for a letter file name, stable across runs.

    >>> to_letter_key("gz-2022-20222149-gxj.txt")
    'gz-2022-20222149-gxj'
    >>> to_letter_key("答复函.txt")[:7]
    'letter-'
    """
    stem = Path(name).stem
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", stem):
        return stem
    return "letter-" + hashlib.sha1(stem.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def to_display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by the OS as surrogates) become U+FFFD.

    >>> to_display_name(b"\\xb4\\xf0.txt".decode("utf-8", "surrogateescape"))
    '��.txt'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_UNREADABLE = {
    "doc": "old binary Word (.doc/.wps) file: not supported; save it as .docx or PDF",
    "rtf": "RTF document: not supported; save it as .docx or PDF",
    "image": "image file, not text: a scanned letter needs OCR first",
}
_READERS: dict[str, Callable[[bytes], Decoded]] = {
    "txt": decode_bytes, "html": html_to_text, "docx": docx_to_text, "pdf": pdf_to_text,
}
_CHINESE = re.compile("[\u4e00-\u9fff]")
# A reply letter answers a proposal (建议, 提案, 议案) and says so (收悉, 答复, 办理, 回复, 办复,
# or speaks to its author: 您的…提案, 你们提出的…), in simplified or traditional characters.
_PROPOSAL = re.compile("建[议議]|提案|[议議]案")
_ANSWER = re.compile("收悉|答[复覆複]|[办辦]理|回[复覆複]|[办辦][复覆複]|[您你][们們]?(?:的|提出的|所提)")


def to_letter(data: bytes, path: Path) -> Letter:
    """A letter from a file's bytes; ``path`` names it (its name gives the key and source).

    Raises:
        IngestError: the bytes are not a readable reply letter (empty, binary, unsupported
            or damaged format, unknown encoding, too long, not Chinese, not a reply).
    """
    if not data.strip():
        raise IngestError(path, "empty file" if not data else "empty file (only white space)")
    fmt = sniff_format(data, path.suffix)
    if fmt in _UNREADABLE:
        raise IngestError(path, _UNREADABLE[fmt])
    try:
        decoded = _READERS[fmt](data)
    except ValueError as exc:
        problem = f"binary file or unknown encoding: {exc}" if fmt == "txt" else str(exc)
        raise IngestError(path, problem) from None
    text = decoded.text
    sample = text[:4000]
    if sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f") > len(sample) // 50:
        raise IngestError(path, "binary file, not a text letter")
    if not text.strip():
        raise IngestError(path, f"empty {fmt} file: no text in it")
    if len(text) > MAX_CHARS:
        raise IngestError(path, f"text too long ({len(text):,} characters; a letter has at most {MAX_CHARS:,}): not one letter")
    if not _CHINESE.search(text):
        raise IngestError(path, "no Chinese text: not a reply letter")
    if not (_PROPOSAL.search(text) and _ANSWER.search(text)):
        raise IngestError(path, "not a reply letter: it answers no proposal (no 建议/提案/议案 with 收悉/答复/办理/回复)")
    return Letter(key=to_letter_key(path.name), source=to_display_name(path.name), text=text, encoding=decoded.encoding,
                  format=fmt, warnings=decoded.warnings)


def read_letter(path: Path) -> Letter:
    """Read one letter file (txt in any Chinese encoding, html, docx, pdf).

    Raises:
        IngestError: the file cannot be read, is larger than MAX_BYTES, or is not a
            readable reply letter (see ``to_letter``).
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block the read, or never end
            raise IngestError(path, "not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size > MAX_BYTES:
            raise IngestError(path, f"file too large ({size / 2**20:.1f} MB; a letter file is at most {MAX_BYTES // 2**20} MB)")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # the file may grow after stat
    except OSError as exc:
        raise IngestError(path, f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise IngestError(path, f"file too large (over {MAX_BYTES // 2**20} MB)")
    return to_letter(data, path)


def find_letters(paths: Iterable[Path], *, on_error: Callable[[IngestError], None] | None = None) -> Iterator[Path]:
    """Letter files under the given files and folders, folders walked recursively in name order.

    A folder is searched for files with a letter suffix (LETTER_SUFFIXES); a file named
    on its own is read whatever its suffix. Hidden files and folders (``.name``) are
    skipped. A folder that cannot be listed is reported to ``on_error`` and skipped.

    Raises:
        IngestError: a path does not exist.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path, on_error)
        elif path.exists():
            yield path
        else:
            raise IngestError(path, "no such file or folder")


def _walk(folder: Path, on_error: Callable[[IngestError], None] | None) -> Iterator[Path]:
    def failed(exc: OSError) -> None:
        if on_error is not None:
            where = Path(exc.filename) if exc.filename else folder
            on_error(IngestError(where, f"cannot read folder ({exc.strerror or exc})"))

    found = []
    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root, f) for f in files if not f.startswith(".") and Path(f).suffix.lower() in LETTER_SUFFIXES]
    yield from sorted(found)
