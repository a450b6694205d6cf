"""The only place the stages are chained: ingest → extract → resolve → build → store.

``build_store`` is the production path: letters are read and turned into N-Triples by worker
processes (one per core), and the main process writes each letter's graph into the store in
its own transaction. ``build_graph`` gives the same statements as an in-memory rdflib
Dataset, for tests and library use.

A file that fails is reported and skipped, whatever went wrong with it: an unreadable or
hostile file, a bug that it triggers in reading or extraction (reported as an internal
error with the exception, so it can be fixed), or a letter whose reading takes longer than
the time limit (``time_limit``, 20 s by default); the batch goes on.

The time limit is why letters are read in worker processes even for a single letter: a
regular expression stuck on a hostile text cannot be interrupted inside one match (Python's
``re`` does not look at signals there), but its process can be killed. The workers live as
long as the build; one that runs over the limit is killed and replaced, and its letter fails
with ``extraction took longer than N s``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from policykg.build import letter_triples, new_dataset
from policykg.errors import IngestError, NoLettersError
from policykg.export import serialize_quads
from policykg.extract import extract
from policykg.ingest import find_letters, read_letter, to_letter
from policykg.ntriples import to_ntriples
from policykg.resolve import resolve
from policykg.store import LetterStore

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "MAX_TRIPLES",
    "BuildReport",
    "LetterGraph",
    "LetterSummary",
    "build_graph",
    "build_store",
    "process_file",
]

# Seconds one letter may take to be read, extracted and resolved (a letter of 100 KB takes
# well under a second); a letter over it fails with one line and the batch goes on.
DEFAULT_TIME_LIMIT = 20.0
# A letter gives a few thousand statements (the largest shared letter, 4,100 characters, 2,858);
# a text that gives more than this is not one letter (a list of 60,000 firms, say), and storing
# and writing its graph would take longer than reading it: it fails like a text too long.
MAX_TRIPLES = 200_000


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
        if len(triples) > MAX_TRIPLES:
            raise IngestError(path, f"too many statements ({len(triples):,} triples; a letter gives at most {MAX_TRIPLES:,}): "
                                    "not one letter")
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


def _results(
    files: list[Path], jobs: int, keep_contacts: bool, time_limit: float | None
) -> Iterator[LetterGraph | IngestError]:
    """Each file's result, in the order of ``files``."""
    if time_limit is not None:
        yield from _timed_results(files, jobs, keep_contacts, time_limit)
        return
    work = partial(process_file, keep_contacts=keep_contacts)
    if jobs <= 1 or len(files) < 8:
        yield from map(work, files)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts)
    try:
        yield from pool.map(work, files, chunksize=max(1, min(64, len(files) // (jobs * 8))))
    finally:  # stopped early (Ctrl-C, an error): the files not yet started are dropped, not waited for
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_main(conn: Connection, keep_contacts: bool, spool: Path) -> None:
    """A worker process: read the files it is sent, in turn; say when it starts each, and where its result is.

    A result goes into a file of ``spool`` and only its name down the pipe: the worker goes on
    with the next letter even while the main process, busy storing a batch, reads no result.
    """
    _ignore_interrupts()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the main process is gone
            return
        if task is None:
            return
        index, path = task
        conn.send((index, time.monotonic()))  # CLOCK_MONOTONIC: the same clock in every process
        result = process_file(path, keep_contacts=keep_contacts)
        done = spool / f"{index}.pickle"
        done.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        conn.send((index, str(done)))


class _Worker:
    """One worker process, the files handed to it (``tasks``, in order) and when it started the first."""

    def __init__(self, keep_contacts: bool, spool: Path) -> None:
        ours, theirs = multiprocessing.Pipe()
        self.process: BaseProcess = multiprocessing.Process(
            target=_worker_main, args=(theirs, keep_contacts, spool), name="policykg-worker", daemon=True)
        self.process.start()
        theirs.close()
        self.conn = ours
        self.tasks: deque[tuple[int, Path]] = deque()
        self.started: float | None = None  # when it started tasks[0], as it said

    def give(self, task: tuple[int, Path]) -> None:
        self.conn.send(task)
        self.tasks.append(task)

    def stop(self, *, kill: bool) -> None:
        """End the process: asked to leave when idle, killed when busy or when ``kill``."""
        if self.process.is_alive() and not kill and not self.tasks:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()

    def exit_status(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        return f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"


# A letter that goes through every recogniser (and so builds their tables and patterns).
_WARM_UP = (
    "张三代表:\n您提出的《关于支持中小企业发展的建议》(第20220001号)收悉,由我局会同市财政局、市商务局负责办理。现答复如下:\n"
    "一是市财政局、市商务局联合印发《广州市促进中小企业发展办法》。二是我局实施“专精特新”培育行动,推出“科技贷”,"
    "以视源电子、广州银行为代表的企业集聚发展,形成汽车、电子两大千亿级产业集群,建设广州民营科技园和黄埔经济开发区。"
    "广州农商银行开发银农通、农耕贷等产品,带动华为、中兴等一批龙头企业。\n感谢您的关心和支持。\n广州市工业和信息化局\n"
    "2022年6月17日\n(联系人:吴志,联系电话:13660007681)\n"
)


def _warm_up(keep_contacts: bool) -> None:
    """Build the tables and compiled patterns that reading a letter needs, once, before the workers
    are forked: they share them, and a worker's first letter does not pay for them in its time."""
    with contextlib.suppress(Exception):  # only a head start: a real letter reports its own errors
        letter = to_letter(_WARM_UP.encode("utf-8"), Path("warm-up.txt"))
        ex = extract(letter)
        letter_triples(ex, resolve(ex), keep_contacts=keep_contacts)


def _timed_results(
    files: list[Path], jobs: int, keep_contacts: bool, time_limit: float
) -> Iterator[LetterGraph | IngestError]:
    """Each file's result in order, read by worker processes, each letter within ``time_limit`` seconds.

    A thread hands the files to the workers (each has the next one before it finishes the one it
    reads) and collects their results, so the workers go on while the caller stores a result. A
    worker says when it starts a letter; one over the limit is killed and replaced, its letter
    gives ``IngestError(path, "extraction took longer than N s")``, and the letters handed to it
    after that one go to another worker. A worker that dies (killed from outside, out of memory)
    fails its letter the same way, with its exit status.
    """
    if not files:
        return
    _warm_up(keep_contacts)
    # files handed to a worker ahead of the one it reads (as ProcessPoolExecutor.map's chunks)
    ahead = max(2, min(64, len(files) // (jobs * 8)))
    todo = deque(enumerate(files))
    done: queue.Queue[tuple[int, LetterGraph | IngestError] | BaseException | None] = queue.Queue()
    stopping = threading.Event()
    wake_read, wake_write = multiprocessing.Pipe(duplex=False)
    spool = Path(tempfile.mkdtemp(prefix="policykg-build-"))
    # started here, by the main thread: only a replacement is started by the thread below
    workers = [_Worker(keep_contacts, spool) for _ in range(max(1, min(jobs, len(files))))]
    too_long = f"extraction took longer than {time_limit:g} s"

    def replace(worker: _Worker, failure: str | None) -> None:
        """Kill a worker; its letter fails with ``failure`` (if it had started it), the others go back."""
        if failure is not None and worker.started is not None and worker.tasks:
            index, path = worker.tasks.popleft()
            done.put((index, IngestError(path, failure)))
        todo.extendleft(reversed(worker.tasks))
        worker.tasks.clear()
        worker.stop(kill=True)
        workers[workers.index(worker)] = _Worker(keep_contacts, spool)

    def read(worker: _Worker) -> None:
        """What the worker has sent: that it started its first letter, or that letter's result."""
        while worker.conn.poll():
            index, message = worker.conn.recv()
            if isinstance(message, float):
                worker.started = message
            else:
                result = Path(message)
                worker.tasks.popleft()
                worker.started = None
                done.put((index, pickle.loads(result.read_bytes())))
                result.unlink()

    def run() -> None:
        try:
            while not stopping.is_set():
                while todo and (w := min(workers, key=lambda w: len(w.tasks))) and len(w.tasks) < ahead:
                    task = todo.popleft()  # to the worker with the fewest files in hand
                    try:
                        w.give(task)
                    except OSError:  # the worker died: another one reads its letters
                        todo.appendleft(task)
                        replace(w, None)
                busy = [w for w in workers if w.tasks]
                if not busy:
                    break
                deadlines = [w.started + time_limit for w in busy if w.started is not None]
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                ready = wait([*(w.conn for w in busy), wake_read], timeout)
                if stopping.is_set():
                    break
                for w in busy:
                    if w.conn in ready:
                        try:
                            read(w)
                        except (EOFError, OSError):  # the worker died: its letter fails, the others go on
                            replace(w, f"the worker reading it stopped ({w.exit_status()})")
                now = time.monotonic()
                for w in busy:
                    if w in workers and w.started is not None and now >= w.started + time_limit and not w.conn.poll():
                        replace(w, too_long)
        except BaseException as exc:  # handed to the main thread, which raises it
            done.put(exc)
        finally:
            done.put(None)

    thread = threading.Thread(target=run, name="policykg-dispatch", daemon=True)
    thread.start()
    try:
        waiting: dict[int, LetterGraph | IngestError] = {}
        for index in range(len(files)):
            while index not in waiting:
                item = done.get()
                if isinstance(item, BaseException):
                    raise item
                if item is None:
                    raise RuntimeError("the worker processes stopped before every file was read")
                waiting[item[0]] = item[1]
            yield waiting.pop(index)
    finally:  # also when stopped early (Ctrl-C, an error): the workers are stopped, busy ones killed
        stopping.set()
        wake_write.send_bytes(b"")
        thread.join()
        for w in workers:
            w.stop(kill=False)
        wake_read.close()
        wake_write.close()
        shutil.rmtree(spool, ignore_errors=True)


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
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    on_start: Callable[[int], None] | None = None,
    on_error: Callable[[IngestError], None] | None = None,
    on_letter: Callable[[LetterGraph], None] | None = None,
) -> BuildReport:
    """Build every letter under ``paths`` into the store, one transaction per letter.

    A file that cannot be read is reported (``on_error``) and skipped; the others are built.
    ``on_start`` is told how many files were found, ``on_letter`` each letter built.
    Two files with the same name (the same letter key) in one build: the second fails.
    A letter not read within ``time_limit`` seconds fails (``extraction took longer than N s``);
    with ``time_limit=None`` there is no limit, and a few files are read in this process.

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

    for result in _results(files, jobs or os.cpu_count() or 1, keep_contacts, time_limit):
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
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    on_error: Callable[[IngestError], None] | None = None,
) -> BuildReport:
    """Build the letters under ``paths`` as ``build_store`` does, into an rdflib Dataset (``report.dataset``).

    Raises:
        IngestError: a path does not exist.
        NoLettersError: no readable letter was found.
    """
    with LetterStore(None) as store:
        report = build_store(paths, store, jobs=1, keep_contacts=keep_contacts, time_limit=time_limit,
                             on_error=on_error)
        data = serialize_quads(store.quads(), ox.RdfFormat.N_QUADS)  # the letters' graphs
    report.dataset = new_dataset()
    report.dataset.parse(data=data.decode("utf-8"), format="nquads")
    return report
