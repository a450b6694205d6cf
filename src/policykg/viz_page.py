"""The page around the graph: HTML skeleton, style and script (no external resource of any kind).

The script reads the graph from the JSON block and writes every name and sentence with
``textContent``; nothing from a letter is ever parsed as HTML. It leaves ``window.policykg``
(the vis Network, its DataSets and the graph data) for scripting from the browser console. ``PAGE`` is filled with
``str.format`` by :func:`policykg.viz.serialize_html`.
"""

from __future__ import annotations

__all__ = ["PAGE", "PAGE_SCRIPT", "PAGE_STYLE"]

PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<input id="search" type="search" placeholder="搜索名称 / search names" list="names" autocomplete="off" aria-label="search names">
<datalist id="names"></datalist>
<span id="found"></span>
<span id="status" data-state="drawing">drawing…</span>
</header>
<main>
<div id="graph"></div>
<aside id="panel">
<p class="hint">点击节点或连线，查看名称、来函和证据。Click a node or a link for its names, letters and evidence.</p>
</aside>
</main>
<div id="legend"></div>
<div id="tip" hidden></div>
<script type="application/json" id="policykg-data">{data}</script>
<script>{vis}</script>
<script>{script}</script>
</body>
</html>
"""

PAGE_STYLE = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", sans-serif; color: #222; background: #fff; }
body { display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 12px; padding: 6px 12px; border-bottom: 1px solid #ddd; background: #f7f8fa; }
header h1 { font-size: 16px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 40%; }
#search { width: 260px; padding: 4px 8px; font: inherit; }
#found, #status { font-size: 12px; color: #555; }
#status { margin-left: auto; }
main { flex: 1; display: flex; min-height: 0; }
#graph { flex: 1; min-width: 0; }
#panel { width: 380px; overflow-y: auto; border-left: 1px solid #ddd; padding: 10px 14px; font-size: 13px; line-height: 1.5; }
#panel h2 { font-size: 17px; margin: 2px 0 4px; }
#panel h3 { font-size: 13px; margin: 12px 0 4px; color: #444; border-bottom: 1px solid #eee; }
#panel ul { margin: 0; padding-left: 18px; }
#panel li { margin-bottom: 4px; }
#panel .cls { font-size: 12px; color: #fff; display: inline-block; padding: 0 6px; border-radius: 3px; }
#panel .en, #panel .pinyin { color: #555; }
#panel .src { color: #777; font-size: 11px; margin-right: 6px; }
#panel .iri { color: #999; font-size: 11px; word-break: break-all; margin-top: 12px; }
#panel button.link { border: 0; background: none; color: #1a5fb4; cursor: pointer; padding: 0; font: inherit; text-align: left; }
#panel .hint { color: #777; }
#legend { position: fixed; left: 10px; bottom: 10px; background: rgba(255,255,255,0.92); border: 1px solid #ddd;
  padding: 6px 10px; font-size: 12px; max-height: 45%; overflow-y: auto; }
#legend div { white-space: nowrap; }
#legend .glyph { display: inline-block; width: 18px; text-align: center; }
#tip { position: fixed; pointer-events: none; background: #333; color: #fff; font-size: 12px; padding: 3px 7px;
  border-radius: 3px; max-width: 420px; z-index: 10; }
"""

