"""Hostile and broken input, and what a build does with it: each bad file is named with its
problem on one line, the batch goes on, the exit code says some failed, a summary closes the
run; a killed build leaves the previous dump and store intact; nothing private leaks.

The CLI runs as a user would run it, in a subprocess. Run as root (as in CI), it runs with
the capabilities that let root read any file dropped, so an unreadable file is unreadable.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rich.console import Console

from policykg import cli
from policykg.cli import main
from policykg.extract import Extraction
from policykg.ingest import Letter
from policykg.store import LetterStore
from tests.conftest import SEED

CLI = Path(sys.executable).parent / "policykg"
TEXT = SEED.read_text(encoding="utf-8")
SEED_GRAPH = "https://w3id.org/policykg/id/letter/gz-2022-20222149-gxj"
# Root reads files whatever their permissions; without these capabilities it cannot.
CUT = next(i for i in range(1500, len(TEXT)) if ord(TEXT[i]) > 127)  # a download cut in the middle of this character
AS_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    if AS_USER and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be taken away")
    return subprocess.run([*AS_USER, str(CLI), *args], capture_output=True, text=True, timeout=600, check=False)


def _variant(i: int) -> str:
    """The seed letter as another letter: its own proposal number."""
    return TEXT.replace("20222149", f"{20230000 + i}")


# Each hostile file, and the words its one line must hold (None: it is built, with a warning).
def _hostile(folder: Path) -> dict[str, str | None]:
    rng = random.Random(6)
    news = "\n".join(line for line in TEXT.splitlines() if not re.search("建议|提案|议案|收悉|答复|办理|回复", line))
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.txt": b"  \n\r\n\t ",
        "random-bytes.txt": rng.randbytes(8192),
        "nul-bytes.txt": b"\0" * 4096,
        "photo.txt": b"\x89PNG\r\n\x1a\n" + rng.randbytes(2048),
        "cut-mid-character.txt": TEXT[:CUT].encode("utf-8") + TEXT[CUT].encode("utf-8")[:1],  # a download cut short
        "news-not-a-letter.txt": news.encode("utf-8"),
        "english.txt": b"Dear deputy, thank you for your proposal. " * 50,
        "text-too-long.txt": ("\n".join([TEXT] * 200)).encode("utf-8"),  # 1 million characters, 3 MB
        "old-word.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4096),
        "fake.pdf": b"%PDF-1.7\n" + rng.randbytes(4096),
        "fake.docx": TEXT.encode("utf-8"),
        "unreadable.txt": _variant(1).encode("utf-8"),
        "good-gbk.txt": _variant(2).encode("gbk"),
        "gz-2022-20222149-gxj.txt": TEXT.encode("utf-8"),
        "sub/gz-2022-20222149-gxj.txt": TEXT.encode("utf-8"),  # the same name in another folder
        "locked-folder/letter.txt": _variant(3).encode("utf-8"),
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    with (folder / "fifty-megabytes.txt").open("wb") as fh:  # sparse: costs no disk, and must cost no reading
        fh.truncate(50 * 1024 * 1024)
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / b"\xb4\xf0\xb8\xb4.txt".decode("utf-8", "surrogateescape")).write_bytes(_variant(4).encode("gbk"))  # a GBK name
    (folder / "unreadable.txt").chmod(0)
    (folder / "locked-folder").chmod(0)
    return {
        "empty.txt": "empty file",
        "blank.txt": "empty file (only white space)",
        "random-bytes.txt": "binary file",
        "nul-bytes.txt": "binary file",
        "photo.txt": "image file, not text",
        "cut-mid-character.txt": None,
        "news-not-a-letter.txt": "not a reply letter",
        "english.txt": "no Chinese text",
        "text-too-long.txt": "text too long",
        "old-word.doc": "old binary Word",
        "fake.pdf": "damaged or cut-short PDF",
        "fake.docx": "damaged or cut-short .docx",
        "unreadable.txt": "cannot read file (Permission denied)",
        "locked-folder": "cannot read folder (Permission denied)",
        "fifty-megabytes.txt": "file too large (50.0 MB; a letter file is at most 20 MB)",
        "pipe.txt": "not a regular file",
        "dangling.txt": "cannot read file (No such file or directory)",
        "sub/gz-2022-20222149-gxj.txt": "same letter key as",
    }


def test_hostile_batch_names_each_bad_file_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    expected = _hostile(folder)
    try:
        started = time.perf_counter()
        result = _run("build", str(folder), "--store", str(tmp_path / "store"), "--out", str(tmp_path / "all.nq"), "--jobs", "2")
        seconds = time.perf_counter() - started
    finally:
        (folder / "locked-folder").chmod(0o755)
    assert result.returncode == 2, result.stderr  # some files failed, the others were built
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    failing = {name: words for name, words in expected.items() if words is not None}
    for name, words in failing.items():
        lines = [line for line in errors if f"{folder / name}:" in line]
        assert len(lines) == 1, (name, errors)
        assert words in lines[0], lines[0]
    assert len(errors) == len(failing)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1
    assert "cut-mid-character.txt: the file ends in the middle of a character" in warnings[0]
    built = ["cut-mid-character.txt", "good-gbk.txt", "gz-2022-20222149-gxj.txt", "��.txt"]
    assert f"letters read {len(built)} · failed {len(failing)} · entities " in result.stderr  # the closing summary
    assert re.search(r"triples [\d.]+k · time [\d.]+ s", result.stderr)
    with LetterStore(tmp_path / "store", read_only=True) as store:
        assert len(store.letter_graphs()) == len(built)
        sources = {str(q.object.value) for q in store.quads() if q.predicate.value.endswith("/source")}
    assert sources == set(built)  # the GBK file name is kept, its undecodable bytes shown as U+FFFD
    assert seconds < 60  # the 50 MB file and the pipe cost nothing


def test_hostile_batch_as_json(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    expected = _hostile(folder)
    try:
        result = _run("build", str(folder), "--no-store", "--out", str(tmp_path / "all.ttl"), "--json", "--quiet")
    finally:
        (folder / "locked-folder").chmod(0o755)
    assert result.returncode == 2
    summary = json.loads(result.stdout)
    assert summary["exit_code"] == 2
    assert summary["letters_read"] == 4
    assert summary["failed"] == len([w for w in expected.values() if w is not None])
    assert {Path(f["file"]).name for f in summary["failures"]} >= {"empty.txt", "pipe.txt", "fifty-megabytes.txt"}
    assert summary["encodings"] == {"utf-8": 2, "gb18030": 2}
    assert all(set(f) == {"file", "problem"} for f in summary["failures"])
    assert {"entities", "triples", "seconds", "formats", "letters", "store", "written"} <= set(summary)
    assert not [line for line in result.stderr.splitlines() if not line.startswith("error: ")]  # --quiet: only the failures


def test_nothing_readable_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"\0\1\2" * 100)
    result = _run("build", str(tmp_path), "--no-store", "--out", str(tmp_path / "x.ttl"), "--json")
    assert result.returncode == 1
    assert "no readable letter" in result.stderr
    assert json.loads(result.stdout)["exit_code"] == 1
    assert not (tmp_path / "x.ttl").exists()


def test_exit_codes_are_documented() -> None:
    help_text = CliRunner().invoke(main, ["build", "--help"]).output
    assert "Exit codes: 0 all letters built; 1 nothing could be built; 2 some files" in " ".join(help_text.split())


def test_a_folder_of_thousands_of_files(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    head = "\n".join(TEXT.splitlines()[:2])  # salutation and the opening paragraph: a short letter
    for i in range(1500):
        (folder / f"{i // 500:02d}").mkdir(parents=True, exist_ok=True)
        (folder / f"{i // 500:02d}" / f"letter-{i:05d}.txt").write_text(head.replace("20222149", str(20220000 + i)), "utf-8")
    for i in range(500):
        (folder / f"bad-{i:04d}.txt").write_bytes(b"" if i % 2 else b"\x00\x01" * 64)
    for i in range(300):
        (folder / f"notes-{i:04d}.md").write_text("不是信件", "utf-8")  # not a letter suffix: not read
    started = time.perf_counter()
    result = _run("build", str(folder), "--store", str(tmp_path / "store"), "--json", "--quiet")
    assert result.returncode == 2
    summary = json.loads(result.stdout)
    assert (summary["letters_read"], summary["failed"]) == (1500, 500)
    assert len(result.stderr.splitlines()) == 500
    with LetterStore(tmp_path / "store", read_only=True) as store:
        assert len(store.letter_graphs()) == 1500
    assert time.perf_counter() - started < 120


# --- progress, --quiet, --json -------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The CLI's error console as a terminal, so that it draws a progress bar; what it drew."""
    screen = io.StringIO()
    monkeypatch.setattr(cli, "_err", Console(file=screen, force_terminal=True, width=120, soft_wrap=True))
    return screen


