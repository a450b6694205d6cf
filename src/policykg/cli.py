"""Command line: one thin command per verb. Only this module prints or sets exit codes."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from policykg.build import letter_graph_iri
from policykg.errors import PolicyKGError, QueryError, StoreError
from policykg.export import format_for, write_atomic, write_dump
from policykg.pipeline import build_store
from policykg.remote import DEFAULT_BATCH, DEFAULT_TIMEOUT, push_store, query_endpoint, server_command
from policykg.sparql import bind_values, format_results, library, load_query, parse_param
from policykg.stats import open_dump, to_stats
from policykg.store import DEFAULT_STORE, LetterStore

__all__ = ["main"]

_err = Console(stderr=True, soft_wrap=True)
_out = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykg")
def main() -> None:
    """Turn Chinese government reply letters into an evidence-backed RDF knowledge graph."""


_STORE_HELP = f"Embedded Oxigraph store folder (default {DEFAULT_STORE}, relative to the current folder)."


def _report_error(exc: BaseException) -> None:
    _err.print(f"[red]error[/]: {escape(str(exc))}", highlight=False)


def _fail(exc: BaseException) -> NoReturn:
    _report_error(exc)
    sys.exit(1)


def _build_target(store_dir: Path, no_store: bool, out: Path | None) -> LetterStore:
    """The store to build into; an in-memory one for --no-store, or when the default store is busy."""
    if no_store:
        return LetterStore(None)
    try:
        return LetterStore(store_dir)
    except StoreError as exc:
        source = click.get_current_context().get_parameter_source("store_dir")
        if out is None or source is not ParameterSource.DEFAULT:
            raise
        _err.print(f"[yellow]warning[/]: {exc}; writing only {out}", highlight=False)
        return LetterStore(None)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--no-store", is_flag=True, help="Do not touch any store; only write --out.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a dump of the letters just built; the format follows the extension: .ttl, .trig, .nq, .jsonld.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes for reading letters (default: one per core).")
def build(paths: tuple[Path, ...], store_dir: Path, no_store: bool, out: Path | None, jobs: int | None) -> None:
    """Read letters (files or folders) into the store, and optionally write a dump to --out.

    Each letter is one named graph; building a letter again replaces its graph in one
    transaction.

    Exit codes: 0 all letters built; 1 nothing could be built; 2 some files failed (the
    others were built and written).
    """
    if no_store and out is None:
        raise click.UsageError("--no-store needs --out")
    try:
        if out is not None:
            format_for(out)
        with _build_target(store_dir, no_store, out) as store:
            report = build_store(paths, store, jobs=jobs, on_error=_report_error)
            if out is not None:
                write_dump((q for g in report.graphs for q in store.quads(g)), out)
    except PolicyKGError as exc:
        _fail(exc)
    table = Table(title="policykg build", show_header=False)
    table.add_row("letters read", str(len(report.letters)))
    table.add_row("failed", str(len(report.failures)))
    table.add_row("entities", str(report.entities))
    table.add_row("triples", str(report.triples))
    table.add_row("time", f"{report.seconds:.2f} s")
    table.add_row("store", "none" if no_store else str(store_dir))
    if out is not None:
        table.add_row("written", str(out))
    _err.print(table)
    if report.failures:
        sys.exit(2)


@main.command()
@click.argument("query_name", metavar="NAME_OR_FILE", required=False)
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--endpoint", help="SPARQL 1.1 query endpoint URL to ask instead of the local store.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help='Bind ?NAME. VALUE is a string; <IRI> for an IRI; "text"@zh or "1"^^xsd:integer for other literals.')
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="Give up after this many seconds (local store: running time; --endpoint: time without an answer).")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), help="Write the results to a file.")
@click.option("--list", "list_queries", is_flag=True, help="List the ready research queries in queries/.")
def query(query_name: str | None, store_dir: Path, endpoint: str | None, params: tuple[str, ...], fmt: str,
          timeout: float | None, out: Path | None, list_queries: bool) -> None:
    """Run a SPARQL query (a file, or the name of one in queries/) on the store or an endpoint.

    Queries that name no graph see the union of all letters' graphs. Parameters are bound
    with VALUES, never pasted into the query text.
    """
    if list_queries:
        t = Table(title="queries/")
        for col in ("name", "question", "parameters"):
            t.add_column(col)
        for q in library():
            t.add_row(q.name, q.question, q.parameters)
        _out.print(t)
        return
    if query_name is None:
        raise click.UsageError("give a query name or file (see --list)")
    try:
        _, text = load_query(query_name)
        bound = bind_values(text, [parse_param(p) for p in params])
        if endpoint:
            results = query_endpoint(endpoint, bound, timeout=timeout)
        else:
            with LetterStore(store_dir, read_only=True) as store:
                results = store.query(bound, timeout=timeout)
    except PolicyKGError as exc:
        _fail(exc)
    if fmt != "table":
        text_out = format_results(results, fmt)
        if out is not None:
            write_atomic(text_out.encode("utf-8"), out)
        else:
            click.echo(text_out, nl=False)
        return
    if results.boolean is not None:
        _out.print("yes" if results.boolean else "no")
        return
    t = Table(title=f"{query_name} ({len(results.rows)} rows)")
    for c in results.columns:
        t.add_column(c)
    for row in results.rows:
        t.add_row(*(row[c].short() if c in row else "" for c in results.columns))
    if out is not None:
        console = Console(file=io.StringIO(), width=200)
        console.print(t)
        write_atomic(console.file.getvalue().encode("utf-8"), out)  # type: ignore[attr-defined]
    else:
        _out.print(t)


@main.command()
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Dump file; the format follows the extension: .ttl, .trig, .nq, .jsonld.")
@click.option("--graph", "letters", multiple=True, metavar="LETTER",
              help="Only this letter (its file stem or graph IRI); may be repeated.")
def export(store_dir: Path, out: Path, letters: tuple[str, ...]) -> None:
    """Write the store's letters (without the ontology) to a dump file.

    Exporting the same store twice gives identical bytes.
    """
    try:
        format_for(out)
        with LetterStore(store_dir, read_only=True) as store:
            known = store.letter_graphs()
            graphs = [name if name.startswith("http") else str(letter_graph_iri(name)) for name in letters] or known
            missing = [g for g in graphs if g not in known]
            if missing:
                raise QueryError(f"{store_dir}: no letter graph {', '.join(missing)}")
            write_dump((q for g in graphs for q in store.quads(g)), out)
    except PolicyKGError as exc:
        _fail(exc)
    _err.print(f"{len(graphs)} letters written to {out}", highlight=False)


@main.command()
@click.option("--endpoint", metavar="UPDATE_URL", help="SPARQL 1.1 Update endpoint, e.g. http://localhost:7878/update.")
@click.option("--graph-store", metavar="URL",
              help="Use this SPARQL 1.1 Graph Store endpoint instead (PUT per graph), e.g. http://localhost:7878/store.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--batch", type=click.IntRange(min=1), default=DEFAULT_BATCH, show_default=True,
              help="At most this many triples per request; a graph up to this size is replaced atomically.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
              help="Give up when the server has not answered a request for this many seconds.")
def push(endpoint: str | None, graph_store: str | None, store_dir: Path, batch: int, timeout: float) -> None:
    """Send every letter graph (and the ontology graph) of the store to a remote SPARQL store.

    Each graph replaces the remote graph of the same IRI, so pushing again never duplicates
    triples; remote graphs the store does not have are left alone. Larger graphs go in
    chunks of --batch triples: the first request drops the graph, the later ones add to it.

    Exit codes: 0 every graph sent; 1 an error (no store, endpoint unreachable, HTTP error,
    timeout): the graphs sent before it are in place, the others are not.
    """
    if (endpoint is None) == (graph_store is None):
        raise click.UsageError("give either --endpoint UPDATE_URL or --graph-store URL")
    url = graph_store or endpoint
    assert url is not None
    try:
        with LetterStore(store_dir, read_only=True) as store:
            report = push_store(store, url, graph_store=graph_store is not None, batch=batch, timeout=timeout)
    except PolicyKGError as exc:
        _fail(exc)
    rate = report.triples / report.seconds if report.seconds else 0.0
    _err.print(f"pushed {report.graphs} graphs · {report.triples} triples · {report.requests} requests · "
               f"{report.seconds:.2f} s ({rate:,.0f} triples/s) → {report.url}", highlight=False)


@main.command()
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT", help="Address to listen on.")
@click.option("--timeout", type=click.IntRange(min=1), help="Server-side query timeout in whole seconds.")
def serve(store_dir: Path, bind: str, timeout: int | None) -> None:
    """Serve the store read-only with the Oxigraph server: a SPARQL UI and endpoint.

    Runs `oxigraph serve-read-only` (PyPI package oxigraph) on the store folder, with the
    union of all graphs as default graph, as in local queries. Stop it before building
    into the same store. Exit code 1 when there is no store or no matching server.
    """
    try:
        command = server_command(store_dir, bind=bind, timeout=timeout)
    except PolicyKGError as exc:
        _fail(exc)
    _err.print(f"serving {store_dir} read-only: SPARQL UI http://{bind}/ · endpoint http://{bind}/query · Ctrl-C stops",
               highlight=False)
    sys.stderr.flush()
    try:
        os.execv(command[0], command)
    except OSError as exc:
        _fail(exc)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--top", default=10, show_default=True, help="How many top entities to list.")
@click.option("--dupes", default=50, show_default=True, help="How many unmerged near-duplicates to list.")
def stats(file: Path | None, store_dir: Path, top: int, dupes: int) -> None:
    """Counts per class and property, the entities in most letters, and the resolution report.

    Reads a dump FILE if given, else the store. The report gives, per class, how many
    surface forms were merged into how many entities, and lists near-duplicates that were
    not merged (same class; one label inside the other, or one edit apart) for review.
    """
    try:
        with (open_dump(file) if file is not None else LetterStore(store_dir, read_only=True)) as store:
            st = to_stats(store, top=top)
    except PolicyKGError as exc:
        _fail(exc)
    for title, counter in (("class", st.classes), ("property", st.properties)):
        t = Table(title=f"per {title}")
        t.add_column(title)
        t.add_column("count", justify="right")
        for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            t.add_row(key, str(n))
        _out.print(t)
    t = Table(title="entity resolution: surface forms merged into entities")
    for col in ("class", "forms", "entities"):
        t.add_column(col)
    for cls, n_forms, n_entities in st.merges:
        t.add_row(cls, str(n_forms), str(n_entities))
    _out.print(t)
    t = Table(title=f"near-duplicates not merged ({len(st.near_duplicates)}; review these)")
    for col in ("class", "label", "label", "why"):
        t.add_column(col)
    for row in st.near_duplicates[:dupes]:
        t.add_row(*row)
    _out.print(t)
    t = Table(title="top entities (by letters)")
    for col in ("class", "label", "letters"):
        t.add_column(col)
    for cls, label, n in st.top_entities:
        t.add_row(cls, label, str(n))
    _out.print(t)
    _out.print(f"triples: {st.triples}")
