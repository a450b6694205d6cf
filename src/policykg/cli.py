"""Command line: one thin command per verb. Only this module prints or sets exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from policykg.errors import IngestError, PolicyKGError
from policykg.export import format_for, write_dump
from policykg.pipeline import build_graph
from policykg.stats import read_graph, to_stats

__all__ = ["main"]

_err = Console(stderr=True, soft_wrap=True)
_out = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykg")
def main() -> None:
    """Turn Chinese government reply letters into an evidence-backed RDF knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Dump file; the format follows its extension: .ttl, .trig, .nq, .jsonld.")
def build(paths: tuple[Path, ...], out: Path) -> None:
    """Read letters (files or folders) and write their knowledge graph to --out.

    Exit codes: 0 all letters built; 1 nothing could be built; 2 some files failed (the
    others were built and written).
    """
    try:
        format_for(out)
        report = build_graph(paths, on_error=lambda e: _err.print(f"[red]error[/]: {e}", highlight=False))
        write_dump(report.dataset, out)
    except PolicyKGError as exc:
        _err.print(f"[red]error[/]: {exc}", highlight=False)
        sys.exit(1)
    table = Table(title="policykg build", show_header=False)
    table.add_row("letters read", str(len(report.letters)))
    table.add_row("failed", str(len(report.failures)))
    table.add_row("entities", str(report.entities))
    table.add_row("triples", str(report.triples))
    table.add_row("time", f"{report.seconds:.2f} s")
    table.add_row("written", str(out))
    _err.print(table)
    if report.failures:
        sys.exit(2)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--top", default=10, show_default=True, help="How many top entities to list.")
def stats(file: Path, top: int) -> None:
    """Counts per class and property, and the entities mentioned in most letters."""
    try:
        st = to_stats(read_graph(file), top=top)
    except (PolicyKGError, IngestError) as exc:
        _err.print(f"[red]error[/]: {exc}", highlight=False)
        sys.exit(1)
    except Exception as exc:  # a dump rdflib cannot parse: report it, no traceback
        _err.print(f"[red]error[/]: {file}: cannot read graph ({type(exc).__name__}: {exc})", highlight=False)
        sys.exit(1)
    for title, counter in (("class", st.classes), ("property", st.properties)):
        t = Table(title=f"per {title}")
        t.add_column(title)
        t.add_column("count", justify="right")
        for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            t.add_row(key, str(n))
        _out.print(t)
    t = Table(title="top entities (by letters)")
    for col in ("class", "label", "letters"):
        t.add_column(col)
    for cls, label, n in st.top_entities:
        t.add_row(cls, label, str(n))
    _out.print(t)
    _out.print(f"triples: {st.triples}")
