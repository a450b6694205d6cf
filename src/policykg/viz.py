"""The graph as one self-contained, offline HTML page (vis-network), with evidence a click away.

``serialize_html`` turns a networkx graph from :mod:`policykg.network` into a page that needs
nothing from the network: vis-network's JavaScript (the copy that ships inside the ``pyvis``
package) and every style are inlined, and a Content-Security-Policy forbids any fetch. The
layout is computed beforehand (:mod:`policykg.layout`), so the browser draws at once with
physics off, 5,000 nodes in about a second. Every piece of text from a letter travels as JSON inside a
``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped, and the page puts it
on screen only through ``textContent`` and canvas labels, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import networkx as nx

from policykg.export import write_atomic
from policykg.layout import to_layout
from policykg.network import Evidence, to_communities
from policykg.viz_page import PAGE, PAGE_SCRIPT, PAGE_STYLE

__all__ = ["STYLES", "HtmlView", "serialize_html", "to_notebook", "to_view_data", "write_html"]

# Colour, vis-network shape and legend glyph per class.
STYLES: dict[str, tuple[str, str, str]] = {
    "Agency": ("#1f77b4", "dot", "●"), "Firm": ("#ff7f0e", "square", "■"), "Bank": ("#b35806", "square", "■"),
    "IndustryCluster": ("#2ca02c", "hexagon", "⬢"), "IndustrialPark": ("#17632a", "hexagon", "⬢"),
    "Program": ("#9467bd", "triangle", "▲"), "Platform": ("#6a3d9a", "triangle", "▲"),
    "LoanProduct": ("#17becf", "triangleDown", "▼"), "Fund": ("#e377c2", "triangle", "▲"),
    "Regulation": ("#d62728", "diamond", "◆"), "Deputy": ("#8c564b", "star", "★"),
    "Reply": ("#7f7f7f", "square", "■"), "Proposal": ("#bcbd22", "triangleDown", "▼"),
}
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
            "#393b79", "#637939", "#843c39")
def to_view_data(graph: nx.MultiDiGraph[str], *, color: str = "class", title: str = "policykg") -> dict[str, object]:
    """Everything the page shows, as JSON-ready data: nodes with positions, drawn edges, evidence tables.

    One drawn edge per ordered pair of nodes lists every relation between them; sentences and
    letter names are stored once and referred to by number.
    """
    order = sorted(graph)
    index = {n: i for i, n in enumerate(order)}
    layout = to_layout(graph)
    community = to_communities(graph) if color == "community" else {}
    letters: dict[str, int] = {}
    sentences: dict[Evidence, int] = {}

    def refer(evidence: tuple[Evidence, ...]) -> list[int]:
        for e in evidence:
            letters.setdefault(e.letter, len(letters))
        return [sentences.setdefault(e, len(sentences)) for e in evidence]

    nodes = []
    degree = dict(graph.degree())
    for n in order:
        d = graph.nodes[n]
        x, y = layout[n]
        nodes.append({
            "iri": n, "cls": d["cls"], "label": d["label"], "en": d.get("label_en", ""), "pinyin": d.get("label_pinyin", ""),
            "alt": list(d.get("alt_labels", ())), "letters": [letters.setdefault(x, len(letters)) for x in d.get("letters", ())],
            "ev": refer(d.get("evidence", ())), "x": x, "y": y, "size": round(min(10 + 3 * math.sqrt(degree[n]), 40), 1),
            "group": community.get(n, 0),
        })
    pairs: dict[tuple[str, str], list[tuple[str, list[int]]]] = defaultdict(list)
    for u, v, key, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2])):
        pairs[(u, v)].append((key, refer(d.get("evidence", ()))))
    edges = [{"from": index[u], "to": index[v], "rel": [r for r, _ in rels], "ev": [e for _, e in rels]}
             for (u, v), rels in pairs.items()]
    classes = sorted({d["cls"] for _, d in graph.nodes(data=True)}, key=list(STYLES).index)
    groups = sorted(set(community.values()))
    return {
        "title": title, "color": color, "omitted": graph.graph.get("omitted", 0), "nodes": nodes, "edges": edges,
        "letters": sorted(letters, key=letters.__getitem__), "sentences": [[letters[e.letter], e.text] for e in sentences],
        "classes": [[c, *STYLES[c], sum(1 for n in nodes if n["cls"] == c)] for c in classes],
        "groups": [[g, _PALETTE[g % len(_PALETTE)], sum(1 for n in nodes if n["group"] == g)] for g in groups],
        "relations": graph.number_of_edges(),
    }


def _script_json(data: object) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` appears raw.

    >>> _script_json({"t": "</script><img src=x>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@cache
def _vis_network() -> str:
    """vis-network's standalone build, as shipped inside the pyvis package (nothing is downloaded)."""
    source = files("pyvis").joinpath("lib/vis-9.1.2/vis-network.min.js").read_text(encoding="utf-8")
    source = re.sub(r"^//# sourceMappingURL=.*$", "", source, flags=re.M)  # no source map to look for
    assert "</script" not in source.lower()  # it can sit inside <script> as it is
    assert "<!--" not in source
    return source


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def serialize_html(graph: nx.MultiDiGraph[str], *, color: str = "class", title: str = "policykg") -> str:
    """The page for a graph: colours by ``class`` or ``community``; ``title`` heads the page."""
    data = _script_json(to_view_data(graph, color=color, title=title))
    scripts = [_vis_network(), PAGE_SCRIPT]
    policy = (f"default-src 'none'; script-src {' '.join(_hash(s) for s in scripts)}; style-src 'unsafe-inline'; "
              "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")
    return PAGE.format(policy=html.escape(policy), title=html.escape(title), style=PAGE_STYLE, data=data,
                       vis=scripts[0], script=scripts[1])


def write_html(graph: nx.MultiDiGraph[str], path: Path, *, color: str = "class", title: str = "policykg") -> None:
    """Write the page as UTF-8, atomically."""
    write_atomic(serialize_html(graph, color=color, title=title).encode("utf-8"), path)


@dataclass(frozen=True)
class HtmlView:
    """A page that Jupyter shows inline (in an ``iframe`` whose ``srcdoc`` holds the escaped page)."""

    page: str
    height: int = 720

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" style="width:100%;height:{self.height}px;'
                'border:1px solid #ddd" title="policykg graph"></iframe>')


def to_notebook(graph: nx.MultiDiGraph[str], *, color: str = "class", title: str = "policykg", height: int = 720) -> HtmlView:
    """The page as an object that Jupyter displays inline: ``to_notebook(to_networkx(store))``."""
    return HtmlView(serialize_html(graph, color=color, title=title), height)
