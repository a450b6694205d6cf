"""The only place the stages are chained: ingest → extract → resolve → build → store.

``build_store`` is the production path: letters are read and turned into N-Triples by worker
processes (one per core), and the main process writes each letter's graph into the store in
its own transaction. ``build_graph`` gives the same statements as an in-memory rdflib
Dataset, for tests and library use.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, URIRef

from policykg.build import Triple, letter_triples, new_dataset
from policykg.errors import IngestError, NoLettersError
from policykg.extract import extract
from policykg.ingest import find_letters, read_letter
from policykg.ntriples import nquads
from policykg.resolve import resolve
from policykg.store import LetterStore

__all__ = ["BuildReport", "LetterGraph", "build_graph", "build_store", "process_file"]


# New letters are bulk-loaded in groups of about this many triples (each group all or nothing).
_BULK_TRIPLES = 100_000


@dataclass(frozen=True)
class LetterGraph:
    """One letter's statements, ready for a store: its graph IRI and sorted N-Triples."""

    source: str
    graph: str
    ntriples: str
    entities: frozenset[str]
    triples: int


@dataclass
class BuildReport:
    """What a build did: the letters read, the files that failed and why, the counts."""

    letters: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    failures: list[IngestError] = field(default_factory=list)
    entities: int = 0
    triples: int = 0
    seconds: float = 0.0
    dataset: Dataset | None = None


def _letter_triples(path: Path) -> tuple[str, URIRef, set[Triple], frozenset[str]]:
    letter = read_letter(path)
    ex = extract(letter)
    res = resolve(ex)
    gid, triples = letter_triples(ex, res)
    return letter.source, gid, triples, frozenset(str(e) for e in res.entities)


def process_file(path: Path) -> LetterGraph | IngestError:
    """Read, extract and resolve one file (runs in a worker process); errors are returned."""
    try:
        source, gid, triples, entities = _letter_triples(path)
    except IngestError as exc:
        return exc
    return LetterGraph(source, str(gid), nquads(triples), entities, len(triples))


def _results(files: list[Path], jobs: int) -> Iterator[LetterGraph | IngestError]:
    if jobs <= 1 or len(files) < 8:
        yield from map(process_file, files)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(process_file, files, chunksize=max(1, min(64, len(files) // (jobs * 8))))


def _no_letters(paths: Iterable[Path], failures: int) -> NoLettersError:
    where = ", ".join(str(p) for p in paths)
    return NoLettersError(f"no readable letter in {where}" + (f" ({failures} failed)" if failures else ""))


def build_store(
    paths: Iterable[Path],
    store: LetterStore,
    *,
    jobs: int | None = None,
    on_error: Callable[[IngestError], None] | None = None,
    on_letter: Callable[[LetterGraph], None] | None = None,
) -> BuildReport:
    """Build every letter under ``paths`` into the store, one transaction per letter.

    A file that cannot be read is reported (``on_error``) and skipped; the others are built.

    Raises:
        IngestError: a path does not exist.
        NoLettersError: no readable letter was found.
    """
    started = time.perf_counter()
    paths = list(paths)
    files = list(find_letters(paths))
    report = BuildReport()
    entities: set[str] = set()
    store.load_ontology()
    existing = set(store.letter_graphs())
    pending: list[tuple[str, str]] = []  # new letters (graph, N-Triples), bulk-loaded together
    pending_graphs: set[str] = set()
    pending_triples = 0

    def flush() -> None:
        nonlocal pending_triples
        store.add_new_graphs(pending)
        existing.update(pending_graphs)
        pending.clear()
        pending_graphs.clear()
        pending_triples = 0

    for result in _results(files, jobs or os.cpu_count() or 1):
        if isinstance(result, IngestError):
            report.failures.append(result)
            if on_error:
                on_error(result)
            continue
        if result.graph in pending_graphs:
            flush()
        if result.graph in existing:  # built before: replace its graph in one transaction
            store.replace_graph(result.graph, result.ntriples)
        else:
            pending.append((result.graph, result.ntriples))
            pending_graphs.add(result.graph)
            pending_triples += result.triples
            if pending_triples >= _BULK_TRIPLES:
                flush()
        report.letters.append(result.source)
        report.graphs.append(result.graph)
        report.triples += result.triples
        entities.update(result.entities)
        if on_letter:
            on_letter(result)
    flush()
    store.flush()
    if not report.letters:
        raise _no_letters(paths, len(report.failures))
    report.entities = len(entities)
    report.seconds = time.perf_counter() - started
    return report


def build_graph(paths: Iterable[Path], *, on_error: Callable[[IngestError], None] | None = None) -> BuildReport:
    """Build the letters under ``paths`` into an in-memory rdflib Dataset (``report.dataset``).

    Raises:
        IngestError: a path does not exist.
        NoLettersError: no readable letter was found.
    """
    started = time.perf_counter()
    paths = list(paths)
    report = BuildReport(dataset=new_dataset())
    assert report.dataset is not None
    entities: set[str] = set()
    for path in find_letters(paths):
        try:
            source, gid, triples, ents = _letter_triples(path)
        except IngestError as exc:
            report.failures.append(exc)
            if on_error:
                on_error(exc)
            continue
        g = report.dataset.graph(gid)
        for t in triples:
            g.add(t)
        report.letters.append(source)
        report.graphs.append(str(gid))
        report.triples += len(triples)
        entities.update(ents)
    if not report.letters:
        raise _no_letters(paths, len(report.failures))
    report.entities = len(entities)
    report.seconds = time.perf_counter() - started
    return report
