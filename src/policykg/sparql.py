"""SPARQL queries: finding library queries, binding parameters safely, running, formatting.

Parameters are bound as values, never pasted into the query: each ``--param NAME=VALUE``
becomes a ``VALUES ?NAME { term }`` block at the start of the query's outermost WHERE group,
with the value written as an escaped RDF term, so quotes, braces or ``#`` in a value stay
inside the literal. The same bound text runs on the embedded store and on remote endpoints,
so both give the same rows.

Value syntax of ``--param``:

* ``NAME=广州市财政局`` — a plain string literal (``xsd:string``);
* ``NAME=<https://w3id.org/policykg/id/agency/…>`` — an IRI;
* ``NAME="广州市财政局"@zh`` — a language-tagged literal;
* ``NAME="2022"^^xsd:integer`` (or ``^^<full datatype IRI>``) — a typed literal.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policykg.errors import QueryError
from policykg.resources import queries_dir
from policykg.vocab import PREFIXES, XSD

__all__ = [
    "LibraryQuery",
    "Results",
    "Term",
    "bind_values",
    "format_results",
    "library",
    "load_query",
    "parse_param",
]


@dataclass(frozen=True, order=True)
class Term:
    """An RDF term in a result, as in the SPARQL JSON results format."""

    type: str  # "uri" | "literal" | "bnode"
    value: str
    lang: str | None = None
    datatype: str | None = None

    def n3(self) -> str:
        """The term in N-Triples / SPARQL syntax, escaped.

        >>> Term("literal", 'a"}#b').n3()
        '"a\\\\"}#b"'
        >>> Term("literal", "x", lang="zh").n3()
        '"x"@zh'
        """
        if self.type == "uri":
            if re.search(r'[\s<>"{}|^`\\]', self.value):
                raise QueryError(f"not a valid IRI: {self.value!r}")
            return f"<{self.value}>"
        if self.type == "bnode":
            return f"_:{self.value}"
        text = '"' + self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != str(XSD.string):
            return f"{text}^^<{self.datatype}>"
        return text

    def short(self) -> str:
        """A compact display form: IRIs with the project's prefixes, literals as their text."""
        if self.type == "uri":
            for name, ns in PREFIXES.items():
                if self.value.startswith(str(ns)):
                    return f"{name}:{self.value[len(str(ns)):]}"
            return self.value
        return self.value


@dataclass
class Results:
    """The answer to a query: columns and rows (SELECT), or a boolean (ASK)."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as tuples of plain values (None where unbound), in column order."""
        return [tuple(r[c].value if c in r else None for c in self.columns) for r in self.rows]


@dataclass(frozen=True)
class LibraryQuery:
    """A query file with its header: the question, its parameters and its columns."""

    name: str
    path: Path
    question: str
    parameters: str
    columns: str


