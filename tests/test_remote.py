"""Remote endpoints against a real Oxigraph server (PyPI package ``oxigraph``) on 127.0.0.1.

Every server is started by the session fixture ``start_server``, which waits until it answers
and stops each process at the end of the session. The letters are built into a local store,
pushed (SPARQL Update or Graph Store Protocol), and every query in ``queries/`` must give the
same rows locally and remotely.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from policykg.cli import main
from policykg.errors import StoreError
from policykg.pipeline import build_store
from policykg.remote import push_store, query_endpoint, server_command, to_batches
from policykg.resources import ontology_files
from policykg.sparql import LibraryQuery, Results, bind_values, library
from policykg.store import ONTOLOGY_GRAPH, LetterStore
from tests.conftest import SEED

BIN = Path(sys.executable).parent
OXIGRAPH = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
POLICYKG = shutil.which("policykg", path=str(BIN)) or shutil.which("policykg")
QUERIES = library()

# A value for each parameter a library query declares (``# Parameters: … ?name …``), found in
# the data by a query whose ?value is it: the most cited regulation, the most stated relation.
PARAMETER_VALUES = {
    "regulation": """
        PREFIX pol: <https://w3id.org/policykg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT (STR(?title) AS ?value) (COUNT(DISTINCT ?reply) AS ?n)
        WHERE { ?reply pol:cites ?r . ?r a pol:Regulation ; rdfs:label ?title . FILTER (LANG(?title) = "zh") }
        GROUP BY ?title ORDER BY DESC(?n) ?title LIMIT 1""",
    **dict.fromkeys(("entity", "from", "to"), """
        PREFIX pol: <https://w3id.org/policykg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT (STR(?label) AS ?value) (COUNT(DISTINCT ?reply) AS ?n)
        WHERE { ?x pol:mentionedIn ?reply ; rdfs:label ?label . FILTER (LANG(?label) = "zh") }
        GROUP BY ?label ORDER BY DESC(?n) ?label LIMIT 1"""),
    "predicate": """
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?value (COUNT(*) AS ?n) WHERE { ?statement a rdf:Statement ; rdf:predicate ?value }
        GROUP BY ?value ORDER BY DESC(?n) ?value LIMIT 1""",
}
# Each library query as it is, and once more with each parameter it declares bound.
QUERY_CASES = [(q, None) for q in QUERIES] + [(q, name) for q in QUERIES for name in re.findall(r"\?(\w+)", q.parameters)]

# A query that streams no row for minutes: a cross join of all triples with a filter that never holds.
SLOW_QUERY = 'SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (STR(?c) = CONCAT(STR(?f), "never")) }\n'


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str  # http://127.0.0.1:PORT

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    @property
    def update(self) -> str:
        return f"{self.url}/update"

    @property
    def store(self) -> str:
        return f"{self.url}/store"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session", autouse=True)
def _no_proxy_for_loopback() -> Iterator[None]:
    """urllib honours http_proxy; the servers here are on 127.0.0.1 and must be reached directly."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """Start ``COMMAND ... --bind 127.0.0.1:PORT`` on a free port; every server stops at session end."""
    if OXIGRAPH is None:
        pytest.fail("the oxigraph server is missing: it is in the dev extra (pip install -e '.[dev]')")
    started: list[subprocess.Popen[bytes]] = []
    logs = tmp_path_factory.mktemp("servers")

    def start(*command: str) -> Server:
        port = _free_port()
        log = logs / f"{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([*command, "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
        started.append(process)
        server = Server(process, f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"{' '.join(command)} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{server.query}?query=ASK%7B%7D", timeout=2):
                    return server
            except OSError:
                if time.monotonic() > deadline:
                    _stop(process)
                    pytest.fail(f"{' '.join(command)} did not answer within 30 s:\n{log.read_text(errors='replace')}")
                time.sleep(0.05)

    yield start
    for process in started:
        _stop(process)


@pytest.fixture(scope="session", params=["seed", "shared"])
def local(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LetterStore]:
    """A local store of the seed letter, or of the seed and the shared development letters."""
    paths = [SEED] if request.param == "seed" else [SEED, request.getfixturevalue("shared_letters")]
    folder = tmp_path_factory.mktemp(f"store-{request.param}")
    with LetterStore(folder) as store:
        build_store(paths, store, jobs=1)
    with LetterStore(folder, read_only=True) as store:
        yield store


def _push(store: LetterStore, server: Server, method: str, *extra: str) -> str:
    target = ["--endpoint", server.update] if method == "update" else ["--graph-store", server.store]
    assert store.path is not None
    result = CliRunner().invoke(main, ["push", "--store", str(store.path), *target, *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session", params=["update", "graph-store"])
def remote(request: pytest.FixtureRequest, local: LetterStore, start_server: Callable[..., Server]) -> Server:
    """A fresh Oxigraph server (union default graph, as local queries) holding the local store, pushed once."""
    assert OXIGRAPH is not None
    server = start_server(OXIGRAPH, "serve", "--union-default-graph", "--timeout-s", "60")
    _push(local, server, request.param)
    return server


@pytest.fixture(scope="session")
def slow_server(start_server: Callable[..., Server]) -> Server:
    """A server with a 2 s server-side query timeout, holding the seed letter."""
    assert OXIGRAPH is not None
    server = start_server(OXIGRAPH, "serve", "--union-default-graph", "--timeout-s", "2")
    with LetterStore(None) as store:
        build_store([SEED], store, jobs=1)
        push_store(store, server.update)
    return server


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """An endpoint that accepts connections and never answers (the kernel completes the handshake)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"


