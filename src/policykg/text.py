"""Text helpers shared by the extraction stages: matching form, sentences, redaction.

The matching form of a text has exactly the same length as the text, so an offset found in
one is an offset in the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CJK", "Sentence", "mask_spans", "redact", "split_sentences", "to_match_text", "trie_pattern"]

CJK = "\u4e00-\u9fff\u3400-\u4dbf"

_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, ord("﹝"): ord("〔"), ord("﹞"): ord("〕"), ord("「"): ord("“"), ord("」"): ord("”")})
_WIDTH.update({ord("\u00a0"): 0x20, ord("\t"): 0x20, ord("\r"): 0x20})


@dataclass(frozen=True)
class Sentence:
    """A sentence of a letter: ``text[start:end]``."""

    index: int
    start: int
    end: int


def to_match_text(text: str) -> str:
    """Fold full-width ASCII and a few bracket variants to one form, keeping every offset.

    >>> to_match_text("（第６号）：")
    '(第6号):'
    """
    folded = text.translate(_WIDTH)
    assert len(folded) == len(text)
    return folded


_SENTENCE_END = re.compile(r"[。!?！？;；]+[”’」)）]*|\n+")


def trie_pattern(words: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of ``words`` as a prefix tree: the longest word wins, and matching at a
    position costs the length of the longest word, not the number of words.

    >>> import re
    >>> re.match(trie_pattern(["广州", "广州市", "广东省"]), "广州市政府").group()
    '广州市'
    """
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree) or "(?!)"


def split_sentences(text: str) -> list[Sentence]:
    """Split a letter into sentences at 。！？； and line breaks; blank stretches are dropped.

    >>> [(s.start, s.end) for s in split_sentences("一是加强。二是完善!\\n三")]
    [(0, 5), (5, 10), (11, 12)]
    """
    out: list[Sentence] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end() if not m.group().startswith("\n") else m.start()
        _add_sentence(out, text, pos, end)
        pos = m.end()
    _add_sentence(out, text, pos, len(text))
    return out


def _add_sentence(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(index=len(out), start=start, end=end))


_PHONE_OR_ID = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}|\d{17}[\dXx]|\d{3,4}-\d{7,8})(?!\d)")
_MAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_MAIL_LOCAL = re.compile(r"[\w.+-]")


def redact(text: str) -> str:
    """Mask phone numbers, e-mail addresses and ID-card numbers, keeping the length.

    >>> redact("联系电话:13660007681")
    '联系电话:＊＊＊＊＊＊＊＊＊＊＊'
    """
    if "@" not in text:
        return _PHONE_OR_ID.sub(_stars, text)
    out, last = [], 0
    for start, end in _private_spans(text):
        out += [text[last:start], "＊" * (end - start)]
        last = end
    return "".join([*out, text[last:]])


def _stars(m: re.Match[str]) -> str:
    return "＊" * len(m.group())


def _private_spans(text: str) -> list[tuple[int, int]]:
    """What ``re.sub`` of (phone or ID number) | ``[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+`` replaces, in linear time.

    The regex would try the address at every position of a long run of word characters (the
    Chinese text is one) and scan the run to its end each time. An address starts wherever the
    run of ``[\\w.+-]`` before an ``@`` with a domain goes on to it: those runs are found once, from
    each ``@``, and merged with the numbers as the regex would take them, left to right, a
    number first where both start.
    """
    mails = []  # (first position an address may start at, its @, its end)
    for m in _MAIL_DOMAIN.finditer(text):
        start = m.start()
        while start > 0 and _MAIL_LOCAL.match(text, start - 1):
            start -= 1
        if start < m.start():
            mails.append((start, m.start(), m.end()))
    spans: list[tuple[int, int]] = []
    pos, k = 0, 0
    number = _PHONE_OR_ID.search(text)
    while True:
        if number is not None and number.start() < pos:
            number = _PHONE_OR_ID.search(text, pos)
        while k < len(mails) and mails[k][1] <= pos:
            k += 1
        mail = max(mails[k][0], pos) if k < len(mails) else None
        if number is not None and (mail is None or number.start() <= mail):
            spans.append(number.span())
            pos = number.end()
        elif mail is not None:
            spans.append((mail, mails[k][2]))
            pos = mails[k][2]
        else:
            return spans


def mask_spans(text: str, spans: list[tuple[int, int]], fill: str = "□") -> str:
    """Replace the given spans with a filler character, keeping every offset.

    >>> mask_spans("ab《cd》e", [(2, 6)])
    'ab□□□□e'
    """
    chars = list(text)
    for start, end in spans:
        chars[start:end] = fill * (end - start)
    return "".join(chars)