_LANG_LITERAL = re.compile(r'^"(?P<v>(?:[^"\\]|\\.)*)"@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)$', re.S)
_TYPED_LITERAL = re.compile(
    r'^"(?P<v>(?:[^"\\]|\\.)*)"\^\^(?:<(?P<iri>[^<>\s]+)>|(?P<pfx>[A-Za-z][\w-]*):(?P<local>[\w-]+))$', re.S
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WHERE = re.compile(r"WHERE\b", re.I)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_param(spec: str) -> tuple[str, Term]:
    """Parse ``NAME=VALUE`` into a variable name and the term it is bound to.

    >>> parse_param("agency=广州市财政局")
    ('agency', Term(type='literal', value='广州市财政局', lang=None, datatype=None))
    >>> parse_param("x=<https://example.org/a>")[1].type
    'uri'
    >>> parse_param('x="财政"@zh')[1].lang
    'zh'
    >>> parse_param('year="2022"^^xsd:integer')[1].datatype
    'http://www.w3.org/2001/XMLSchema#integer'
    """
    name, sep, value = spec.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _NAME.match(name):
        raise QueryError(f"--param {spec!r}: expected NAME=VALUE with NAME a SPARQL variable name")
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        term = Term("uri", value[1:-1])
        term.n3()  # validates the IRI
        return name, term
    if m := _LANG_LITERAL.match(value):
        return name, Term("literal", _unescape(m["v"]), lang=m["lang"].lower())
    if m := _TYPED_LITERAL.match(value):
        if m["iri"]:
            datatype = m["iri"]
        elif m["pfx"] in PREFIXES:
            datatype = str(PREFIXES[m["pfx"]]) + m["local"]
        else:
            raise QueryError(f"--param {spec!r}: unknown prefix {m['pfx']!r} (known: {', '.join(PREFIXES)})")
        return name, Term("literal", _unescape(m["v"]), datatype=datatype)
    return name, Term("literal", value)


def _skip_token(query: str, i: int) -> int:
    """If a string, IRI or comment starts at i, the index after it; else i."""
    ch = query[i]
    if ch == "#":
        end = query.find("\n", i)
        return len(query) if end < 0 else end
    if ch in "\"'":
        quote = ch * 3 if query.startswith(ch * 3, i) else ch
        j = i + len(quote)
        while j < len(query):
            if query[j] == "\\":
                j += 2
                continue
            if query.startswith(quote, j):
                return j + len(quote)
            j += 1
        raise QueryError("unterminated string in query")
    if ch == "<":
        m = re.compile(r"<[^<>\"{}|^`\\\s]*>").match(query, i)
        if m:
            return m.end()
    return i


def _where_groups(query: str) -> list[tuple[int, int]]:
    """(open, close) brace indexes of the query's WHERE groups: the outermost first, then sub-SELECTs'."""
    depth, i, first_brace = 0, 0, -1
    is_construct = re.search(r"^\s*CONSTRUCT\b", re.sub(r"(?m)^\s*(#.*|PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)", "", query), re.I)
    where_at: int | None = None  # depth at which the last WHERE keyword was seen
    opened: list[tuple[int, bool]] = []  # open braces: (index, opens a WHERE group)
    groups: list[tuple[int, int]] = []
    while i < len(query):
        j = _skip_token(query, i)
        if j != i:
            i = j
            continue
        ch = query[i]
        if ch == "{":
            bare = depth == 0 and not groups and not opened and (not is_construct and first_brace < 0)  # SELECT * { }
            is_group = where_at == depth or bare
            first_brace = i if first_brace < 0 else first_brace
            opened.append((i, is_group))
            where_at = None
            depth += 1
        elif ch == "}":
            depth -= 1
            if not opened:
                raise QueryError("unbalanced braces in query")
            start, is_group = opened.pop()
            if is_group:
                groups.append((start, i))
        elif _WHERE.match(query, i) and not (i and (query[i - 1].isalnum() or query[i - 1] in "?$_")):
            where_at = depth
            i += 5
            continue
        i += 1
    if not groups:
        raise QueryError("cannot find the query's WHERE group to bind parameters")
    outer = max(groups, key=lambda g: g[1] - g[0])  # the outermost group holds all the others
    return [outer, *sorted(g for g in groups if g != outer)]


def bind_values(query: str, params: Sequence[tuple[str, Term]]) -> str:
    """Bind each parameter as a pre-bound value: a VALUES block at the start of the outermost
    WHERE group, and of every sub-SELECT's WHERE group that uses the variable.

    Binding inside sub-SELECTs too gives the meaning of pre-binding (the value stands wherever
    the variable does) and lets a store's planner look the value up first.

    >>> q = 'SELECT ?x WHERE { ?x ?p ?name }'
    >>> bind_values(q, [("name", Term("literal", 'a" } # b'))])
    'SELECT ?x WHERE { VALUES ?name { "a\\\\" } # b" }\\n ?x ?p ?name }'
    >>> bind_values('SELECT * WHERE { { SELECT ?x WHERE { ?x ?p ?v } } ?x ?q ?y }', [("v", Term("uri", "http://e/v"))])
    'SELECT * WHERE { VALUES ?v { <http://e/v> }\\n { SELECT ?x WHERE { VALUES ?v { <http://e/v> }\\n ?x ?p ?v } } ?x ?q ?y }'
    """
    if not params:
        return query
    for name, _ in params:
        if not re.search(rf"[?$]{re.escape(name)}\b", query):
            raise QueryError(f"the query has no variable ?{name} to bind")
    outer, *inner = _where_groups(query)
    inserts: list[tuple[int, str]] = [(outer[0] + 1, "".join(f" VALUES ?{n} {{ {t.n3()} }}\n" for n, t in params))]
    for start, end in inner:
        body = query[start:end]
        used = [(n, t) for n, t in params if re.search(rf"[?$]{re.escape(n)}\b", body)]
        if used:
            inserts.append((start + 1, "".join(f" VALUES ?{n} {{ {t.n3()} }}\n" for n, t in used)))
    for at, block in sorted(inserts, reverse=True):
        query = query[:at] + block + query[at:]
    return query


def library() -> list[LibraryQuery]:
    """The ready research queries in ``queries/``, with their header comments."""
    out = []
    for path in sorted(queries_dir().glob("*.rq")):
        head: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            key, _, value = line.lstrip("# ").partition(":")
            if value:
                head[key.strip().lower()] = value.strip()
        out.append(LibraryQuery(path.stem, path, head.get("question", ""), head.get("parameters", ""), head.get("columns", "")))
    return out


def load_query(name_or_file: str) -> tuple[str, str]:
    """The text of a query given as a file path or as the stem of a file in ``queries/``."""
    path = Path(name_or_file)
    if not path.is_file():
        path = queries_dir() / f"{name_or_file}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in library())
        raise QueryError(f"{name_or_file}: no such query file, and no query of that name in queries/ ({known})")
    try:
        return str(path), path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read query ({exc})") from exc


def format_results(results: Results, fmt: str) -> str:
    """Results as SPARQL 1.1 CSV, TSV or JSON text (``table`` is drawn by the CLI)."""
    if fmt == "json":
        if results.boolean is not None:
            return json.dumps({"head": {}, "boolean": results.boolean}, ensure_ascii=False, indent=1) + "\n"
        bindings = [
            {c: {k: v for k, v in (("type", t.type), ("value", t.value), ("xml:lang", t.lang), ("datatype", t.datatype)) if v}
             for c, t in row.items()}
            for row in results.rows
        ]
        doc = {"head": {"vars": results.columns}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if results.boolean is not None:
        return ("true" if results.boolean else "false") + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(results.columns)
        writer.writerows([[row[c].value if c in row else "" for c in results.columns] for row in results.rows])
        return buf.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(f"?{c}" for c in results.columns)]
        lines += ["\t".join(row[c].n3() if c in row else "" for c in results.columns) for row in results.rows]
        return "\n".join(lines) + "\n"
    raise QueryError(f"unknown result format {fmt!r} (use table, csv, tsv or json)")
