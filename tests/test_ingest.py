from __future__ import annotations

from pathlib import Path

import pytest

from policykg.errors import IngestError
from policykg.ingest import find_letters, read_letter
from tests.conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16"),
     ("utf-16-le", "utf-16-le")],
)
def test_letter_text_survives_its_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes(TEXT.encode(encoding))
    letter = read_letter(path)
    assert letter.text == TEXT
    assert letter.encoding == expected
    assert letter.source == "letter.txt"


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty file"), (b"\x00\x01\x02\x03" * 100, "binary"), (b"hello world", "no Chinese text")],
)
def test_bad_files_are_named_with_their_problem(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=problem) as info:
        read_letter(path)
    assert str(path) in str(info.value)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        list(find_letters([tmp_path / "nope"]))


def test_folders_are_walked_in_name_order(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "sub/c.txt", "notes.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("答复", encoding="utf-8")
    assert [p.name for p in find_letters([tmp_path])] == ["a.txt", "b.txt", "c.txt"]
