"""Remote SPARQL 1.1 endpoints (Fuseki, GraphDB, Virtuoso, QLever, Oxigraph server…).

Queries go through SPARQLWrapper with the SPARQL 1.1 Protocol and come back as the same
``Results`` as local queries.
"""

from __future__ import annotations

import socket
import urllib.error
from typing import Any

from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from policykg.errors import QueryError
from policykg.sparql import Results, Term

__all__ = ["query_endpoint"]


def _term(binding: dict[str, str]) -> Term:
    kind = binding["type"]
    if kind == "typed-literal":  # SPARQL 1.0 JSON results
        kind = "literal"
    datatype = binding.get("datatype")
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return Term(kind, binding["value"], lang=binding.get("xml:lang"), datatype=datatype)


def query_endpoint(url: str, sparql: str, *, timeout: float | None = None) -> Results:
    """Run a SELECT or ASK query on a SPARQL endpoint; errors and timeouts become QueryError."""
    client = SPARQLWrapper(url)
    client.setQuery(sparql)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    if timeout is not None:
        client.setTimeout(max(1, round(timeout)))
    try:
        answer: Any = client.queryAndConvert()
    except TimeoutError as exc:
        raise QueryError(f"{url}: query timed out after {timeout:g} s (client side)") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise QueryError(f"{url}: query timed out after {timeout:g} s (client side)") from exc
        raise QueryError(f"{url}: cannot reach endpoint ({exc.reason})") from exc
    except SPARQLWrapperException as exc:
        raise QueryError(f"{url}: endpoint refused the query ({exc})") from exc
    if not isinstance(answer, dict):
        raise QueryError(f"{url}: unexpected answer (not SPARQL JSON results)")
    if "boolean" in answer:
        return Results(boolean=bool(answer["boolean"]))
    columns = list(answer["head"].get("vars", []))
    rows = [{c: _term(b) for c, b in binding.items()} for binding in answer["results"]["bindings"]]
    return Results(columns=columns, rows=rows)
