"""Places from ``data/gazetteer/places.tsv``: full name, level and parent of each jurisdiction."""

from __future__ import annotations

from functools import cache

from policykg.resources import load_table

__all__ = ["enclosing", "place_info", "places"]


@cache
def places() -> dict[str, tuple[str, str, str]]:
    """Place name or alias (2+ characters) → (full name, level, parent)."""
    out: dict[str, tuple[str, str, str]] = {}
    for row in load_table("places.tsv"):
        aliases = row[3].split("|") if len(row) > 3 and row[3] else []
        for name in (row[0], *aliases):
            if len(name) >= 2:
                out.setdefault(name, (row[0], row[1], row[2]))
    return out


def place_info(name: str) -> tuple[str, str, str] | None:
    """(full name, level, parent) of a place, or None when it is not in the gazetteer.

    >>> place_info("番禺区")
    ('广州市番禺区', 'district', '广州市')
    """
    return places().get(name)


def enclosing(jurisdiction: str | None, level: str) -> str | None:
    """The jurisdiction's enclosing place at a level (province / city / district).

    >>> enclosing("广州市番禺区", "city")
    '广州市'
    """
    place = jurisdiction
    while place:
        info = places().get(place)
        if info is None:
            return None
        if info[1] == level:
            return info[0]
        place = info[2]
    return None