def _bound(query: LibraryQuery, parameter: str | None, store: LetterStore) -> str:
    text = query.path.read_text(encoding="utf-8")
    if parameter is None:
        return text
    assert parameter in PARAMETER_VALUES, f"{query.name}: add a way to find a value for ?{parameter} to PARAMETER_VALUES"
    rows = store.query(PARAMETER_VALUES[parameter]).rows
    assert rows, f"no value for ?{parameter} in this data"
    return bind_values(text, [(parameter, rows[0]["value"])])


def _rows(results: Results) -> tuple[list[str], list[tuple[str | None, ...]]]:
    return results.columns, sorted(results.values(), key=lambda row: tuple(v or "" for v in row))


def _count(url: str) -> int:
    rows = query_endpoint(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    return int(rows[0]["n"].value)


def _remote_quads(server: Server) -> list[ox.Quad]:
    request = urllib.request.Request(server.store, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(ox.parse(response.read(), format=ox.RdfFormat.N_QUADS))


def _canonical(quads: list[ox.Quad]) -> set[str]:
    """The quads with blank nodes relabelled canonically, so equal datasets give equal sets."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


@pytest.mark.parametrize(("query", "parameter"), QUERY_CASES, ids=[q.name + (f"[?{p}]" if p else "") for q, p in QUERY_CASES])
def test_library_query_same_rows_locally_and_remotely(query: LibraryQuery, parameter: str | None, local: LetterStore,
                                                      remote: Server) -> None:
    text = _bound(query, parameter, local)
    assert _rows(query_endpoint(remote.query, text, timeout=60)) == _rows(local.query(text))


def test_library_queries_give_rows(local: LetterStore) -> None:
    empty = [q.name + (f"[?{p}]" if p else "") for q, p in QUERY_CASES if not local.query(_bound(q, p, local)).rows]
    assert len(empty) < len(QUERY_CASES) // 2, f"most library queries are empty here, so the comparison proves little: {empty}"


def _named(store: LetterStore) -> list[ox.Quad]:
    """The quads of the named graphs (the local default graph is their union; push sends the graphs)."""
    return [q for q in store.ox if isinstance(q.graph_name, ox.NamedNode)]


def test_remote_holds_exactly_the_local_quads(local: LetterStore, remote: Server) -> None:
    remote_quads = _remote_quads(remote)
    assert ONTOLOGY_GRAPH in {q.graph_name.value for q in remote_quads if isinstance(q.graph_name, ox.NamedNode)}
    assert _canonical(remote_quads) == _canonical(_named(local))


@pytest.mark.parametrize("method", ["update", "graph-store"])
def test_pushing_twice_in_chunks_gives_no_duplicates(method: str, local: LetterStore, start_server: Callable[..., Server]) -> None:
    assert OXIGRAPH is not None
    server = start_server(OXIGRAPH, "serve")
    expected = len(_named(local))
    graphs = len(local.letter_graphs()) + 1  # and the ontology
    first = _push(local, server, method, "--batch", "300")
    assert _count(server.query) == expected
    second = _push(local, server, method, "--batch", "300")
    assert _count(server.query) == expected
    assert _canonical(_remote_quads(server)) == _canonical(_named(local))  # blank nodes survive chunking
    for output in (first, second):
        found = re.search(r"pushed (\d+) graphs · (\d+) triples · (\d+) requests · [\d.]+ s \(([\d,]+) triples/s\)", output)
        assert found, output
        assert (int(found[1]), int(found[2])) == (graphs, expected)
        assert int(found[3]) >= expected // 300  # chunked


def test_chunks_keep_blank_node_groups_whole() -> None:
    # the ontology files as written (the store skolemizes their blank nodes; other data may not)
    triples = [q.triple for path in ontology_files() for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    chunks = to_batches(triples, 10)
    assert sorted(map(str, triples)) == sorted(str(t) for chunk in chunks for t in chunk)
    owner: dict[str, int] = {}
    for i, chunk in enumerate(chunks):
        for t in chunk:
            for node in (t.subject, t.object):
                if isinstance(node, ox.BlankNode):
                    assert owner.setdefault(node.value, i) == i, f"blank node {node} split across chunks"
    assert owner, "the ontology graph has blank nodes (SHACL lists), so this test checks something"
    assert len(chunks) > 10


def _one_line_error(result: Result, *fragments: str) -> None:
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    assert output.startswith("error: "), output
    assert output.count("\n") == 1, output
    for fragment in fragments:
        assert fragment in output, output


def test_push_unreachable_endpoint(local: LetterStore) -> None:
    url = f"http://127.0.0.1:{_free_port()}/update"
    result = CliRunner().invoke(main, ["push", "--store", str(local.path), "--endpoint", url])
    _one_line_error(result, url, "cannot reach the endpoint", "0 of")


@pytest.mark.parametrize("option", ["--endpoint", "--graph-store"])
def test_push_http_error_carries_the_server_message(option: str, local: LetterStore, start_server: Callable[..., Server]) -> None:
    assert OXIGRAPH is not None
    assert local.path is not None
    server = start_server(OXIGRAPH, "serve-read-only", "--location", str(local.path))
    url = server.update if option == "--endpoint" else server.store
    result = CliRunner().invoke(main, ["push", "--store", str(local.path), option, url])
    _one_line_error(result, "HTTP 403", "The server is read-only")


def test_push_timeout(local: LetterStore, silent_endpoint: str) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["push", "--store", str(local.path), "--endpoint", silent_endpoint, "--timeout", "0.5"])
    _one_line_error(result, "timed out after 0.5 s")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("args", [[], ["--endpoint", "http://127.0.0.1:1/update", "--graph-store", "http://127.0.0.1:1/store"]])
def test_push_needs_exactly_one_target(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["push", "--store", str(tmp_path), *args])
    assert result.exit_code == 2
    assert "give either --endpoint" in result.output


def test_push_without_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["push", "--store", str(tmp_path / "none"), "--endpoint", "http://127.0.0.1:1/update"])
    _one_line_error(result, "no store here")


def test_query_timeout_without_answer(silent_endpoint: str) -> None:
    result = CliRunner().invoke(main, ["query", "agencies_by_letter_count", "--endpoint", silent_endpoint, "--timeout", "1"])
    _one_line_error(result, "timed out after 1 s")


def test_query_timeout_on_a_slow_query(slow_server: Server, tmp_path: Path) -> None:
    slow = tmp_path / "slow.rq"
    slow.write_text(SLOW_QUERY, encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["query", str(slow), "--endpoint", slow_server.query, "--timeout", "0.5"])
    _one_line_error(result, "timed out after 0.5 s", "client-side")
    assert time.monotonic() - started < 2  # the client gave up before the server's own 2 s timeout


def test_server_side_timeout(slow_server: Server, tmp_path: Path) -> None:
    slow = tmp_path / "slow.rq"
    slow.write_text(SLOW_QUERY, encoding="utf-8")
    result = CliRunner().invoke(main, ["query", str(slow), "--endpoint", slow_server.query])
    _one_line_error(result, "not complete SPARQL JSON results", "The SPARQL operation has been cancelled")


def test_query_http_error_carries_the_server_message(slow_server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p }\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", str(bad), "--endpoint", slow_server.query])
    _one_line_error(result, "HTTP 400", "error at")


@pytest.fixture(scope="session")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by `policykg build` and closed (the process has ended)."""
    folder = tmp_path_factory.mktemp("cli") / "store"
    assert POLICYKG is not None
    subprocess.run([POLICYKG, "build", str(SEED), "--store", str(folder)], check=True, capture_output=True)
    return folder


def _json_rows(output: str) -> list[str]:
    bindings = json.loads(output)["results"]["bindings"]
    return sorted(json.dumps(b, sort_keys=True, ensure_ascii=False) for b in bindings)


@pytest.mark.parametrize("how", ["oxigraph serve-read-only", "policykg serve"])
def test_serving_the_store_read_only(how: str, cli_store: Path, start_server: Callable[..., Server]) -> None:
    assert OXIGRAPH is not None
    assert POLICYKG is not None
    if how == "policykg serve":
        server = start_server(POLICYKG, "serve", "--store", str(cli_store))
    else:
        server = start_server(OXIGRAPH, "serve-read-only", "--location", str(cli_store), "--union-default-graph")
    args = ["query", "agencies_by_letter_count", "--format", "json"]
    remote = CliRunner().invoke(main, [*args, "--endpoint", server.query])
    local = CliRunner().invoke(main, [*args, "--store", str(cli_store)])
    assert remote.exit_code == 0, remote.output
    assert local.exit_code == 0, local.output
    assert _json_rows(remote.output) == _json_rows(local.output)
    assert "广州市工业和信息化局" in remote.output
    with urllib.request.urlopen(f"{server.url}/", timeout=10) as response:  # the SPARQL UI
        assert b"yasgui" in response.read().lower()


def test_serve_without_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--store", str(tmp_path / "none")])
    _one_line_error(result, "no store here")


def test_serve_without_server_installed(cli_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StoreError, match="oxigraph server is not installed"):
        server_command(cli_store, bind="127.0.0.1:7878")


def test_server_and_pyoxigraph_share_the_store_format(tmp_path: Path, cli_store: Path) -> None:
    assert OXIGRAPH is not None
    version = subprocess.run([OXIGRAPH, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.split()[-1].split(".")[:2] == ox.__version__.split(".")[:2], (version, ox.__version__)
    # written by the server's loader, read by pyoxigraph
    with LetterStore(cli_store, read_only=True) as store:
        quads = list(store.ox)
        graphs = store.letter_graphs()
    dump = tmp_path / "all.nq"
    ox.serialize(quads, output=str(dump), format=ox.RdfFormat.N_QUADS)
    written = tmp_path / "by-server"
    subprocess.run([OXIGRAPH, "load", "--location", str(written), "--file", str(dump)], check=True, capture_output=True)
    with LetterStore(written, read_only=True) as store:
        assert store.letter_graphs() == graphs
        assert len(list(store.ox)) == len(quads)


@pytest.mark.parametrize("command", ["push", "serve"])
def test_command_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Exit code" in result.output
