"""Shared fixtures: the seed letter, the shared development letters, built graphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from policykg.export import to_union_graph
from policykg.pipeline import build_graph

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "data" / "letters" / "gz-2022-20222149-gxj.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/cases/*/expected.ttl")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def shared_letters() -> Path:
    folder = SHARED / "letters"
    if not folder.is_dir():
        pytest.skip(f"shared development letters not present at {folder}")
    return folder


@pytest.fixture(scope="session")
def seed_graph() -> Graph:
    return to_union_graph(build_graph([SEED]).dataset)


@pytest.fixture(scope="session")
def all_graph(shared_letters: Path) -> Graph:
    return to_union_graph(build_graph([shared_letters]).dataset)
