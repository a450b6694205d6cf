"""What extraction produces: typed mentions with offsets, relations, and the letter's metadata."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from policykg.ingest import Letter
from policykg.metadata import Metadata
from policykg.text import Sentence

__all__ = ["Extraction", "Mention", "Relation"]


@dataclass(frozen=True)
class Mention:
    """A typed span of the letter. ``name`` is the cleaned surface form (quotes dropped, merged)."""

    kind: str  # ontology class local name: Agency, Bank, Firm, Regulation, Program, Fund, ...
    start: int
    end: int
    name: str
    prefix: str = ""
    pronoun: bool = False
    aliases: tuple[str, ...] = ()
    rule: str = ""  # the recogniser that found it (a pol:Rule of the ontology)
    score: float = 1.0  # how sure that recogniser is, 0..1


@dataclass(frozen=True)
class Relation:
    """``subject predicate object``, read from one sentence of the letter."""

    subject: Mention
    predicate: str  # ontology property local name
    object: Mention
    evidence: int | None = None  # an offset in the sentence that states it (default: the subject's)
    rule: str = ""
    score: float = 1.0


@dataclass
class Extraction:
    """Everything read from one letter."""

    letter: Letter
    metadata: Metadata
    sentences: list[Sentence]
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    _starts: tuple[int, list[int]] = field(default=(-1, []), init=False, repr=False, compare=False)

    def sentence_of(self, offset: int) -> Sentence:
        """The sentence holding an offset (the nearest before it, for offsets between sentences)."""
        if self._starts[0] != id(self.sentences) or len(self._starts[1]) != len(self.sentences):
            self._starts = (id(self.sentences), [s.start for s in self.sentences])
        k = bisect_right(self._starts[1], offset) - 1
        return self.sentences[max(k, 0)]
