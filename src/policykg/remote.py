"""Remote SPARQL stores: ask an endpoint, push the local store's graphs to one, serve the store.

Everything uses the W3C protocols, so it works with Oxigraph server, Fuseki, GraphDB,
Virtuoso and the like, and every failure becomes one line that names the URL and carries the
server's own message:

* queries: SPARQLWrapper, SPARQL 1.1 Protocol (POST, JSON results) → ``Results``, the same
  as local queries;
* push (plain ``urllib``): SPARQL 1.1 Update (``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {…} }``)
  or the SPARQL 1.1 Graph Store HTTP Protocol (``PUT …?graph=<g>`` with an N-Triples body);
* serving: the argument list that runs the ``oxigraph`` server (PyPI package ``oxigraph``)
  read-only on the store folder.

Atomicity of a push. Each HTTP request is one transaction on Oxigraph, Fuseki and GraphDB. A
graph of at most ``batch`` triples goes in one request, so it is replaced atomically: a
reader sees the old letter or the new one. A larger graph goes in chunks: the first request
drops the graph and inserts the first chunk (PUT with the Graph Store Protocol), later ones
only insert (POST); a reader may see a partly sent letter meanwhile, and a push stopped
half-way leaves the letter partial on the server until the next push, whose first request
drops it again. Chunks never split the triples that share a blank node, because each
request's blank nodes are new nodes on the server. Pushing again never duplicates triples.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from policykg import __version__
from policykg.errors import PolicyKGError, QueryError, StoreError
from policykg.sparql import Results, Term
from policykg.store import ONTOLOGY_GRAPH, LetterStore

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_TIMEOUT",
    "PushReport",
    "push_store",
    "query_endpoint",
    "server_command",
    "to_batches",
]

DEFAULT_BATCH = 10_000
DEFAULT_TIMEOUT = 60.0
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class PushReport:
    """What a push sent: graphs, triples, HTTP requests and the time it took."""

    url: str
    graphs: int
    triples: int
    requests: int
    seconds: float


# --- HTTP -----------------------------------------------------------------------------------


def _server_message(exc: urllib.error.HTTPError) -> str:
    """The server's explanation of an HTTP error, on one short line."""
    try:
        body = exc.read(4000).decode("utf-8", errors="replace")
    except OSError:
        body = ""
    text = " ".join(re.sub(r"<[^>]*>", " ", body).split())
    text = text or str(exc.reason)
    return text if len(text) <= 300 else text[:300] + "…"


def _send(method: str, url: str, body: bytes, *, content_type: str, accept: str | None = None,
          timeout: float | None, error: type[PolicyKGError]) -> bytes:
    """One HTTP request; every failure becomes ``error`` with a one-line message naming the URL."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise error(f"{url}: not an http:// or https:// URL")
    headers = {"Content-Type": content_type, "User-Agent": f"policykg/{__version__}"}
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read()
            return data
    except (OSError, http.client.HTTPException) as exc:
        raise error(_http_failure(url, exc, timeout)) from exc


def _http_failure(url: str, exc: OSError | http.client.HTTPException, timeout: float | None) -> str:
    """One line naming the URL and what went wrong: HTTP status with the server's message, timeout, unreachable."""
    timed_out = f"{url}: timed out" + (f" after {timeout:g} s without an answer (client-side --timeout)" if timeout else "")
    if isinstance(exc, urllib.error.HTTPError):
        return f"{url}: HTTP {exc.code} {exc.reason}: {_server_message(exc)}"
    if isinstance(exc, urllib.error.URLError):
        return timed_out if isinstance(exc.reason, TimeoutError) else f"{url}: cannot reach the endpoint ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return timed_out
    return f"{url}: connection failed ({type(exc).__name__}: {exc})"


# --- queries --------------------------------------------------------------------------------


def _term(binding: dict[str, str]) -> Term:
    kind = binding["type"]
    if kind == "typed-literal":  # SPARQL 1.0 JSON results
        kind = "literal"
    datatype = binding.get("datatype")
    if datatype == _XSD_STRING:
        datatype = None
    return Term(kind, binding["value"], lang=binding.get("xml:lang"), datatype=datatype)


_WRAPPER_CODES = {"QueryBadFormed": "400 Bad Request", "Unauthorized": "401 Unauthorized", "EndPointNotFound": "404 Not Found",
                  "URITooLong": "414 URI Too Long", "EndPointInternalError": "500 Internal Server Error"}


