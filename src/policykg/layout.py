"""Node positions for the HTML view, computed before the page is written (pure Python, no numpy).

Letters' graphs are hubs with many leaves (a reply and the entities it mentions; a platform
and the firms it drives), which force-directed layouts crush into a blob. Here each
connected component is laid out in two steps: the leaves (nodes with one neighbour) are set
on rings around their hub, and the other nodes, each a disc as large as its rings, are placed
by Fruchterman-Reingold forces between overlapping discs (a grid finds the pairs, so a step
costs about linear time). Components are then packed in rows, largest first. The same graph
always gives the same positions.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import networkx as nx

__all__ = ["SPACING", "to_layout"]

SPACING = 80.0  # pixels per unit: the distance between a leaf and its neighbours on a ring
_CELL = 2.0  # grid cell for the repulsion between small discs


def _rings(count: int) -> list[tuple[float, int]]:
    """(radius, how many leaves) of the rings that hold ``count`` leaves, one unit apart.

    >>> _rings(20)
    [(1.0, 6), (2.0, 12), (3.0, 2)]
    """
    rings, radius = [], 1.0
    while count > 0:
        take = min(count, int(2 * math.pi * radius))
        rings.append((radius, take))
        count -= take
        radius += 1.0
    return rings


def _forces(core: list[str], adjacency: dict[str, set[str]], size: dict[str, float],
            rnd: random.Random) -> dict[str, list[float]]:
    """Fruchterman-Reingold on discs: linked discs pull to touch, overlapping discs push apart."""
    area = sum((2 * size[v] + 1) ** 2 for v in core)
    side = math.sqrt(area) * 1.2
    pos = {v: [rnd.uniform(0, side), rnd.uniform(0, side)] for v in core}
    if len(core) == 1:
        return pos
    big = [v for v in core if size[v] > 0.5]
    small = [v for v in core if size[v] <= 0.5]
    edges = [(u, v) for u in core for v in sorted(adjacency[u]) if u < v and v in pos]  # sorted: no hash order
    iterations = 80 if len(core) < 1500 else 50
    move = {v: [0.0, 0.0] for v in core}

    def push(u: str, v: str) -> None:
        dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
        d2 = dx * dx + dy * dy
        reach = size[u] + size[v] + 1.0
        if d2 < 2.25 * reach * reach:
            if d2 < 1e-9:
                dx, dy, d2 = rnd.uniform(-0.01, 0.01), rnd.uniform(-0.01, 0.01), 1e-4
            f = reach * reach / d2
            move[u][0] += dx * f
            move[u][1] += dy * f
            move[v][0] -= dx * f
            move[v][1] -= dy * f

    for step in range(iterations):
        temperature = side / 10 * (1 - step / iterations) + 0.02
        for m in move.values():
            m[0] = m[1] = 0.0
        grid: dict[tuple[int, int], list[str]] = defaultdict(list)
        for v in core:
            grid[(int(pos[v][0] // _CELL), int(pos[v][1] // _CELL))].append(v)
        for v in small:  # small with small: the eight cells around
            cx, cy = int(pos[v][0] // _CELL), int(pos[v][1] // _CELL)
            for gx in (cx - 1, cx, cx + 1):
                for gy in (cy - 1, cy, cy + 1):
                    for u in grid.get((gx, gy), ()):
                        if u < v and size[u] <= 0.5:
                            push(u, v)
        for i, v in enumerate(big):  # big with everything within its reach
            for u in big[i + 1 :]:
                push(u, v)
            reach = int(1.5 * (size[v] + 1.5) // _CELL) + 1
            cx, cy = int(pos[v][0] // _CELL), int(pos[v][1] // _CELL)
            for gx in range(cx - reach, cx + reach + 1):
                for gy in range(cy - reach, cy + reach + 1):
                    for u in grid.get((gx, gy), ()):
                        if size[u] <= 0.5:
                            push(u, v)
        for u, v in edges:
            dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
            d = math.sqrt(dx * dx + dy * dy)
            f = d / (size[u] + size[v] + 1.0)
            move[u][0] -= dx * f
            move[u][1] -= dy * f
            move[v][0] += dx * f
            move[v][1] += dy * f
        for v in core:
            mx, my = move[v]
            d = math.sqrt(mx * mx + my * my)
            if d > 0:
                pos[v][0] += mx / d * min(d, temperature)
                pos[v][1] += my / d * min(d, temperature)
    return pos


def _component(nodes: list[str], adjacency: dict[str, set[str]], order: dict[str, tuple[str, str, str]],
               rnd: random.Random) -> dict[str, tuple[float, float]]:
    if len(nodes) <= 2:
        return {v: (float(i), 0.0) for i, v in enumerate(nodes)}
    leaves: dict[str, list[str]] = defaultdict(list)
    for v in nodes:
        if len(adjacency[v]) == 1:
            (hub,) = adjacency[v]
            if len(adjacency[hub]) > 1:
                leaves[hub].append(v)
    hanging = {v for vs in leaves.values() for v in vs}
    core = [v for v in nodes if v not in hanging]
    size = {v: (_rings(len(leaves[v]))[-1][0] if leaves[v] else 0.0) + 0.5 for v in core}
    placed = {v: (p[0], p[1]) for v, p in _forces(core, adjacency, size, rnd).items()}
    for hub, hung in leaves.items():
        hx, hy = placed[hub]
        hung.sort(key=lambda v: order[v])
        start = 0
        for radius, count in _rings(len(hung)):
            for j, v in enumerate(hung[start : start + count]):
                angle = 2 * math.pi * j / count + radius  # turn each ring a little so rows do not line up
                placed[v] = (hx + radius * math.cos(angle), hy + radius * math.sin(angle))
            start += count
    return placed


def to_layout(graph: nx.MultiDiGraph[str]) -> dict[str, tuple[float, float]]:
    """Positions in pixels for every node (links in either direction count alike).

    >>> g = nx.MultiDiGraph([("hub", f"leaf{i}") for i in range(8)] + [("x", "y")])
    >>> pos = to_layout(g)
    >>> sorted(round(((pos[f"leaf{i}"][0] - pos["hub"][0]) ** 2 + (pos[f"leaf{i}"][1] - pos["hub"][1]) ** 2) ** 0.5)
    ...        for i in range(8))
    [80, 80, 80, 80, 80, 80, 160, 160]
    """
    adjacency: dict[str, set[str]] = {v: set() for v in graph}
    for u, v in graph.edges():
        if u != v:
            adjacency[u].add(v)
            adjacency[v].add(u)
    order = {v: (str(d.get("cls", "")), str(d.get("label", "")), v) for v, d in graph.nodes(data=True)}
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(adjacency)
    simple.add_edges_from((u, v) for u in adjacency for v in adjacency[u])
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    rnd = random.Random(0)
    boxes = []
    for nodes in components:
        pos = _component(nodes, adjacency, order, rnd)
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        boxes.append((pos, min(xs), min(ys), max(xs) - min(xs) + 1.5, max(ys) - min(ys) + 1.5))
    if not boxes:
        return {}
    row_width = max(math.sqrt(sum(w * h for *_, w, h in boxes)) * 1.3, max(b[3] for b in boxes))
    out: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for pos, x0, y0, w, h in boxes:
        if x + w > row_width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        for v, (px, py) in pos.items():
            out[v] = (round((x + px - x0) * SPACING, 1), round((y + py - y0) * SPACING, 1))
        x, row_height = x + w, max(row_height, h)
    return out
