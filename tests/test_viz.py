"""The HTML view: self-contained, UTF-8, injection-proof; and in a real headless Chromium, offline.

The browser tests drive Debian's ``chromium`` through Playwright (its own browser download is
not used). Where chromium is not installed they are skipped, except under ``CI=true``, where
that is a failure.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from bench.viz_bench import scaled  # the benchmark's own scaling, so the test draws what it measures
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, sync_playwright

from policykg.cli import main
from policykg.layout import to_layout
from policykg.network import to_networkx
from policykg.pipeline import build_store
from policykg.store import LetterStore
from policykg.viz import serialize_html, to_notebook, to_view_data, write_html
from tests.conftest import SEED

IMG = "《关于<img src=x onerror=alert(1)>的实施意见》"
SCRIPT = "《</script><script>alert(2)</script>管理办法》"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _letter_with_markup(folder: Path) -> Path:
    """The seed letter with two regulations whose titles are markup."""
    text = SEED.read_text(encoding="utf-8").replace(
        "制定《广州市民营领军企业培育管理办法》,", f"制定《广州市民营领军企业培育管理办法》,市财政局、市气象局联合印发{IMG}和{SCRIPT},", 1)
    path = folder / "gz-2022-20222149-markup.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _graph(paths: list[Path], **options: bool) -> nx.MultiDiGraph[str]:
    store = LetterStore(None)
    build_store(paths, store, jobs=1)
    graph = to_networkx(store, **options)
    store.close()
    return graph


@pytest.fixture(scope="module")
def seed_net() -> nx.MultiDiGraph[str]:
    return _graph([SEED], mentions=True)


@pytest.fixture(scope="module")
def markup_net(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph[str]:
    return _graph([_letter_with_markup(tmp_path_factory.mktemp("markup"))], mentions=True)


@dataclass
class Tags(HTMLParser):
    """Every start tag of a page with its attributes (script and style bodies are text, as in a browser)."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def test_markup_from_a_letter_never_appears_raw(markup_net: nx.MultiDiGraph[str]) -> None:
    names = {x for _, d in markup_net.nodes(data=True) for x in (d["label"], *d["alt_labels"])}
    assert IMG[1:-1] in names  # the payload is in the graph as a name ...
    assert any(SCRIPT[1:-1] in e.text for _, d in markup_net.nodes(data=True) for e in d["evidence"])  # ... and as evidence
    page = serialize_html(markup_net)
    assert "<img" not in page
    assert "alert(1)>" not in page
    assert "</script><script>alert(2)" not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # escaped inside the JSON
    tags = [t for t, _ in _tags(page)]
    assert tags.count("script") == 3
    assert {"img", "iframe", "object", "embed", "svg"} & set(tags) == set()


