"""The command line, end to end, and the extraction scores on annotated letters."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from policykg.cli import main
from tests.conftest import ROOT, SEED, SHARED


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own folder, so the default store (.policykg/store) is its own."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nq", ".jsonld"])
def test_build_writes_each_format(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"seed{suffix}"
    result = CliRunner().invoke(main, ["build", str(SEED), "--out", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == ".ttl":
        assert len(Graph().parse(out)) > 1000
    else:
        ds = Dataset()
        ds.parse(out, format={".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}[suffix])
        assert len(list(ds.graphs())) >= 2  # default graph + the letter's graph


def test_missing_path_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.ttl").exists()


def test_folder_without_letters(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path), "--out", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1
    assert "empty file" in result.output
    assert "no readable letter" in result.output


def test_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02" * 300)
    out = tmp_path / "x.ttl"
    result = CliRunner().invoke(main, ["build", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 2
    assert "b.txt" in result.output
    assert out.exists()


def test_unknown_output_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(SEED), "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "unknown output format" in result.output


def test_stats_counts_classes(tmp_path: Path) -> None:
    out = tmp_path / "seed.ttl"
    CliRunner().invoke(main, ["build", str(SEED), "--out", str(out)])
    result = CliRunner().invoke(main, ["stats", str(out)])
    assert result.exit_code == 0
    assert re.search(r"pol:Firm\s*│\s*\d+", result.output)
    assert "广州市工业和信息化局" in result.output


@pytest.mark.parametrize("command", ["build", "stats"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3


def test_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^make (\w+)$", readme, flags=re.M):
        assert re.search(rf"^{target}:", make, flags=re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _score(gold: Path, tmp_path: Path) -> dict[str, float]:
    scorer = SHARED / "eval" / "score.py"
    if not scorer.exists():
        pytest.skip(f"scorer not present at {scorer}")
    out = tmp_path / "score.json"
    cli = Path(sys.executable).parent / "policykg"
    subprocess.run(
        [sys.executable, str(scorer), str(gold), str(SHARED / "letters"), "--cli", str(cli),
         "--ontology", str(ROOT / "ontology"), "--json", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )
    return dict(json.loads(out.read_text()))


def test_seed_letter_scores(tmp_path: Path) -> None:
    scores = _score(SHARED / "gold" / "seed.gold.json", tmp_path)
    assert scores["entity_f1"] >= 0.95
    assert scores["metadata_acc"] == 1.0
    assert scores["co_handler_f1"] == 1.0


def test_hand_annotated_letters_score(tmp_path: Path) -> None:
    merged: dict[str, object] = {}
    for path in sorted((ROOT / "tests" / "gold").glob("*.gold.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    gold = tmp_path / "merged.gold.json"
    gold.write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
    scores = _score(gold, tmp_path)
    # the floors of tools/eval_floors.tsv for tests/gold (nine letters since 2026-12-02)
    assert scores["entity_f1"] >= 0.82
    assert scores["metadata_acc"] >= 0.95
    assert scores["co_handler_f1"] >= 0.98