PAGE_SCRIPT = """
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("policykg-data").textContent);
  const FONT = '"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif';
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const style = {};
  D.classes.forEach(([c, color, shape, glyph, count]) => { style[c] = {color, shape, glyph, count}; });
  const groupColor = {};
  D.groups.forEach(([g, color]) => { groupColor[g] = color; });
  const colorOf = (n) => (D.color === "community" ? groupColor[n.group] || "#999" : style[n.cls].color);
  const isMention = (e) => e.rel.length === 1 && e.rel[0] === "pol:mentionedIn";
  const edgeColor = (e) => (isMention(e) ? "#d5d9e0" : "#8a94a6");
  const big = D.nodes.length > 1000;
  const incident = D.nodes.map(() => []);
  D.edges.forEach((e, i) => { incident[e.from].push(i); if (e.to !== e.from) incident[e.to].push(i); });

  $("title").textContent = D.title;
  const nodes = new vis.DataSet(D.nodes.map((n, i) => ({
    id: i, label: n.label, x: n.x, y: n.y, size: n.size, shape: style[n.cls].shape, color: colorOf(n),
  })));
  const edges = new vis.DataSet(D.edges.map((e, i) => ({
    id: i, from: e.from, to: e.to, dashes: isMention(e), arrows: isMention(e) ? "" : "to", color: {color: edgeColor(e)},
  })));
  const network = new vis.Network($("graph"), {nodes, edges}, {
    physics: false,
    layout: {improvedLayout: false},
    nodes: {font: {face: FONT, size: 14, color: "#222"}, borderWidth: 1},
    edges: {smooth: false, width: 1, selectionWidth: 2, arrows: {to: {scaleFactor: 0.5}}},
    interaction: {hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, tooltipDelay: 100},
  });

  // Highlight a set of nodes and their neighbours; fade the rest.
  let faded = false;
  function highlight(ids) {
    const keep = new Set(ids);
    ids.forEach((id) => incident[id].forEach((k) => { keep.add(D.edges[k].from); keep.add(D.edges[k].to); }));
    const near = new Set();
    ids.forEach((id) => incident[id].forEach((k) => near.add(k)));
    nodes.update(D.nodes.map((n, i) => (keep.has(i)
      ? {id: i, color: colorOf(n), font: {color: "#222"}}
      : {id: i, color: "rgba(190,190,190,0.3)", font: {color: "rgba(0,0,0,0.15)"}})));
    edges.update(D.edges.map((e, k) => ({id: k, color: {color: near.has(k) ? "#333" : "rgba(190,190,190,0.2)"}})));
    faded = true;
  }
  function reset() {
    if (!faded) return;
    nodes.update(D.nodes.map((n, i) => ({id: i, color: colorOf(n), font: {color: "#222"}})));
    edges.update(D.edges.map((e, k) => ({id: k, color: {color: edgeColor(e)}})));
    faded = false;
  }

  // The side panel: built from text nodes only.
  const panel = $("panel");
  function list(items) {
    const ul = el("ul");
    items.forEach((t) => ul.append(el("li", t)));
    return ul;
  }
  function sentences(ids) {
    const ul = el("ul", undefined, "evidence");
    ids.slice(0, 50).forEach((s) => {
      const li = el("li");
      li.append(el("span", D.letters[D.sentences[s][0]], "src"), el("span", D.sentences[s][1]));
      ul.append(li);
    });
    if (ids.length > 50) ul.append(el("li", "… " + (ids.length - 50) + " more"));
    return ul;
  }
  function badge(cls) {
    const b = el("span", cls, "cls");
    b.style.background = style[cls].color;
    return b;
  }
  function goTo(i) {
    network.selectNodes([i]);
    network.focus(i, {scale: Math.max(network.getScale(), 1), animation: false});
    highlight([i]);
    showNode(i);
  }
  function showNode(i) {
    const n = D.nodes[i];
    panel.replaceChildren(badge(n.cls), el("h2", n.label));
    if (n.en) panel.append(el("div", n.en, "en"));
    if (n.pinyin) panel.append(el("div", n.pinyin, "pinyin"));
    if (n.alt.length) panel.append(el("h3", "别名 Other names"), list(n.alt));
    panel.append(el("h3", "来函 Letters (" + n.letters.length + ")"), list(n.letters.map((l) => D.letters[l])));
    const links = el("ul");
    incident[i].forEach((k) => {
      const e = D.edges[k], other = e.from === i ? e.to : e.from, li = el("li");
      const go = el("button", D.nodes[other].label, "link");
      go.type = "button";
      go.addEventListener("click", () => goTo(other));
      li.append(el("span", (e.from === i ? "→ " : "← ") + e.rel.join(", ") + " "), go);
      links.append(li);
    });
    panel.append(el("h3", "关系 Relations (" + incident[i].length + ")"), links);
    panel.append(el("h3", "证据 Evidence (" + n.ev.length + ")"), sentences(n.ev));
    panel.append(el("div", n.iri, "iri"));
  }
  function showEdge(k) {
    const e = D.edges[k];
    panel.replaceChildren(el("h2", D.nodes[e.from].label + " → " + D.nodes[e.to].label));
    e.rel.forEach((r, j) => panel.append(el("h3", r + " (" + e.ev[j].length + ")"), sentences(e.ev[j])));
  }
  network.on("click", (params) => {
    if (params.nodes.length) { highlight([params.nodes[0]]); showNode(params.nodes[0]); }
    else if (params.edges.length) { reset(); showEdge(params.edges[0]); }
    else reset();
  });

  // Hover: a small tooltip, as text.
  const tip = $("tip");
  function showTip(text, pointer) {
    const box = $("graph").getBoundingClientRect();
    tip.textContent = text;
    tip.style.left = (box.left + pointer.x + 12) + "px";
    tip.style.top = (box.top + pointer.y + 12) + "px";
    tip.hidden = false;
  }
  network.on("hoverNode", (p) => {
    const n = D.nodes[p.node];
    showTip(n.cls + " · " + n.label + (n.en ? " · " + n.en : ""), p.pointer.DOM);
  });
  network.on("hoverEdge", (p) => showTip(D.edges[p.edge].rel.join(", "), p.pointer.DOM));
  network.on("blurNode", () => { tip.hidden = true; });
  network.on("blurEdge", () => { tip.hidden = true; });

  // Search: every name, any case; Enter selects the matches and opens the first.
  const names = D.nodes.map((n) => [n.label, n.en, n.pinyin].concat(n.alt).filter(Boolean).map((x) => x.toLowerCase()));
  const options = $("names");
  D.nodes.forEach((n) => { const o = document.createElement("option"); o.value = n.label; options.append(o); });
  function search(query) {
    const q = query.trim().toLowerCase();
    if (!q) { $("found").textContent = ""; reset(); network.unselectAll(); return; }
    const exact = [], partial = [];
    names.forEach((ns, i) => { if (ns.includes(q)) exact.push(i); else if (ns.some((x) => x.includes(q))) partial.push(i); });
    const hits = exact.concat(partial);
    $("found").textContent = hits.length + " found";
    if (!hits.length) return;
    network.selectNodes(hits);
    highlight(hits);
    network.focus(hits[0], {scale: Math.max(network.getScale(), 1), animation: false});
    showNode(hits[0]);
  }
  $("search").addEventListener("keydown", (ev) => { if (ev.key === "Enter") search(ev.target.value); });
  $("search").addEventListener("change", (ev) => search(ev.target.value));

  // Legend: shape and colour per class (and colour per community).
  const legend = $("legend");
  D.classes.forEach(([c, color, shape, glyph, count]) => {
    const row = el("div"), g = el("span", glyph, "glyph");
    g.style.color = D.color === "community" ? "#555" : color;
    row.append(g, el("span", c + " (" + count + ")"));
    legend.append(row);
  });
  if (D.color === "community") {
    legend.append(el("div", "社区 communities"));
    D.groups.slice(0, 12).forEach(([g, color, count]) => {
      const row = el("div"), s = el("span", "●", "glyph");
      s.style.color = color;
      row.append(s, el("span", "#" + (g + 1) + " (" + count + ")"));
      legend.append(row);
    });
  }

  // Status: drawn once, with the time since the page started loading.
  network.once("afterDrawing", () => {
    const status = $("status");
    let text = D.nodes.length + " nodes · " + D.relations + " relations";
    if (D.omitted) text += " · " + D.omitted + " more not shown";
    const drawn = performance.now();
    status.textContent = text + " · drawn in " + (drawn / 1000).toFixed(1) + " s";
    status.dataset.drawnMs = drawn.toFixed(0);
    status.dataset.state = "ready";
  });

  // For scripting from the browser console: the vis Network, its data sets, the graph data.
  window.policykg = {network, nodes, edges, data: D, search, goTo};
})();
"""
