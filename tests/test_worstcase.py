"""Hostile letters cannot hold a build up: each of the worst cases of bench/worstcase.py (200,000
characters of place names, suffixes, 会同, enumerations, digits, 《》, quotes, one long line)
builds or fails with one line, within a bound; a letter whose reading runs over the time
limit, even inside one regular-expression match, fails with ``extraction took longer than N s``
and the rest of the batch is built.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from policykg import pipeline
from policykg.cli import main
from policykg.extract import Extraction
from policykg.ingest import Letter
from tests.conftest import ROOT, SEED

CLI = Path(sys.executable).parent / "policykg"
TEXT = SEED.read_text(encoding="utf-8")
# The issue asks for 30 s on this machine; a loaded CI machine gets three times that.
BOUND = 90.0


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("worstcase", ROOT / "bench" / "worstcase.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


worstcase = _bench()


@pytest.mark.parametrize("name", list(worstcase.CASES))
def test_worst_case_builds_or_fails_with_one_line(name: str, tmp_path: Path) -> None:
    (path,) = worstcase.write_worst_cases(tmp_path, 200_000, [name])
    assert len(path.read_text("utf-8")) == 200_000
    started = time.monotonic()
    run = subprocess.run([str(CLI), "build", str(path), "--no-store", "--out", str(tmp_path / "x.ttl")],
                         capture_output=True, text=True, timeout=BOUND * 2, check=False)
    seconds = time.monotonic() - started
    assert "Traceback" not in run.stderr
    mine = [line for line in run.stderr.splitlines() if line.startswith(f"error: {path}:")]
    if run.returncode == 0:
        assert mine == [], run.stderr
        assert (tmp_path / "x.ttl").stat().st_size > 0
    else:
        assert run.returncode == 1, run.stderr
        assert len(mine) == 1, run.stderr
        assert run.stderr.strip().splitlines()[-1] == f"error: no readable letter in {path} (1 failed)"
    assert seconds < BOUND, f"{name}: {seconds:.1f} s"


def _letters(folder: Path, n: int) -> list[Path]:
    """n copies of the seed letter, each with its own proposal number (letter-0 … letter-(n-1))."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"letter-{i}.txt"
        path.write_text(TEXT.replace("20222149", f"{20230000 + i}"), encoding="utf-8")
        out.append(path)
    return out


def _stuck(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a letter with ``marker`` in it never ends: one regular-expression match that backtracks
    for hours, which no signal interrupts (a worker inherits the patch: it is forked)."""
    real_extract = pipeline.extract

    def extract(letter: Letter) -> Extraction:
        if marker in letter.text:
            re.match(r"(a+)+$", "a" * 64 + "b")
        return real_extract(letter)

    monkeypatch.setattr(pipeline, "extract", extract)


@pytest.mark.parametrize(("files", "jobs"), [(3, 1), (10, 2)], ids=["few-files-one-job", "pool"])
def test_a_letter_over_the_time_limit_fails_and_the_rest_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int, jobs: int
) -> None:
    folder = tmp_path / "letters"
    _letters(folder, files)
    _stuck("20230001", monkeypatch)
    out = tmp_path / "x.nq"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(out), "--jobs", str(jobs),
                                       "--time-limit", "3"])
    assert time.monotonic() - started < BOUND
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {folder / 'letter-1.txt'}: extraction took longer than 3 s"]
    assert f"letters read {files - 1} · failed 1" in result.output
    dump = out.read_text("utf-8")
    for i in range(files):
        assert (f"/letter/letter-{i}>" in dump) == (i != 1)


def test_a_tiny_time_limit_fails_a_normal_letter_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "x.ttl"
    run = subprocess.run([str(CLI), "build", str(SEED), "--no-store", "--out", str(out), "--time-limit", "0.01"],
                         capture_output=True, text=True, timeout=BOUND, check=False)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [f"error: {SEED}: extraction took longer than 0.01 s",
                                               f"error: no readable letter in {SEED} (1 failed)"]
    run = subprocess.run([str(CLI), "build", str(SEED), "--no-store", "--out", str(out), "--time-limit", "0"],
                         capture_output=True, text=True, timeout=BOUND, check=False)
    assert run.returncode == 0, run.stderr  # 0: no limit


def test_a_worker_that_dies_fails_its_letter_and_the_rest_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_extract = pipeline.extract

    def extract(letter: Letter) -> Extraction:
        if "20230002" in letter.text:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
        return real_extract(letter)

    monkeypatch.setattr(pipeline, "extract", extract)
    folder = tmp_path / "letters"
    _letters(folder, 4)
    result = CliRunner().invoke(main, ["build", str(folder), "--no-store", "--out", str(tmp_path / "x.nq"), "--jobs", "1"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {folder / 'letter-2.txt'}: the worker reading it stopped (killed by signal 9)"]
    assert "letters read 3 · failed 1" in result.output


def test_library_builds_keep_the_order_of_the_files(tmp_path: Path) -> None:
    paths = _letters(tmp_path / "letters", 12)
    report = pipeline.build_graph(list(reversed(paths)))
    assert report.letters == [p.name for p in reversed(paths)]
    assert pipeline.build_graph(paths, time_limit=None).letters == [p.name for p in paths]  # in this process
