"""Benchmark: build a scaled corpus into the store, compare with Oxigraph's bulk loader, and time
the query library on the store against rdflib's in-memory graph, in the same run.

    .venv/bin/python bench/bench.py --letters 2000 --rdflib-repeats 3

The corpus is ../shared/letters (or data/letters) replicated with distinct file names and
proposal numbers, so every copy is a letter of its own. Prints a Markdown table for
bench/README.md. Needs the `oxigraph` command (dev extra) for the bulk-loader comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Dataset

from policykg.ingest import read_letter
from policykg.metadata import read_metadata
from policykg.pipeline import build_store
from policykg.sparql import bind_values, library, parse_param
from policykg.store import LetterStore

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "letters", ROOT / "data" / "letters"]

# A parameter value for each parameterised library query (values that occur in the corpus).
PARAMS = {
    "regulation": "保障中小企业款项支付条例",
    "entity": "广州市工业和信息化局",
    "from": "中国南方电网有限责任公司",
    "to": "众源科技",
}
# Extra runs with other values: the worst case of the connection search, two hub agencies.
EXTRA = {"connections_between_entities": [("two hub agencies", {"from": "广州市工业和信息化局", "to": "广州市财政局"})]}


def make_corpus(n: int, folder: Path) -> tuple[int, int]:
    """Write n letters (copies of the source letters, each with its own number); return (files, bytes)."""
    sources = next((sorted(p.glob("*.txt")) for p in SOURCES if p.is_dir() and any(p.glob("*.txt"))), [])
    if not sources:
        sys.exit("no source letters found in " + ", ".join(map(str, SOURCES)))
    texts = []
    for path in sources:
        letter = read_letter(path)
        md = read_metadata(letter.text)
        texts.append((path.stem, letter.text, md.proposal_number.value if md.proposal_number else None))
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for i in range(n):
        source = i % len(texts)
        stem, text, number = texts[source]
        copy = i // len(texts)
        if number and copy:
            # a year-led number (20222149) keeps its year and form, so the copy's year is read
            # as the original's: 2022 + a serial of its own
            year_led = re.fullmatch(r"(?:19|20)\d{5,6}", number)
            text = text.replace(number, f"{number[:4]}{source * 500 + copy:04d}" if year_led else f"{number}{copy:05d}")
        data = text.encode("utf-8")
        (folder / f"{stem}-{copy:05d}.txt").write_bytes(data)
        size += len(data)
    return n, size


def sample_values(store: LetterStore, wanted: list[str], k: int) -> list[dict[str, str]]:
    """k parameter sets drawn at random (seed 1) from the store's Chinese names.

    ?regulation draws regulation titles; ?from and ?to draw two entities named in one letter
    (a letter drawn at random); every other name parameter draws any entity named in a letter,
    so hubs come up as often as they occur among the entities.
    """
    def names(kind: str) -> list[str]:
        res = store.query(
            "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT DISTINCT ?label WHERE {{ ?e pol:mentionedIn ?r ; a {kind} ; rdfs:label ?label . "
            "FILTER (LANG(?label) = \"zh\") } ORDER BY ?label")
        return [row["label"].value for row in res.rows]

    pools = {"regulation": names("pol:Regulation")}
    anything = names("?kind")
    rng = random.Random(1)
    if "from" in wanted and "to" in wanted:  # two entities named in one letter: most are connected
        named = store.query(
            "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?reply ?label WHERE { ?e pol:mentionedIn ?reply ; rdfs:label ?label . "
            "FILTER (LANG(?label) = \"zh\") } ORDER BY ?reply ?label")
        by_letter: dict[str, list[str]] = {}
        for row in named.rows:
            by_letter.setdefault(row["reply"].value, []).append(row["label"].value)
        letters = [names for _, names in sorted(by_letter.items()) if len(names) >= 2]
        return [dict(zip(("from", "to"), rng.sample(rng.choice(letters), 2), strict=True)) for _ in range(k)]
    return [{n: rng.choice(pools.get(n, anything)) for n in wanted if n != "predicate"} for _ in range(k)]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def timed_out(fn, limit: float) -> float:  # type: ignore[no-untyped-def]
    """Time fn, raising TimeoutError after ``limit`` seconds (rdflib is pure Python, so SIGALRM stops it)."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return timed(fn)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--letters", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=20, help="runs of each query on the store")
    ap.add_argument("--rdflib-repeats", type=int, default=3, help="runs of each query on rdflib (0 to skip rdflib)")
    ap.add_argument("--rdflib-timeout", type=float, default=120, help="give up an rdflib query after this many seconds")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--samples", type=int, default=20,
                    help="parameter values drawn from the store for each parameterised query (0: none)")
    ap.add_argument("--sample-repeats", type=int, default=3, help="runs of each query per drawn value")
    ap.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed at the end)")
    ap.add_argument("--queries-only", action="store_true",
                    help="time the queries on the store an earlier run left in --work (no build, no rdflib)")
    a = ap.parse_args()
    work = a.work or Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    corpus, store_dir, dump = work / "corpus", work / "store", work / "letters.nq"
    if a.queries_only:
        if a.work is None or not store_dir.is_dir():
            sys.exit("--queries-only needs --work with the store of an earlier run")
        time_queries(a, store_dir, dump, [])
        return
    for p in (corpus, store_dir, work / "oxload"):
        shutil.rmtree(p, ignore_errors=True)
    try:
        files, size = make_corpus(a.letters, corpus)
        with LetterStore(store_dir) as store:
            t0 = time.perf_counter()
            report = build_store([corpus], store, jobs=a.jobs)
            build_s = time.perf_counter() - t0
            quads = report.triples
            with dump.open("wb") as fh:  # the letters' graphs as N-Quads, for the bulk loader
                store.ox.dump(fh, format=__import__("pyoxigraph").RdfFormat.N_QUADS)
        store_bytes = du(store_dir)
        rows = [
            ("letters", f"{files:,}"),
            ("input", f"{size / 1e6:.1f} MB"),
            ("quads in store", f"{quads:,}"),
            ("build (read, extract, resolve, store)",
             f"{build_s:.1f} s = {files / build_s:,.0f} letters/s, {size / 1e6 / build_s:.2f} MB/s"),
            ("store size on disk", f"{store_bytes / 1e6:.0f} MB"),
        ]
        oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        if Path(oxigraph).exists():
            load_s = timed(lambda: subprocess.run([oxigraph, "load", "--location", str(work / "oxload"), "--file", str(dump)],
                                                   check=True, capture_output=True))
            rows.append(("`oxigraph load` of the same N-Quads", f"{load_s:.1f} s"))
            rows.append(("ratio bulk-load time / build time (target ≥ 0.5)", f"{load_s / build_s:.2f}"))
        time_queries(a, store_dir, dump, rows)
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)


