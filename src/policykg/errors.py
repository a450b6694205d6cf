"""One exception tree: everything policykg raises on purpose is a PolicyKGError."""

from __future__ import annotations

from pathlib import Path

__all__ = ["IngestError", "NoLettersError", "OutputFormatError", "PolicyKGError", "QueryError", "StoreError"]


class PolicyKGError(Exception):
    """Base class of every error policykg raises on purpose."""


class IngestError(PolicyKGError):
    """A file could not be read as a letter."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[IngestError], tuple[Path, str]]:
        # picklable, so worker processes can hand errors back
        return (type(self), (self.path, self.problem))


class NoLettersError(PolicyKGError):
    """The paths given hold no readable letter."""


class OutputFormatError(PolicyKGError):
    """The output file's extension names no supported RDF format."""


class StoreError(PolicyKGError):
    """The store cannot be opened or written (missing, locked, corrupt)."""


class QueryError(PolicyKGError):
    """A query cannot be found, parsed, bound or run (or it timed out)."""