def test_page_is_self_contained(seed_net: nx.MultiDiGraph[str]) -> None:
    page = serialize_html(seed_net)
    tags = _tags(page)
    assert all("src" not in attrs for tag, attrs in tags if tag == "script")
    assert [(tag, attrs.get("href")) for tag, attrs in tags if tag in ("link", "a", "base")] == [("link", "data:,")]
    (policy,) = [attrs["content"] for tag, attrs in tags if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy is not None
    assert "default-src 'none'" in policy
    assert "connect-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]  # scripts only by hash
    assert "vis-network" in page  # the library itself is inside
    assert "sourceMappingURL" not in page
    assert "@import" not in page


def test_written_as_utf8_and_the_same_every_time(seed_net: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    out = tmp_path / "seed.html"
    write_html(seed_net, out, title="种子")
    data = out.read_bytes()
    assert data.startswith(b"<!DOCTYPE html>")
    assert b'<meta charset="utf-8">' in data
    assert "广州市财政局".encode() in data
    assert "<title>种子</title>".encode() in data
    assert data.decode("utf-8") == serialize_html(seed_net, title="种子")


def test_title_is_escaped(seed_net: nx.MultiDiGraph[str]) -> None:
    page = serialize_html(seed_net, title="<b>x</b>")
    assert "<title>&lt;b&gt;x&lt;/b&gt;</title>" in page
    assert "<b>x" not in page


def test_layout_is_stable_and_keeps_nodes_apart(seed_net: nx.MultiDiGraph[str]) -> None:
    pos = to_layout(seed_net)
    assert pos == to_layout(seed_net)
    assert set(pos) == set(seed_net)
    points = sorted(pos.values())
    gaps = [((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for i, a in enumerate(points) for b in points[i + 1 :]]
    assert min(gaps) > 10  # pixels


_LAYOUT_DIGEST = """
import hashlib
from tests.test_viz import _graph
from tests.conftest import SEED
from policykg.layout import to_layout
print(hashlib.sha1(repr(sorted(to_layout(_graph([SEED], mentions=True)).items())).encode()).hexdigest())
"""


def test_layout_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # string hashing differs between Python processes; set order once made the layout differ
    root = Path(__file__).resolve().parents[1]
    digests = {
        subprocess.run([sys.executable, "-c", _LAYOUT_DIGEST], cwd=root, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


def test_one_drawn_link_per_pair_lists_every_relation(seed_net: nx.MultiDiGraph[str]) -> None:
    data = to_view_data(seed_net)
    nodes = data["nodes"]
    assert isinstance(nodes, list)
    index = {n["label"]: i for i, n in enumerate(nodes)}
    edges = data["edges"]
    assert isinstance(edges, list)
    (edge,) = [e for e in edges if (e["from"], e["to"]) == (index["百济神州"], index["生物医药产业集群"])]
    assert edge["rel"] == ["pol:anchorOf", "pol:memberOf"]
    sentences = data["sentences"]
    assert isinstance(sentences, list)
    assert all("百济神州" in sentences[s][1] for ev in edge["ev"] for s in ev)


def test_colours_by_community(seed_net: nx.MultiDiGraph[str]) -> None:
    data = to_view_data(seed_net, color="community")
    groups = data["groups"]
    assert isinstance(groups, list)
    assert len(groups) > 1
    assert sum(count for _, _, count in groups) == seed_net.number_of_nodes()


def test_notebook_shows_the_page_in_an_iframe(seed_net: nx.MultiDiGraph[str]) -> None:
    view = to_notebook(seed_net, height=500)
    shown = view._repr_html_()
    assert shown.startswith('<iframe srcdoc="')
    srcdoc = shown[len('<iframe srcdoc="') : shown.index('" style=')]
    assert "<" not in srcdoc
    assert '"' not in srcdoc
    assert html.unescape(srcdoc) == view.page == serialize_html(seed_net)
    assert "height:500px" in shown


# --- command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("viz")
    path = folder / "store"
    with LetterStore(path) as store:
        build_store([SEED, _letter_with_markup(folder)], store, jobs=1)
    return path


def test_cli_viz(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    result = CliRunner().invoke(main, ["viz", "--store", str(store_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "written to" in result.output
    assert "<img" not in out.read_text(encoding="utf-8")


def test_cli_viz_focus_types_letter_and_max_nodes(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus.html"
    args = ["viz", "--store", str(store_dir), "--out", str(out), "--letter", SEED.stem, "--focus", "市财政局", "--hops", "2",
            "--types", "Agency,Regulation", "--color", "community"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<title>policykg · 广州市财政局 · gz-2022-20222149-gxj</title>" in page
    assert "广州市气象局" in page  # two hops through the regulation both issued
    assert "中华人民共和国工业和信息化部" not in page  # an agency with no link to it
    result = CliRunner().invoke(main, ["viz", "--store", str(store_dir), "--out", str(out), "--max-nodes", "10"])
    assert result.exit_code == 0, result.output
    assert "more nodes left out by --max-nodes" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--focus", "火星局"], "no entity named '火星局'"),
    (["--types", "Agencies"], "unknown class 'Agencies'"),
    (["--letter", "nope"], "no letter graph 'nope'"),
])
def test_cli_viz_errors(store_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(main, ["viz", "--store", str(store_dir), "--out", str(out), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


def test_cli_viz_reads_a_dump(tmp_path: Path) -> None:
    dump = tmp_path / "seed.trig"
    assert CliRunner().invoke(main, ["build", str(SEED), "--no-store", "--out", str(dump)]).exit_code == 0
    out = tmp_path / "seed.html"
    result = CliRunner().invoke(main, ["viz", str(dump), "--out", str(out), "--no-mentions"])
    assert result.exit_code == 0, result.output
    assert "广州市财政局" in out.read_text(encoding="utf-8")


# --- a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        reason = "Debian's chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the browser tests must run")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Page
    requests: list[str]
    errors: list[str]
    dialogs: list[str]

    def drawn_ms(self) -> float:
        return float(self.page.get_attribute("#status", "data-drawn-ms") or "nan")

    def painted(self, frame: str = "#graph canvas") -> int:
        """How many pixels of the graph's canvas are neither blank nor white."""
        return int(self.page.locator(frame).evaluate("""(canvas) => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240)) n++;
            return n; }"""))


def _open(browser: Browser, path: Path) -> Iterator[Opened]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    opened = Opened(page, [], [], [])
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("console", lambda m: opened.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("#status[data-state=ready]", state="attached", timeout=30_000)
    yield opened
    page.close()


@pytest.fixture
def seed_page(browser: Browser, seed_net: nx.MultiDiGraph[str], tmp_path: Path) -> Iterator[Opened]:
    path = tmp_path / "seed.html"
    write_html(seed_net, path, title="gz-2022-20222149-gxj")
    yield from _open(browser, path)


def test_offline_no_errors_and_drawn(seed_page: Opened, seed_net: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    page = seed_page.page
    assert [u for u in seed_page.requests if not u.startswith(("file:", "data:"))] == []
    assert seed_page.errors == []
    assert seed_page.painted() > 5_000
    assert page.inner_text("#title") == "gz-2022-20222149-gxj"
    assert f"{seed_net.number_of_nodes()} nodes" in page.inner_text("#status")  # every node of the network is drawn
    legend = page.inner_text("#legend")
    assert "Agency (13)" in legend
    assert "Regulation (7)" in legend
    assert page.screenshot(path=str(tmp_path / "seed.png"))


def test_click_highlights_neighbours_and_shows_evidence(seed_page: Opened) -> None:
    page = seed_page.page
    point = page.evaluate("""() => {
        const p = window.policykg, i = p.data.nodes.findIndex((n) => n.label === "2021-2023年广州市政策性农业保险实施方案");
        p.network.moveTo({position: p.network.getPosition(i), scale: 1.5, animation: false});
        const at = p.network.canvasToDOM(p.network.getPosition(i));
        return {x: at.x, y: at.y, index: i}; }""")
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    panel = page.locator("#panel")
    assert panel.locator("h2").inner_text() == "2021-2023年广州市政策性农业保险实施方案"
    text = panel.inner_text()
    assert "Regulation" in text
    assert "gz-2022-20222149-gxj.txt" in text
    assert "→ pol:issuedBy 广州市财政局" in text
    assert "联合印发" in text
    bright = page.evaluate("""() => window.policykg.nodes.get().filter((n) => !String(n.color).startsWith("rgba(190")).length""")
    assert bright == 6  # the regulation, four issuing agencies and the reply that mentions it
    panel.get_by_role("button", name="广州市财政局").click()
    assert panel.locator("h2").inner_text() == "广州市财政局"
    assert "Guangzhou Municipal Bureau of Finance" in panel.inner_text()
    assert seed_page.errors == []


def test_search_by_any_name(seed_page: Opened) -> None:
    page = seed_page.page
    page.fill("#search", "guangzhou municipal bureau of meteorology")
    page.press("#search", "Enter")
    assert page.inner_text("#found") == "1 found"
    assert page.locator("#panel h2").inner_text() == "广州市气象局"
    assert "市气象局" in page.inner_text("#panel")


def test_injected_markup_stays_text(browser: Browser, markup_net: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    path = tmp_path / "markup.html"
    write_html(markup_net, path, title=SCRIPT)
    for opened in _open(browser, path):
        page = opened.page
        for query, shown in (("onerror", IMG[1:-1]), ("alert(2)", SCRIPT[1:-1])):
            page.fill("#search", query)
            page.press("#search", "Enter")
            assert shown in page.inner_text("#panel")
        page.mouse.move(10, 10)
        assert page.title() == SCRIPT
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.evaluate("document.scripts.length") == 3
        assert opened.dialogs == []
        assert opened.errors == []


def test_a_thousand_nodes_drawn_within_3_seconds(browser: Browser, seed_net: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    graph = scaled(seed_net, 1000)
    path = tmp_path / "thousand.html"
    write_html(graph, path)
    for opened in _open(browser, path):
        assert "1000 nodes" in opened.page.inner_text("#status")
        assert opened.drawn_ms() < 3000
        assert opened.painted() > 5_000
        assert opened.errors == []


def test_notebook_iframe_draws(browser: Browser, seed_net: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    host = tmp_path / "notebook.html"
    host.write_text('<!DOCTYPE html><meta charset="utf-8"><title>cell</title>' + to_notebook(seed_net)._repr_html_(),
                    encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator("#status[data-state=ready]").wait_for(state="attached", timeout=30_000)
    assert f"{seed_net.number_of_nodes()} nodes" in frame.locator("#status").inner_text()
    assert errors == []
    page.close()