def time_queries(a: argparse.Namespace, store_dir: Path, dump: Path, rows: list[tuple[str, str]]) -> None:
    """Time the library on the store (and on rdflib, unless --queries-only) and print the tables."""
    queries = []
    store = LetterStore(store_dir, read_only=True)
    for q in library():
        text = q.path.read_text(encoding="utf-8")
        wanted = [] if q.parameters.startswith("none") else re.findall(r"\?(\w+)", q.parameters)
        for label, values in [("", PARAMS), *EXTRA.get(q.name, [])]:
            params = [parse_param(f"{n}={values[n]}") for n in wanted if n in values]
            name = f"{q.name} ({label})" if label else q.name
            queries.append((name, [bind_values(text, params) if params else text]))
        if wanted and a.samples:
            drawn = sample_values(store, wanted, a.samples)
            texts = [bind_values(text, [parse_param(f"{n}={v}") for n, v in values.items()]) for values in drawn]
            queries.append((f"{q.name} ({len(texts)} values drawn at random)", texts))
    results = {}
    with store:
        for name, texts in queries:
            repeats = a.repeats if len(texts) == 1 else a.sample_repeats
            times = [timed(lambda t=text: store.query(t)) for text in texts for _ in range(repeats)]
            found = statistics.median(len(store.query(text).rows) for text in texts)
            results[name] = (pct(times, 0.5), pct(times, 0.95), found)
    rdf: dict[str, float] = {}
    if a.rdflib_repeats and not a.queries_only:
        ds = Dataset(default_union=True)
        load_rdflib = timed(lambda: ds.parse(dump, format="nquads"))
        rows.append(("rdflib: load the same N-Quads into memory", f"{load_rdflib:.1f} s"))
        for name, texts in queries:
            if len(texts) > 1:
                continue  # drawn values: the store only
            text = texts[0]
            try:
                times = [timed_out(lambda t=text: list(ds.query(t)), a.rdflib_timeout) for _ in range(a.rdflib_repeats)]
                rdf[name] = statistics.median(times)
            except TimeoutError:
                rdf[name] = -a.rdflib_timeout  # negative: did not finish within the limit
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}\n")
    print("parameters: " + ", ".join(f"?{k} = {v}" for k, v in PARAMS.items()) + "\n")
    if rows:
        print("| measure | value |\n|---|---|")
        for k, v in rows:
            print(f"| {k} | {v} |")
    print("\n| query | rows | store p50 (ms) | store p95 (ms) | rdflib median (ms) | speed-up |\n|---|---|---|---|---|---|")
    ups = []
    for name, (p50, p95, n) in results.items():
        r = rdf.get(name)
        if r is None:
            print(f"| {name} | {n:g} | {p50 * 1000:.1f} | {p95 * 1000:.1f} | – | – |")
            continue
        up = abs(r) / p50
        ups.append(up)
        more = "> " if r < 0 else ""
        print(f"| {name} | {n:g} | {p50 * 1000:.1f} | {p95 * 1000:.1f} | {more}{abs(r) * 1000:,.0f} | {more}{up:,.0f}× |")
    if ups:
        print(f"\nmedian speed-up over rdflib: {statistics.median(ups):.0f}× (target ≥ 20×)")
    print(f"worst store p50: {max(v[0] for v in results.values()) * 1000:.0f} ms (target ≤ 100 ms)")


if __name__ == "__main__":
    main()
