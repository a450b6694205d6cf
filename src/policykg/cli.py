"""Command line: one thin command per verb. Only this module prints or sets exit codes."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from policykg.build import letter_graph_iri
from policykg.errors import IngestError, PolicyKGError, QueryError, StoreError
from policykg.export import format_for, write_atomic, write_dump
from policykg.ingest import to_display_name
from policykg.network import (
    NETWORK_FORMATS,
    Centrality,
    parse_types,
    to_centrality,
    to_entity,
    to_networkx,
    to_path,
    to_subgraph,
    write_network,
)
from policykg.pipeline import DEFAULT_TIME_LIMIT, BuildReport, LetterGraph, build_store
from policykg.remote import DEFAULT_BATCH, DEFAULT_TIMEOUT, push_store, query_endpoint, server_command
from policykg.sparql import bind_values, format_results, library, load_query, parse_param
from policykg.stats import open_dump, to_stats
from policykg.store import DEFAULT_STORE, LetterStore
from policykg.validate import CHECKS, read_triples, validate_triples
from policykg.viz import write_html

__all__ = ["main"]

_err = Console(stderr=True, soft_wrap=True)
_out = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykg")
def main() -> None:
    """Turn Chinese government reply letters into an evidence-backed RDF knowledge graph."""


_STORE_HELP = f"Embedded Oxigraph store folder (default {DEFAULT_STORE}, relative to the current folder)."


def _report_error(exc: BaseException) -> None:
    _err.print(f"[red]error[/]: {escape(to_display_name(str(exc)))}", highlight=False)


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


_PROGRESS_MIN = 5  # a progress bar for builds of more letters than this


def _short(n: int) -> str:
    """A count in a few characters: 950, 2.7k, 1.2M."""
    return str(n) if n < 1000 else f"{n / 1000:.1f}k" if n < 1_000_000 else f"{n / 1_000_000:.1f}M"


def _tally(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--no-store", is_flag=True, help="Do not touch any store; only write --out.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a dump of the letters just built; the format follows the extension: .ttl, .trig, .nq, .jsonld.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes for reading letters (default: one per core).")
@click.option("--time-limit", type=click.FloatRange(min=0), default=DEFAULT_TIME_LIMIT, show_default=True, metavar="SECONDS",
              help="A letter not read within this many seconds fails with one line (the others are built); 0: no limit.")
@click.option("--keep-contacts", is_flag=True,
              help="Keep the contact person's telephone number (schema:telephone on the reply). Without it every "
                   "telephone number, e-mail address and ID-card number is masked.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, warnings or summary: only the failed files.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON on standard output: counts, time, each letter's format and encoding, each failure.")
def build(paths: tuple[Path, ...], store_dir: Path, no_store: bool, out: Path | None, jobs: int | None,
          time_limit: float, keep_contacts: bool, quiet: bool, as_json: bool) -> None:
    """Read letters (files or folders) into the store, and optionally write a dump to --out.

    Letters may be .txt in any Chinese encoding (UTF-8, GB18030/GBK/GB2312, Big5, UTF-16),
    saved web pages (.html), Word .docx or PDF with a text layer; folders are searched
    for these. Each letter is one named graph; building a letter again replaces its graph
    in one transaction. A file that cannot be read is named with its problem on one line,
    and the others are built.

    Exit codes: 0 all letters built; 1 nothing could be built; 2 some files failed (the
    others were built and written); 130 interrupted (Ctrl-C).
    """
    if no_store and out is None:
        raise click.UsageError("--no-store needs --out")
    failures: list[IngestError] = []
    with contextlib.ExitStack() as stack:
        progress = None if quiet or not _err.is_terminal else Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=_err, transient=True)
        task = None

        def on_start(total: int) -> None:
            nonlocal task
            if progress is not None and total > _PROGRESS_MIN:
                stack.enter_context(progress)
                task = progress.add_task("building", total=total, failed=len(failures))

        def on_error(exc: IngestError) -> None:
            failures.append(exc)
            _report_error(exc)
            if progress is not None and task is not None:
                progress.update(task, advance=1, failed=len(failures))

        def on_letter(result: LetterGraph) -> None:
            if not quiet and result.summary is not None:
                for warning in result.summary.warnings:
                    _err.print(f"[yellow]warning[/]: {escape(to_display_name(result.summary.path))}: {escape(warning)}",
                               highlight=False)
            if progress is not None and task is not None:
                progress.update(task, advance=1)

        try:
            if out is not None:
                format_for(out)
            with _build_target(store_dir, no_store, out) as store:
                report = build_store(paths, store, jobs=jobs, keep_contacts=keep_contacts, time_limit=time_limit or None,
                                     on_start=on_start, on_error=on_error, on_letter=on_letter)
                if out is not None:
                    try:
                        write_dump((q for g in report.graphs for q in store.quads(g)), out)
                    except OSError as exc:  # the letters are in the store; only the dump is missing
                        raise StoreError(f"{out}: cannot write the dump ({exc.strerror or exc})") from exc
        except PolicyKGError as exc:
            if as_json:
                click.echo(json.dumps({"error": str(exc), "exit_code": 1, "failures": _failures(failures)}, ensure_ascii=False))
            _fail(exc)
        except KeyboardInterrupt:
            _err.print("[red]interrupted[/]: the store keeps the letters finished so far; no dump was written", highlight=False)
            sys.exit(130)
    code = 2 if report.failures else 0
    if as_json:
        click.echo(json.dumps(_json_summary(report, None if no_store else store_dir, out, code), ensure_ascii=False, indent=2))
    elif not quiet:
        written = f" · written {out}" if out is not None else ""
        _err.print(f"letters read {len(report.letters)} · failed {len(report.failures)} · entities {report.entities:,} · "
                   f"triples {_short(report.triples)} · time {report.seconds:.1f} s{written}", highlight=False)
        if set(report.count("encoding")) - {"utf-8"} or set(report.count("format")) - {"txt"}:
            _err.print(f"formats {_tally(report.count('format'))} · encodings {_tally(report.count('encoding'))}",
                       highlight=False)
    sys.exit(code)


def _failures(failures: list[IngestError]) -> list[dict[str, str]]:
    return [{"file": to_display_name(str(f.path)), "problem": f.problem} for f in failures]


def _json_summary(report: BuildReport, store: Path | None, out: Path | None, code: int) -> dict[str, object]:
    return {
        "letters_read": len(report.letters),
        "failed": len(report.failures),
        "entities": report.entities,
        "triples": report.triples,
        "seconds": round(report.seconds, 3),
        "store": None if store is None else str(store),
        "written": None if out is None else str(out),
        "exit_code": code,
        "formats": report.count("format"),
        "encodings": report.count("encoding"),
        "letters": [{"file": to_display_name(s.path), "graph": s.graph, "format": s.format, "encoding": s.encoding,
                     "triples": s.triples,
                     "warnings": list(s.warnings)} for s in report.summaries],
        "failures": _failures(report.failures),
    }


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
              help="Dump file; the format follows the extension: .ttl, .trig, .nq, .jsonld; .graphml, .gexf for Gephi.")
@click.option("--graph", "letters", multiple=True, metavar="LETTER",
              help="Only this letter (its file stem or graph IRI); may be repeated.")
def export(store_dir: Path, out: Path, letters: tuple[str, ...]) -> None:
    """Write the store's letters (without the ontology) to a dump file.

    Exporting the same store twice gives identical bytes. GraphML and GEXF hold the
    network of entities, replies and proposals (as `policykg viz` draws it, without
    mention links), with names, letters, evidence and community as attributes.
    """
    if out.suffix.lower() in NETWORK_FORMATS:
        _export_network(store_dir, out, letters)
        return
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
@click.option("--centrality", is_flag=True, help="Also rank the nodes of each class by betweenness and degree (networkx).")
def stats(file: Path | None, store_dir: Path, top: int, dupes: int, centrality: bool) -> None:
    """Counts per class and property, the entities in most letters, and the resolution report.

    Reads a dump FILE if given, else the store. The report gives, per class, how many
    surface forms were merged into how many entities, and lists near-duplicates that were
    not merged (same class; one label inside the other, or one edit apart) for review.
    """
    try:
        with (open_dump(file) if file is not None else LetterStore(store_dir, read_only=True)) as store:
            st = to_stats(store, top=top)
            ranked = to_centrality(to_networkx(store), top=top) if centrality else []
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
    t = Table(title="lowest-confidence entities (their surest mention; review these)")
    for col in ("class", "label", "confidence", "rule"):
        t.add_column(col)
    for cls, label, conf, rule in st.low_confidence:
        t.add_row(cls, label, f"{conf:.2f}", rule)
    _out.print(t)
    t = Table(title="top entities (by letters)")
    for col in ("class", "label", "letters"):
        t.add_column(col)
    for cls, label, n in st.top_entities:
        t.add_row(cls, label, str(n))
    _out.print(t)
    if centrality:
        _print_centrality(ranked, top)
    _out.print(f"triples: {st.triples}")


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--keep-contacts", is_flag=True, help="Accept contacts' telephone numbers (graphs built with --keep-contacts).")
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (the slowest check); run the integrity checks only.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=0), help="Problems listed per check.")
def validate(file: Path | None, store_dir: Path, keep_contacts: bool, no_shacl: bool, limit: int) -> None:
    """Check a graph (a dump FILE, or else the store) against the shapes and integrity rules.

    The checks: the SHACL shapes of ontology/shapes.ttl; every entity has a label; every
    extracted statement has evidence (a sentence); no dangling IRIs or undeclared pol:
    terms; no node in two classes the ontology declares disjoint; no telephone number,
    e-mail address or ID-card number in any literal.

    Exit codes: 0 valid; 1 problems found (listed per check); 2 the graph cannot be read.
    """
    try:
        if file is not None:
            triples = read_triples(file)
        else:
            with LetterStore(store_dir, read_only=True) as store:
                triples = read_triples(store)
        report = validate_triples(triples, keep_contacts=keep_contacts, shacl=not no_shacl)
    except PolicyKGError as exc:
        _report_error(exc)
        sys.exit(2)
    def say(line: str) -> None:
        _out.print(line, highlight=False, soft_wrap=True)

    say(f"{file if file is not None else store_dir}: {report.triples:,} triples · {report.letters} letters")
    for check, title in CHECKS.items():
        found = report.of(check)
        if check == "shacl" and no_shacl:
            say(f"  [dim]- {title}: skipped[/]")
        elif not found:
            say(f"  [green]ok[/]   {title}")
        else:
            say(f"  [red]FAIL[/] {title}: {_plural(len(found), 'problem')}")
            for problem in found[:limit]:
                say(f"         {escape(problem.focus)}: {escape(problem.message)}")
            if len(found) > limit:
                say(f"         … and {len(found) - limit} more")
    verdict = "[green]valid[/]" if report.conforms else "[red]invalid[/]: " + _plural(len(report.problems), "problem")
    say(f"{verdict} ({report.seconds:.1f} s)")
    sys.exit(0 if report.conforms else 1)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _open_graph_source(file: Path | None, store_dir: Path) -> LetterStore:
    """A dump FILE read into memory, or the store."""
    return open_dump(file) if file is not None else LetterStore(store_dir, read_only=True)


def _export_network(store_dir: Path, out: Path, letters: tuple[str, ...]) -> None:
    try:
        with LetterStore(store_dir, read_only=True) as store:
            graph = to_networkx(store, letters=letters)
        write_network(graph, out)
    except PolicyKGError as exc:
        _fail(exc)
    _err.print(f"{graph.number_of_nodes()} nodes · {graph.number_of_edges()} relations written to {out}",
               highlight=False, soft_wrap=True)


def _print_centrality(rows: list[Centrality], top: int) -> None:
    t = Table(title=f"centrality: top {top} per class by betweenness (undirected links)")
    for col in ("class", "label", "degree", "betweenness"):
        t.add_column(col, justify="right" if col in ("degree", "betweenness") else "left")
    for row in rows:
        t.add_row(row.cls, escape(row.label), str(row.degree), f"{row.betweenness:.4f}")
    _out.print(t)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="The HTML page to write.")
@click.option("--focus", "focus", multiple=True, metavar="NAME",
              help="Only what lies within --hops of this entity (any of its names, or part of one); may be repeated.")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(min=0), help="Links away from --focus.")
@click.option("--types", metavar="CLASS,...", help="Only these classes and their subclasses, e.g. Agency,Firm,Regulation.")
@click.option("--letter", "letters", multiple=True, metavar="ID",
              help="Only these letters (file stem, file name or graph IRI); may be repeated.")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(min=1),
              help="At most this many nodes (nearest --focus first, then the most linked).")
@click.option("--color", type=click.Choice(["class", "community"]), default="class", show_default=True,
              help="Colour nodes by class or by community (Louvain); shapes always follow the class.")
@click.option("--no-documents", is_flag=True, help="Leave replies and proposals, and the links to them, out.")
@click.option("--no-mentions", is_flag=True, help="Do not link entities to the replies that mention them.")
def viz(file: Path | None, store_dir: Path, out: Path, focus: tuple[str, ...], hops: int, types: str | None,
        letters: tuple[str, ...], max_nodes: int, color: str, no_documents: bool, no_mentions: bool) -> None:
    """Write the graph as one self-contained HTML page that works offline.

    Reads a dump FILE if given, else the store. Nodes are entities (and, unless
    --no-documents, replies and proposals), coloured and shaped by class; click one for its
    names, letters, relations and evidence sentences. Everything the page needs is inside
    it: nothing is fetched. Exit code 1 when a name matches no entity or several.
    """
    try:
        with _open_graph_source(file, store_dir) as store:
            graph = to_networkx(store, letters=letters, documents=not no_documents, mentions=not no_mentions)
        centres = [to_entity(graph, name) for name in focus]
        view = to_subgraph(graph, focus=centres, hops=hops, types=parse_types(types or ""), max_nodes=max_nodes)
        title = " · ".join(["policykg", *(graph.nodes[c]["label"] for c in centres), *letters])
        write_html(view, out, color=color, title=title)
    except PolicyKGError as exc:
        _fail(exc)
    omitted = view.graph.get("omitted", 0)
    more = f" ({omitted} more nodes left out by --max-nodes)" if omitted else ""
    _err.print(f"{view.number_of_nodes()} nodes · {view.number_of_edges()} relations{more} written to {out}",
               highlight=False, markup=False)


@main.command()
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
@click.argument("file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_STORE, help=_STORE_HELP)
@click.option("--mentions", is_flag=True, help="Also pass through letters that mention an entity (pol:mentionedIn).")
def path(source: str, target: str, file: Path | None, store_dir: Path, mentions: bool) -> None:
    """The shortest connection between two named entities, with the relation and evidence of each hop.

    A and B are any name of an entity (Chinese, English, pinyin, another form) or a part of
    one that names a single entity. Relations count in either direction; replies and
    proposals are on the way. Exit code 1 when a name is unknown or ambiguous, or when the
    two are not connected.
    """
    try:
        with _open_graph_source(file, store_dir) as store:
            graph = to_networkx(store, mentions=mentions)
        hops = to_path(graph, to_entity(graph, source), to_entity(graph, target))
    except PolicyKGError as exc:
        _fail(exc)

    def node(n: str) -> str:
        return f"{graph.nodes[n]['label']} ({graph.nodes[n]['cls']})"

    lines = [node(hops[0].source) if hops else node(to_entity(graph, source))]
    for hop in hops:
        for link in hop.links:
            lines.append(f"  {'→' if link.forward else '←'} {link.relation}")
            lines += [f"      [{ev.letter}] {' '.join(ev.text.split())}" for ev in link.evidence]
        lines.append(node(hop.target))
    lines.append(f"{len(hops)} hops")
    for line in lines:
        _out.print(line, markup=False, highlight=False, soft_wrap=True)
