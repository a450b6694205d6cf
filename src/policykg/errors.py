"""One exception tree: everything policykg raises on purpose is a PolicyKGError."""

from __future__ import annotations

from pathlib import Path

__all__ = ["IngestError", "NoLettersError", "OutputFormatError", "PolicyKGError"]


class PolicyKGError(Exception):
    """Base class of every error policykg raises on purpose."""


class IngestError(PolicyKGError):
    """A file could not be read as a letter."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class NoLettersError(PolicyKGError):
    """The paths given hold no readable letter."""


class OutputFormatError(PolicyKGError):
    """The output file's extension names no supported RDF format."""
