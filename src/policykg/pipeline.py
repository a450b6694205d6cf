"""The only place the stages are chained: ingest → extract → resolve → build."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from policykg.build import add_letter, new_dataset
from policykg.errors import IngestError, NoLettersError
from policykg.extract import extract
from policykg.ingest import find_letters, read_letter
from policykg.resolve import resolve

__all__ = ["BuildReport", "build_graph"]


@dataclass
class BuildReport:
    """What a build did: the dataset, the letters read, the files that failed and why."""

    dataset: Dataset
    letters: list[str] = field(default_factory=list)
    failures: list[IngestError] = field(default_factory=list)
    entities: int = 0
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        """Number of quads in the dataset."""
        return len(self.dataset)


def build_graph(paths: Iterable[Path], *, on_error: Callable[[IngestError], None] | None = None) -> BuildReport:
    """Build the knowledge graph of every letter under ``paths``.

    A file that cannot be read is reported (``on_error``) and skipped; the others are built.

    Raises:
        IngestError: a path does not exist.
        NoLettersError: no readable letter was found.
    """
    started = time.perf_counter()
    report = BuildReport(dataset=new_dataset())
    seen_entities: set[object] = set()
    files = list(find_letters(paths))
    for path in files:
        try:
            letter = read_letter(path)
        except IngestError as exc:
            report.failures.append(exc)
            if on_error:
                on_error(exc)
            continue
        ex = extract(letter)
        res = resolve(ex)
        add_letter(report.dataset, ex, res)
        report.letters.append(letter.source)
        seen_entities.update(res.entities)
    if not report.letters:
        where = ", ".join(str(p) for p in paths)
        raise NoLettersError(f"no readable letter in {where}" + (f" ({len(report.failures)} failed)" if report.failures else ""))
    report.entities = len(seen_entities)
    report.seconds = time.perf_counter() - started
    return report
