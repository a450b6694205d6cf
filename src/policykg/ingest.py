"""Files → Letter: decode any common Chinese encoding, keep the original text and offsets."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import IngestError

__all__ = ["LETTER_SUFFIXES", "Letter", "decode_bytes", "find_letters", "read_letter", "to_letter_key"]

LETTER_SUFFIXES = frozenset({".txt"})
_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Letter:
    """One reply letter as read from disk.

    Attributes:
        key: ASCII identifier, stable for the same file name (used in IRIs).
        source: the file's name, recorded as ``dcterms:source``.
        text: the decoded text, unchanged: every offset refers to it.
        encoding: the encoding the bytes were decoded with.
    """

    key: str
    source: str
    text: str
    encoding: str


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
    return "letter-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:12]


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a letter's bytes; return (text, encoding).

    Tries byte-order marks, then strict UTF-8, then UTF-16 without BOM (by its NUL bytes),
    then GB18030 (a superset of GBK and GB2312), then Big5.

    >>> decode_bytes("您好".encode("gbk"))
    ('您好', 'gb18030')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for codec in ("gb18030", "utf-16-le", "utf-16-be", "big5"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None:
        raise ValueError("not text in UTF-8, UTF-16, GB18030/GBK or Big5")
    return best[1], best[2]


_COMMON = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\n]")


def _plausibility(text: str) -> float:
    """Share of characters that a Chinese letter is made of (common CJK, punctuation, ASCII)."""
    sample = text[:3000]
    return len(_COMMON.findall(sample)) / max(1, len(sample))


def read_letter(path: Path) -> Letter:
    """Read one letter file.

    Raises:
        IngestError: the file cannot be read, is too large, empty, binary or not decodable.
    """
    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise IngestError(path, f"file too large ({size} bytes; limit {_MAX_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read file ({exc.strerror or exc})") from exc
    try:
        text, encoding = decode_bytes(data)
    except ValueError as exc:
        raise IngestError(path, f"binary file or unknown encoding: {exc}") from exc
    controls = sum(1 for ch in text[:4000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > len(text[:4000]) // 50:
        raise IngestError(path, "binary file, not a text letter")
    if not text.strip():
        raise IngestError(path, "empty file")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise IngestError(path, "no Chinese text: not a reply letter")
    return Letter(key=to_letter_key(path.name), source=path.name, text=text, encoding=encoding)


def find_letters(paths: Iterable[Path]) -> Iterator[Path]:
    """Letter files under the given files and folders, folders walked recursively in name order.

    Raises:
        IngestError: a path does not exist.
    """
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LETTER_SUFFIXES)
        elif path.exists():
            yield path
        else:
            raise IngestError(path, "no such file or folder")
