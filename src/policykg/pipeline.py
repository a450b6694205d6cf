"""The only place the stages are chained: ingest → extract → resolve → build → store.

``build_store`` is the production path: letters are read and turned into N-Triples by worker
processes (one per core), and the main process writes each letter's graph into the store in
its own transaction. ``build_graph`` gives the same statements as an in-memory rdflib
Dataset, for tests and library use.

A file that fails is reported and skipped, whatever went wrong with it: an unreadable or
hostile file, or a bug that it triggers in reading or extraction (reported as an internal
error with the exception, so it can be fixed); the batch goes on.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from policykg.build import letter_triples, new_dataset
from policykg.errors import IngestError, NoLettersError
from policykg.export import serialize_quads
from policykg.extract import extract
from policykg.ingest import find_letters, read_letter
from policykg.ntriples import to_ntriples
from policykg.resolve import resolve
from policykg.store import LetterStore

__all__ = ["BuildReport", "LetterGraph", "LetterSummary", "build_graph", "build_store", "process_file"]


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
    summary: LetterSummary | None = None


@dataclass(frozen=True)
class LetterSummary:
    """How one file was read: its path, format, encoding, warnings, and its graph's size."""

    path: str
    graph: str
    format: str
    encoding: str
    triples: int
    warnings: tuple[str, ...] = ()


@dataclass
class BuildReport:
    """What a build did: the letters read, the files that failed and why, the counts."""

    letters: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    failures: list[IngestError] = field(default_factory=list)
    summaries: list[LetterSummary] = field(default_factory=list)
    files: int = 0
    entities: int = 0
    triples: int = 0
    seconds: float = 0.0
    dataset: Dataset | None = None

    def count(self, what: str) -> dict[str, int]:
        """How many letters had each ``format`` or ``encoding``, most common first."""
        return dict(Counter(getattr(s, what) for s in self.summaries).most_common())


def process_file(path: Path, *, keep_contacts: bool = False) -> LetterGraph | IngestError:
    """Read, extract and resolve one file (in a worker process); a file that fails gives its IngestError.

    With ``keep_contacts``, the contact person's telephone number is kept (schema:telephone).
    """
    try:
        letter = read_letter(path)
        ex = extract(letter)
        res = resolve(ex)
        gid, triples = letter_triples(ex, res, keep_contacts=keep_contacts)
    except IngestError as exc:
        return exc
    except Exception as exc:  # a bug this file triggers: reported as a failure of this file, the batch goes on
        what = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return IngestError(path, f"internal error while reading it ({what}); please report it")
    summary = LetterSummary(str(path), str(gid), letter.format, letter.encoding, len(triples), letter.warnings)
    entities = frozenset(str(e) for e in res.entities)
    return LetterGraph(letter.source, str(gid), to_ntriples(triples), entities, len(triples), summary)


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is for the main process, which stops the build and the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _results(files: list[Path], jobs: int, keep_contacts: bool) -> Iterator[LetterGraph | IngestError]:
    work = partial(process_file, keep_contacts=keep_contacts)
    if jobs <= 1 or len(files) < 8:
        yield from map(work, files)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts)
    try:
        yield from pool.map(work, files, chunksize=max(1, min(64, len(files) // (jobs * 8))))
    finally:  # stopped early (Ctrl-C, an error): the files not yet started are dropped, not waited for
        pool.shutdown(wait=True, cancel_futures=True)


def _same_key(path: str, first: str) -> IngestError:
    return IngestError(Path(path), f"same letter key as {first} (letters are keyed by file name; rename one); skipped")


def _no_letters(paths: Iterable[Path], failures: int) -> NoLettersError:
    where = ", ".join(str(p) for p in paths)
    return NoLettersError(f"no readable letter in {where}" + (f" ({failures} failed)" if failures else ""))


def build_store(
    paths: Iterable[Path],
    store: LetterStore,
    *,
    jobs: int | None = None,
    keep_contacts: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_error: Callable[[IngestError], None] | None = None,
    on_letter: Callable[[LetterGraph], None] | None = None,
) -> BuildReport:
    """Build every letter under ``paths`` into the store, one transaction per letter.

    A file that cannot be read is reported (``on_error``) and skipped; the others are built.
    ``on_start`` is told how many files were found, ``on_letter`` each letter built.
    Two files with the same name (the same letter key) in one build: the second fails.

    Raises:
        IngestError: a path does not exist.
        NoLettersError: no readable letter was found.
    """
    started = time.perf_counter()
    paths = list(paths)
    report = BuildReport()

    def failed(exc: IngestError) -> None:
        report.failures.append(exc)
        if on_error:
            on_error(exc)

    files = _distinct(find_letters(paths, on_error=failed))
    report.files = len(files)
    if on_start:
        on_start(len(files))
    entities: set[str] = set()
    store.load_ontology()
    existing = set(store.letter_graphs())
    built: dict[str, str] = {}  # graph → the file it came from, in this build
    pending: list[tuple[str, str]] = []  # new letters (graph, N-Triples), bulk-loaded together
    pending_triples = 0
    stored_before = len(existing)

    def flush() -> None:
        nonlocal pending_triples
        store.add_new_graphs(pending)
        existing.update(g for g, _ in pending)
        pending.clear()
        pending_triples = 0

    for result in _results(files, jobs or os.cpu_count() or 1, keep_contacts):
        if isinstance(result, IngestError):
            failed(result)
            continue
        assert result.summary is not None
        if result.graph in built:
            failed(_same_key(result.summary.path, built[result.graph]))
            continue
        built[result.graph] = result.summary.path
        if result.graph in existing:  # built before: replace its graph in one transaction
            store.replace_graph(result.graph, result.ntriples)
        else:
            pending.append((result.graph, result.ntriples))
            pending_triples += result.triples
            if pending_triples >= _BULK_TRIPLES:
                flush()
        report.letters.append(result.source)
        report.graphs.append(result.graph)
        report.summaries.append(result.summary)
        report.triples += result.triples
        entities.update(result.entities)
        if on_letter:
            on_letter(result)
    flush()
    store.flush()
    if len(existing) > stored_before:  # letters were bulk-loaded: compact the files the loader wrote
        store.optimize()
    if not report.letters:
        raise _no_letters(paths, len(report.failures))
    report.entities = len(entities)
    report.seconds = time.perf_counter() - started
    return report


def _distinct(files: Iterable[Path]) -> list[Path]:
    """Files in order, each once (a file named twice, or inside a folder also named, is read once)."""
    seen: set[Path] = set()
    out = []
    for f in files:
        real = f.resolve()
        if real not in seen:
            seen.add(real)
            out.append(f)
    return out


def build_graph(
    paths: Iterable[Path],
    *,
    keep_contacts: bool = False,
    on_error: Callable[[IngestError], None] | None = None,
) -> BuildReport:
    """Build the letters under ``paths`` as ``build_store`` does, into an rdflib Dataset (``report.dataset``).

    Raises:
        IngestError: a path does not exist.
        NoLettersError: no readable letter was found.
    """
    with LetterStore(None) as store:
        report = build_store(paths, store, jobs=1, keep_contacts=keep_contacts, on_error=on_error)
        data = serialize_quads(store.quads(), ox.RdfFormat.N_QUADS)  # the letters' graphs
    report.dataset = new_dataset()
    report.dataset.parse(data=data.decode("utf-8"), format="nquads")
    return report