def _letters(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"letter-{i}.txt").write_text(_variant(i), "utf-8")
    return folder


def test_progress_bar_for_a_larger_build(tmp_path: Path, terminal: io.StringIO) -> None:
    folder = _letters(tmp_path / "letters", 8)
    (folder / "bad.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq"), "--jobs", "1"])
    assert result.exit_code == 2
    drawn = terminal.getvalue()
    assert "building" in drawn
    assert "9/9" in drawn  # files done of files found
    assert "1 failed" in drawn
    assert "letters read 8 · failed 1" in drawn


def test_no_progress_bar_for_a_few_letters(tmp_path: Path, terminal: io.StringIO) -> None:
    folder = _letters(tmp_path / "letters", 3)
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq")])
    assert result.exit_code == 0
    assert "building" not in terminal.getvalue()
    assert "letters read 3 · failed 0" in terminal.getvalue()


def test_quiet_build_draws_and_says_nothing(tmp_path: Path, terminal: io.StringIO) -> None:
    folder = _letters(tmp_path / "letters", 8)
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq"), "--quiet"])
    assert result.exit_code == 0
    assert terminal.getvalue() == ""
    assert result.output == ""
    assert (tmp_path / "x.nq").exists()


def test_json_summary_is_the_only_output(tmp_path: Path) -> None:
    folder = _letters(tmp_path / "letters", 2)
    result = CliRunner().invoke(main, ["build", str(folder), "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["letters_read"] == 2
    assert summary["failed"] == 0
    assert summary["store"] == str(tmp_path / "s")
    assert summary["letters"][0]["format"] == "txt"
    assert summary["triples"] == sum(letter["triples"] for letter in summary["letters"])


# --- nothing half-written, idempotent --------------------------------------------------------


def test_killed_build_leaves_the_previous_dump_and_store(tmp_path: Path) -> None:
    out, store = tmp_path / "letters.trig", tmp_path / "store"
    first = _run("build", str(SEED), "--store", str(store), "--out", str(out))
    assert first.returncode == 0, first.stderr
    dump_before = out.read_bytes()
    with LetterStore(store, read_only=True) as s:
        seed_before = {str(q) for q in s.quads(SEED_GRAPH)}
    corpus = _letters(tmp_path / "corpus", 400)  # long enough to be killed half-way
    proc = subprocess.Popen([str(CLI), "build", str(corpus), str(SEED), "--store", str(store), "--out", str(out), "--jobs", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(2.0)
    assert proc.poll() is None, "the build finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert out.read_bytes() == dump_before  # the dump is whole: the old one, not half a new one
    with LetterStore(store) as s:  # the store opens, and the letters it held are as they were
        assert {str(q) for q in s.quads(SEED_GRAPH)} == seed_before
        union = {str(q.triple) for q in s.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        named = {str(q.triple) for g in s.ox.named_graphs() for q in s.ox.quads_for_pattern(None, None, None, g)}
        assert union == named  # the default graph is still the union: no half-applied letter


def test_building_twice_gives_the_same_dump_bytes(tmp_path: Path) -> None:
    folder = _letters(tmp_path / "letters", 3)
    store = tmp_path / "store"
    dumps = []
    for run in range(2):
        out = tmp_path / f"run{run}.trig"
        assert _run("build", str(folder), "--store", str(store), "--out", str(out)).returncode == 0
        export = tmp_path / f"export{run}.nq"
        assert CliRunner().invoke(main, ["export", "--store", str(store), "--out", str(export)]).exit_code == 0
        dumps.append((out.read_bytes(), export.read_bytes()))
    assert dumps[0] == dumps[1]


# --- privacy -------------------------------------------------------------------------------

PRIVATE = ["13660007681", "wuzhi@gzgxj.gov.cn", "440103198001011234", "020-83124511"]


def _private_letter(folder: Path) -> Path:
    """The seed letter (its contact's mobile at the end) with an e-mail address, an ID-card
    number and a landline written into its body."""
    text = TEXT.replace("收悉,", "收悉(经办人邮箱wuzhi@gzgxj.gov.cn,身份证号440103198001011234,电话020-83124511),", 1)
    folder.mkdir()
    path = folder / "gz-2022-20222149-gxj.txt"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nq", ".jsonld"])
def test_private_numbers_never_reach_the_store_or_the_dumps(tmp_path: Path, suffix: str) -> None:
    letter = _private_letter(tmp_path / "letters")
    assert all(p in letter.read_text("utf-8") for p in PRIVATE)
    out = tmp_path / f"all{suffix}"
    result = CliRunner().invoke(main, ["build", str(letter), "--store", str(tmp_path / "s"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    dump = out.read_text("utf-8")
    assert "吴志" in dump  # the contact person's name is kept
    for private in PRIVATE:
        assert private not in dump
    with LetterStore(tmp_path / "s", read_only=True) as s:
        everything = " ".join(str(q) for q in s.ox)
    for private in PRIVATE:
        assert private not in everything


def test_keep_contacts_keeps_only_the_contact_phone(tmp_path: Path) -> None:
    letter = _private_letter(tmp_path / "letters")
    out = tmp_path / "all.nq"
    result = CliRunner().invoke(main, ["build", str(letter), "--no-store", "--out", str(out), "--keep-contacts"])
    assert result.exit_code == 0, result.output
    lines = out.read_text("utf-8").splitlines()
    phones = [line for line in lines if "13660007681" in line]
    assert len(phones) == 1
    assert phones[0].startswith(f"<https://w3id.org/policykg/id/reply/gz-2022-20222149-gxj> <https://schema.org/telephone> "
                                f'"13660007681" <{SEED_GRAPH}>')
    for private in PRIVATE[1:]:  # the rest stays masked
        assert private not in "\n".join(lines)


def test_private_numbers_never_reach_the_html_view(tmp_path: Path) -> None:
    letter = _private_letter(tmp_path / "letters")
    store, page = tmp_path / "s", tmp_path / "view.html"
    assert CliRunner().invoke(main, ["build", str(letter), "--store", str(store)]).exit_code == 0
    result = CliRunner().invoke(main, ["viz", "--store", str(store), "--out", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text("utf-8")
    assert "广州市工业和信息化局" in html  # the page shows the letter's entities ...
    for private in PRIVATE:  # ... and none of the numbers
        assert private not in html


def test_ctrl_c_stops_the_build_cleanly(tmp_path: Path) -> None:
    out, store = tmp_path / "letters.nq", tmp_path / "store"
    assert _run("build", str(SEED), "--store", str(store), "--out", str(out)).returncode == 0
    dump_before = out.read_bytes()
    corpus = _letters(tmp_path / "corpus", 400)
    proc = subprocess.Popen([str(CLI), "build", str(corpus), "--store", str(store), "--out", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 120
    while not children.read_text().split() and time.monotonic() < deadline:  # until its workers are reading letters
        time.sleep(0.1)
    time.sleep(1.0)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C at a terminal reaches the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted: the store keeps the letters finished so far")
    assert "Traceback" not in stderr
    assert out.read_bytes() == dump_before
    with LetterStore(store, read_only=True) as s:
        assert SEED_GRAPH in s.letter_graphs()


def test_unwritable_dump_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    result = _run("build", str(SEED), "--no-store", "--out", str(tmp_path / "file" / "x.ttl"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'file' / 'x.ttl'}: cannot write the dump (File exists)"]


def test_a_bug_one_letter_triggers_does_not_stop_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policykg import pipeline

    real_extract = pipeline.extract

    def extract(letter: Letter) -> Extraction:
        if "20230001" in letter.text:
            raise RuntimeError("boom\nsecond line")
        return real_extract(letter)

    monkeypatch.setattr(pipeline, "extract", extract)
    folder = _letters(tmp_path / "letters", 3)
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq"), "--jobs", "1"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {folder / 'letter-1.txt'}: internal error while reading it (RuntimeError: boom second line); "
                      "please report it"]
    assert "letters read 2 · failed 1" in result.output
