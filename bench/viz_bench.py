"""Benchmark of the HTML view: write time, page size and time until drawn in headless Chromium.

The graph is the shared letters' network (entities, replies, proposals, mention links), copied
and chained until it has enough nodes, then cut to 100, 1,000 and 5,000 nodes by the same
code as ``policykg viz --max-nodes``. Each page is opened in Debian's chromium (through
Playwright) with the network off; "drawn" is the page's own clock (navigation start to the
first frame drawn with the final layout), the median of three loads.

    .venv/bin/python bench/viz_bench.py [--letters ../shared/letters] [--screenshot docs/seed-graph.png]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
from playwright.sync_api import sync_playwright

from policykg.network import to_networkx, to_subgraph
from policykg.pipeline import build_store
from policykg.store import LetterStore
from policykg.viz import write_html

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "letters" / "gz-2022-20222149-gxj.txt"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def network(letters: list[Path]) -> nx.MultiDiGraph[str]:
    store = LetterStore(None)
    build_store(letters, store, jobs=1)
    return to_networkx(store, mentions=True)


def scaled(graph: nx.MultiDiGraph[str], nodes: int) -> nx.MultiDiGraph[str]:
    """Copies of a graph, each linked to the next through its busiest node, cut to ``nodes`` nodes."""
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    hub = max(graph, key=lambda n: (graph.degree(n), n))
    k = 0
    while out.number_of_nodes() < nodes:
        out.update(nx.relabel_nodes(graph, {n: f"{n}#{k}" for n in graph}))
        if k:
            out.add_edge(f"{hub}#{k - 1}", f"{hub}#{k}", key="pol:coHandler", relation="pol:coHandler", evidence=())
        k += 1
    return to_subgraph(out, max_nodes=nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=Path, default=ROOT.parent / "shared" / "letters")
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--screenshot", type=Path, help="Also save the seed letter's page as this PNG.")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium fonts-noto-cjk")
    base = network([args.letters] if args.letters.is_dir() else [SEED])
    print(f"base graph: {base.number_of_nodes()} nodes, {base.number_of_edges()} relations ({args.letters})")
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for size in (int(s) for s in args.sizes.split(",")):
            graph = scaled(base, size)
            path = Path(tmp) / f"view{size}.html"
            started = time.perf_counter()
            write_html(graph, path)
            written = time.perf_counter() - started
            drawn = []
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(path.as_uri())
                page.wait_for_selector("#status[data-state=ready]", state="attached", timeout=120_000)
                drawn.append(float(page.get_attribute("#status", "data-drawn-ms") or "nan") / 1000)
                page.close()
            size_bytes = path.stat().st_size
            rows.append((graph.number_of_nodes(), graph.number_of_edges(), size_bytes, written, statistics.median(drawn)))
        if args.screenshot:
            seed = Path(tmp) / "seed.html"
            write_html(network([SEED]), seed, title="gz-2022-20222149-gxj")
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(seed.as_uri())
            page.wait_for_selector("#status[data-state=ready]", state="attached")
            page.evaluate("""() => { const p = window.policykg, i = p.data.nodes.findIndex((n) => n.label === "广州市财政局");
                                     p.network.selectNodes([i]); p.goTo(i); p.network.fit({animation: false}); }""")
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.screenshot))
            print(f"screenshot: {args.screenshot}")
        browser.close()
    print("| nodes | relations | HTML size | write | drawn in Chromium |")
    print("|---:|---:|---:|---:|---:|")
    for nodes, edges, size, written, drawn_s in rows:
        print(f"| {nodes:,} | {edges:,} | {size / 1e6:.2f} MB | {written:.2f} s | {drawn_s:.2f} s |")


if __name__ == "__main__":
    main()