def _ask(url: str, sparql: str, timeout: float | None) -> bytes:
    """Send a query with SPARQLWrapper (SPARQL 1.1 Protocol, POST); the raw JSON answer."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise QueryError(f"{url}: not an http:// or https:// URL")
    client = SPARQLWrapper(url, agent=f"policykg/{__version__}")
    client.setQuery(sparql)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    if timeout is not None:
        client.timeout = timeout  # type: ignore[assignment]  # setTimeout() would round to whole seconds
    try:
        response = client.query().response
        data: bytes = response.read()
        return data
    except SPARQLWrapperException as exc:  # HTTP 400/401/403/404/414/500: SPARQLWrapper keeps the server's message
        code = _WRAPPER_CODES.get(type(exc).__name__, "error")
        said = str(exc).partition("Response:")[2].strip() or str(exc)
        said = re.sub(r"^b(['\"])(.*)\1$", r"\2", said, flags=re.S).replace("\\n", " ")
        text = " ".join(re.sub(r"<[^>]*>", " ", said).split())
        raise QueryError(f"{url}: HTTP {code}: {text[:300]}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise QueryError(_http_failure(url, exc, timeout)) from exc


def query_endpoint(url: str, sparql: str, *, timeout: float | None = None) -> Results:
    """Run a SELECT or ASK query on a SPARQL 1.1 query endpoint.

    The default graph is whatever the server makes it: to see the union of the letters'
    graphs, as local queries do, start the server with its union-default-graph setting.

    Args:
        url: the query endpoint, e.g. ``http://localhost:7878/query``.
        sparql: the query text (parameters already bound).
        timeout: give up when the server has sent nothing for this many seconds.

    Raises:
        QueryError: unreachable endpoint, HTTP error (with the server's message), timeout, or
            an answer that is not complete SPARQL JSON results (as when a server-side timeout
            cuts a streamed answer short).
    """
    data = _ask(url, sparql, timeout)
    try:
        answer = json.loads(data)
        if "boolean" in answer:
            return Results(boolean=bool(answer["boolean"]))
        columns = list(answer["head"].get("vars", []))
        rows = [{c: _term(b) for c, b in binding.items()} for binding in answer["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        tail = " ".join(data[-200:].decode("utf-8", errors="replace").split())
        raise QueryError(f"{url}: the answer is not complete SPARQL JSON results (a server-side timeout or error "
                         f"cuts a streamed answer short); it ends with: {tail}") from exc
    return Results(columns=columns, rows=rows)


# --- push -----------------------------------------------------------------------------------


def to_batches(triples: Sequence[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Split triples into chunks of at most ``size``, never splitting triples that share a blank node.

    Triples linked through blank nodes (an RDF list, a SHACL property shape) stay in one chunk,
    even when that chunk grows past ``size``; order is otherwise kept.

    >>> p, s = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/s")
    >>> b = ox.BlankNode("b")
    >>> triples = [ox.Triple(s, p, ox.Literal(str(i))) for i in range(3)]
    >>> triples += [ox.Triple(s, p, b), ox.Triple(b, p, ox.Literal("x"))]
    >>> [len(chunk) for chunk in to_batches(triples, 2)]
    [2, 1, 2]
    >>> to_batches([], 2)
    []
    """
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    labels = [[n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)] for t in triples]
    for names in labels:
        for other in names[1:]:
            parent[root(other)] = root(names[0])
    groups: dict[str | int, list[ox.Triple]] = {}
    for i, (triple, names) in enumerate(zip(triples, labels, strict=True)):
        groups.setdefault(root(names[0]) if names else i, []).append(triple)
    chunks: list[list[ox.Triple]] = []
    for group in groups.values():
        if not chunks or (chunks[-1] and len(chunks[-1]) + len(group) > size):
            chunks.append([])
        chunks[-1].extend(group)
    return chunks


def _update_body(graph: str, ntriples: bytes, *, first: bool) -> bytes:
    insert = b"INSERT DATA { GRAPH <" + graph.encode() + b"> {\n" + ntriples + b"} }\n"
    return (b"DROP SILENT GRAPH <" + graph.encode() + b"> ;\n" + insert) if first else insert


def _graph_url(url: str, graph: str) -> str:
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode({"graph": graph})


