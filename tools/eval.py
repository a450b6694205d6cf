"""Score extraction on every annotated letter set with the two shared scorers, and check the floors.

    python tools/eval.py [--shared ../shared] [--cli .venv/bin/policykg] [--floors tools/eval_floors.tsv] [-v]

Sets: the seed letter, ../shared/letters2, ../shared/letters3 (gold in ../shared/gold/), and the
letters of ../shared/letters annotated in tests/gold/ (relations only from the files that have a
"relations" list). Prints each scorer's per-type table and a summary; exits 1 when a score falls
below its floor in the floors table, 0 otherwise. Without ../shared it says so and exits 0.
Each scorer runs in a temporary folder, so no store is left in the working tree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sets(shared: Path, work: Path) -> list[tuple[str, Path, Path, Path | None]]:
    """(name, entity gold, letters, relation gold or None) for every annotated set."""
    merged: dict[str, object] = {}
    with_relations: dict[str, object] = {}
    for path in sorted((ROOT / "tests" / "gold").glob("*.gold.json")):
        for name, ann in json.loads(path.read_text(encoding="utf-8")).items():
            merged[name] = ann
            if "relations" in ann:
                with_relations[name] = ann
    own, own_rel = work / "own.gold.json", work / "own-relations.gold.json"
    own.write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
    own_rel.write_text(json.dumps(with_relations, ensure_ascii=False), encoding="utf-8")
    gold = shared / "gold"
    return [
        ("seed", gold / "seed.gold.json", shared / "letters", gold / "seed.gold.json"),
        ("letters2", gold / "letters2.gold.json", shared / "letters2", gold / "letters2.gold.json"),
        ("letters3", gold / "letters3.gold.json", shared / "letters3", gold / "letters3.gold.json"),
        ("tests/gold", own, shared / "letters", own_rel if with_relations else None),
    ]


def _score(scorer: Path, gold: Path, letters: Path, cli: Path, out: Path, verbose: bool) -> tuple[dict, str]:
    cmd = [sys.executable, str(scorer), str(gold), str(letters), "--cli", str(cli),
           "--ontology", str(ROOT / "ontology"), "--json", str(out)] + (["-v"] if verbose else [])
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"eval: {scorer.name} failed on {letters}: {proc.stderr.strip()[-500:]}")
    return json.loads(out.read_text()), proc.stdout


def _floors(path: Path) -> dict[tuple[str, str], float]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return {(r[0], r[1]): float(r[2]) for r in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--cli", type=Path, default=ROOT / ".venv" / "bin" / "policykg")
    ap.add_argument("--floors", type=Path, default=ROOT / "tools" / "eval_floors.tsv")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the scorers' lists of misses")
    a = ap.parse_args()
    if not (a.shared / "eval" / "score.py").exists():
        print(f"eval: skipped: no scorers at {a.shared / 'eval'} (the shared letters are absent)")
        return 0
    scorers = a.shared / "eval"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jobs = []
        for name, gold, letters, rel_gold in _sets(a.shared, work):
            slug = name.replace("/", "_")
            jobs.append((name, "entities", scorers / "score.py", gold, letters, work / f"{slug}.ent.json"))
            if rel_gold is not None:
                jobs.append((name, "relations", scorers / "score_relations.py", rel_gold, letters,
                             work / f"{slug}.rel.json"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda j: _score(j[2], j[3], j[4], a.cli.resolve(), j[5], a.verbose), jobs))
    scores: dict[tuple[str, str], float] = {}
    for (name, kind, *_), (numbers, table) in zip(jobs, results, strict=True):
        print(f"== {name}: {kind}\n{table}")
        for key, value in numbers.items():
            if isinstance(value, float):
                scores[(name, key)] = value
    print("| set | entity F1 | metadata | co-handler F1 | relation F1 (P / R) |\n|---|---|---|---|---|")
    for name in dict.fromkeys(n for n, _ in scores):
        got = {k: v for (n, k), v in scores.items() if n == name}
        rel = (f"{got['relation_f1']:.3f} ({got['relation_p']:.3f} / {got['relation_r']:.3f})"
               if "relation_f1" in got else "-")
        print(f"| {name} | {got['entity_f1']:.3f} | {got['metadata_acc']:.3f} | {got['co_handler_f1']:.3f} | {rel} |")
    floors = _floors(a.floors)
    below = [f"{n} {k} {scores.get((n, k), 0.0):.3f} < floor {f:.3f}" for (n, k), f in floors.items()
             if scores.get((n, k), 0.0) < f]
    for line in below:
        print("below floor:", line)
    print("eval: " + ("FAILED" if below else "all scores at or above their floors"))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
