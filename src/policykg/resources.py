"""The one place that locates the project's data files: ontology, queries, gazetteer."""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["ROOT", "gazetteer_path", "load_rules", "load_table", "ontology_files", "queries_dir"]

ROOT = Path(__file__).resolve().parents[2]


def ontology_files() -> list[Path]:
    """The Turtle files of the ontology (classes, properties, SHACL shapes)."""
    return sorted((ROOT / "ontology").glob("*.ttl"))


def queries_dir() -> Path:
    """The folder of ready research queries (``*.rq``)."""
    return ROOT / "queries"


def gazetteer_path(name: str) -> Path:
    """Path of a gazetteer table in ``data/gazetteer/``."""
    return ROOT / "data" / "gazetteer" / name


@cache
def load_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated gazetteer table, without comments and blank lines.

    Trailing empty columns are kept, so every row of a table has the same width.
    """
    return _read_rows(gazetteer_path(name))


@cache
def load_rules(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated table of extraction rules in ``data/rules/`` (cue words, suffixes…)."""
    return _read_rows(ROOT / "data" / "rules" / name)


def _read_rows(path: Path) -> tuple[tuple[str, ...], ...]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)