def push_store(
    store: LetterStore,
    url: str,
    *,
    graph_store: bool = False,
    batch: int = DEFAULT_BATCH,
    timeout: float | None = DEFAULT_TIMEOUT,
    on_graph: Callable[[str, int], None] | None = None,
) -> PushReport:
    """Send every letter graph, and the ontology graph, of the store to a remote store.

    Each graph replaces the remote graph of the same IRI (see the module notes on atomicity);
    remote graphs that the local store does not have are left alone.

    Args:
        store: the local store (read-only is enough).
        url: the SPARQL 1.1 Update endpoint, or with ``graph_store`` the Graph Store endpoint.
        graph_store: use the Graph Store HTTP Protocol (PUT, then POST for further chunks).
        batch: at most this many triples per request (blank-node groups are kept whole).
        timeout: give up when the server has not answered a request for this many seconds.
        on_graph: called with each graph's IRI and triple count once it has been sent.

    Raises:
        StoreError: unreachable endpoint, HTTP error (with the server's message) or timeout;
            the graphs sent before it are in place on the server.
    """
    started = time.perf_counter()
    graphs = store.letter_graphs()
    if store.quads(ONTOLOGY_GRAPH):
        graphs.insert(0, ONTOLOGY_GRAPH)
    triples = requests = 0
    for done, graph in enumerate(graphs):
        graph_triples = [q.triple for q in store.quads(graph)]
        for i, chunk in enumerate(to_batches(graph_triples, batch) or [[]]):
            ntriples = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b""
            try:
                if graph_store:
                    _send("PUT" if i == 0 else "POST", _graph_url(url, graph), ntriples,
                          content_type="application/n-triples", timeout=timeout, error=StoreError)
                else:
                    _send("POST", url, _update_body(graph, ntriples, first=i == 0),
                          content_type="application/sparql-update; charset=utf-8", timeout=timeout, error=StoreError)
            except StoreError as exc:
                raise StoreError(f"{exc} (while sending <{graph}>; {done} of {len(graphs)} graphs were sent before it)") from exc
            requests += 1
        triples += len(graph_triples)
        if on_graph:
            on_graph(graph, len(graph_triples))
    return PushReport(url, len(graphs), triples, requests, time.perf_counter() - started)


# --- serving --------------------------------------------------------------------------------


def _minor(version: str) -> str:
    """The ``major.minor`` series of a version string.

    >>> _minor("oxigraph 0.5.13")
    '0.5'
    """
    found = re.search(r"(\d+)\.(\d+)", version)
    return f"{found[1]}.{found[2]}" if found else version


def server_command(store_dir: Path, *, bind: str, timeout: int | None = None) -> list[str]:
    """The argument list that serves the store read-only with the ``oxigraph`` server.

    The server (PyPI package ``oxigraph``, in the ``dev`` extra) is looked up next to the
    running Python, then on PATH. It must be of the same 0.x series as pyoxigraph, which
    wrote the store, so that both read the same on-disk format. Its default graph is the
    union of all graphs, as in local queries; the SPARQL UI is at ``http://BIND/``.

    Raises:
        StoreError: no store in ``store_dir``, or no (matching) oxigraph server installed.
    """
    if not (store_dir / "CURRENT").is_file():
        raise StoreError(f"{store_dir}: no store here (build one with `policykg build ... --store {store_dir}`)")
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    wanted = f"'oxigraph>={ox.__version__},<{_next_minor(ox.__version__)}'"
    if binary is None:
        raise StoreError(f"the oxigraph server is not installed (pip install {wanted}: the same series as pyoxigraph "
                         f"{ox.__version__}, so it reads the same store format)")
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise StoreError(f"{binary}: cannot run the oxigraph server ({exc})") from exc
    if _minor(version) != _minor(ox.__version__):
        raise StoreError(f"{binary} is {version.strip()} but pyoxigraph is {ox.__version__}; their store formats may "
                         f"differ (pip install {wanted})")
    command = [binary, "serve-read-only", "--location", str(store_dir), "--bind", bind, "--union-default-graph"]
    if timeout is not None:
        command += ["--timeout-s", str(timeout)]
    return command


def _next_minor(version: str) -> str:
    """The first version of the next 0.x series (the upper bound of compatible versions).

    >>> _next_minor("0.5.13")
    '0.6'
    """
    major, minor = _minor(version).split(".")
    return f"{major}.{int(minor) + 1}"
