"""Worst-case letters: does every recogniser stay linear in the letter's length?

Eight reply letters with a valid-looking frame (salutation, 收悉, the handling sentence,
signature, date), each of exactly --size characters, whose body is one adversarial
repetition: (a) place names, (b) agency suffixes, (c) 会同 and a very long list of co-handlers,
(d) a 、-enumeration of firms, (e) digits, (f) 《》 titles, (g) “” quotes and 以…为代表 cues,
(h) one long line of CJK without punctuation, with 公司/集团/产业园/银行 suffixes.

    .venv/bin/python bench/worstcase.py                          # the table for bench/README.md
    .venv/bin/python bench/worstcase.py --profile 25000,50000    # which functions grow faster than the text
    .venv/bin/python bench/worstcase.py --write DIR              # only write the letters (200,000 characters)

Each letter is built as a user would build it, ``policykg build FILE --no-store --out FILE.ttl``,
at 25,000, 50,000, 100,000 and 200,000 characters: wall time, and what became of the letter
(built, with its number of triples, or the one line it failed with). A time that doubles with
the size is linear; one that quadruples is quadratic. ``--profile`` runs cProfile on reading,
extraction, resolution and the graph of each letter at two sizes and names the functions whose
own time grows more than --superlinear times (default 3) when the text doubles.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SIZE = 200_000
SIZES = (25_000, 50_000, 100_000, 200_000)

SALUTATION = "洪芹华代表:\n"
RECEIVED = ("您提出的《关于加大力度培育中小微企业健康发展的建议》(第20222149号)收悉,市政府高度重视,"
            "由我局会同{handlers}负责办理。现将有关办理情况答复如下:\n")
HANDLERS = "市住房城乡建设局、市地方金融监管局"
BODY = "一是优化营商环境,二是推进产业集聚,三是加强企业梯度培育。"
CLOSING = "\n感谢您对我市中小企业发展的关心和支持,欢迎您对我们的工作提出宝贵意见和建议。\n广州市工业和信息化局\n2022年6月17日\n"

# Characters for made-up names: none of them a suffix, anchor, separator or cue word.
_NAME_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土琴棋画松竹梅兰菊"
_PLACES = ("广州市", "白云区", "广东省", "番禺区", "深圳市", "南山区", "北京市", "海淀区")


def _names(room: int, seed: int) -> list[str]:
    """Two-character names, enough for a text of ``room`` characters (at most one a character)."""
    rng = random.Random(seed)
    return ["".join(rng.choice(_NAME_CHARS) for _ in range(2)) for _ in range(room + 3)]


def _fill(unit: Callable[[int], str], size: int) -> str:
    """``unit(0) + unit(1) + …`` cut to exactly ``size`` characters."""
    parts, n, k = [], 0, 0
    while n < size:
        parts.append(unit(k))
        n += len(parts[-1])
        k += 1
    return "".join(parts)[:size]


def _letter(size: int, body: Callable[[int], str] | None = None, handlers: Callable[[int], str] | None = None) -> str:
    """A reply letter of exactly ``size`` characters: ``body(room)`` is its only paragraph, or
    ``handlers(room)`` the list of co-handlers after 会同 in the frame's handling sentence."""
    frame = len(SALUTATION) + len(RECEIVED.format(handlers="")) + len(CLOSING)
    if handlers is not None:
        text = SALUTATION + RECEIVED.format(handlers=handlers(size - frame - len(BODY))) + BODY + CLOSING
    else:
        assert body is not None
        text = SALUTATION + RECEIVED.format(handlers=HANDLERS) + body(size - frame - len(HANDLERS)) + CLOSING
    assert len(text) == size, (len(text), size)
    return text


def _places(room: int) -> str:
    """(a) 广州市白云区广东省番禺区…: every name a possible start of an agency's name."""
    return _fill(lambda k: _PLACES[k % len(_PLACES)], room)


def _suffixes(room: int) -> str:
    """(b) 市委局局委员会市委局局委员会…: suffixes after suffixes, behind a prefix (市委: a special head)."""
    return _fill(lambda k: "市委局局委员会", room)


def _co_handlers(room: int) -> str:
    """(c) 会同会同…会同市甲乙局、市丙丁局、…: the handling sentence, a quarter 会同, then distinct bodies."""
    names = _names(room, seed=3)
    cues = "会同" * (room // 8)
    return cues + _fill(lambda k: f"市{names[k]}局、", room - len(cues))


def _enumeration(room: int) -> str:
    """(d) 甲乙、丙丁、…、等企业。甲乙、丙丁、…戊己等企业: two enumerations of firms, the first with its last
    item missing (the list regex's worst case), the second a list of tens of thousands of firms."""
    names = _names(room, seed=4)
    first = "".join(f"{names[k]}、" for k in range(room // 6)) + "等企业。"
    return first + _fill(lambda k: f"{names[k]}、", room - len(first) - 5) + "戊己等企业"


def _digits(room: int) -> str:
    """(e) digits: numbers that look like dates, proposal numbers and telephone numbers, then bare digits."""
    half = room // 2
    def number(k: int) -> str:
        return f"第{20222149 + k}号{2000 + k % 30}年{k % 12 + 1}月{k % 28 + 1}日1{3 + k % 7}9{k % 10**8:08d}"

    numbers = _fill(number, half)
    return numbers + _fill(lambda k: "1234567890", room - half)


def _titles(room: int) -> str:
    """(f) 《《《…, then 市甲乙局印发《…条例》、…, then 市甲乙局、 、 …丙丁印发《…条例》: unbalanced 《, titles each
    issued by a body, and bodies kept from their verb by separators, spaces and a word."""
    names = _names(room, seed=6)
    half, quarter = room // 2, room // 4
    issued = _fill(lambda k: f"市{names[k]}局印发《{names[k + 1]}条例》、", quarter)
    spaced = _fill(lambda k: f"市{names[k]}局{'、 ' * 16}{names[k + 2]}印发《{names[k + 1]}条例》。", room - half - quarter)
    return "《" * half + issued + spaced


def _quotes(room: int) -> str:
    """(g) “““…, then 以甲乙、丙丁为代表的“戊己”产业集群…: open quotes, then cue after cue."""
    names = _names(room, seed=7)
    half = room // 2
    return "“" * half + _fill(lambda k: f"以{names[k]}、{names[k + 1]}为代表的“{names[k + 2]}”产业集群", room - half)


def _long_line(room: int) -> str:
    """(h) 甲乙公司集团产业园丙丁银行开发戊己贷…: no punctuation, firm and park suffixes, banks offering loans."""
    names = _names(room, seed=8)
    return _fill(lambda k: f"{names[k]}公司集团产业园{names[k + 1]}银行开发{names[k + 2]}贷", room)


CASES: dict[str, tuple[str, Callable[[int], str]]] = {
    "a-places": ("广州市白云区广东省…", lambda size: _letter(size, _places)),
    "b-suffixes": ("市委局局委员会…", lambda size: _letter(size, _suffixes)),
    "c-co-handlers": ("会同会同…市甲乙局、…", lambda size: _letter(size, handlers=_co_handlers)),
    "d-enumeration": ("甲乙、丙丁、…、等企业。甲乙、…戊己等企业", lambda size: _letter(size, _enumeration)),
    "e-digits": ("第20222149号2000年1月1日…", lambda size: _letter(size, _digits)),
    "f-titles": ("《《…市甲乙局印发《丙丁条例》、…市甲乙局、 、 …戊己印发《丙丁条例》", lambda size: _letter(size, _titles)),
    "g-quotes": ("““…以甲乙、丙丁为代表的“戊己”产业集群…", lambda size: _letter(size, _quotes)),
    "h-long-line": ("甲乙公司集团产业园丙丁银行开发戊己贷…", lambda size: _letter(size, _long_line)),
}


def worst_case(name: str, size: int = SIZE) -> str:
    """The text of worst-case letter ``name`` (a key of CASES), exactly ``size`` characters long."""
    return CASES[name][1](size)


def write_worst_cases(folder: Path, size: int = SIZE, names: list[str] | None = None) -> list[Path]:
    """Write the worst-case letters (all, or ``names``) into ``folder`` as UTF-8 .txt files."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names or list(CASES):
        path = folder / f"{name}-{size}.txt"
        path.write_text(worst_case(name, size), encoding="utf-8")
        out.append(path)
    return out


def _policykg() -> list[str]:
    return [str(Path(sys.executable).parent / "policykg")]


def build_once(command: list[str], path: Path, timeout: float, extra: list[str] | None = None) -> dict[str, object]:
    """Build one letter with the CLI: wall seconds, exit code, the error lines, the triples written."""
    out = path.with_suffix(".ttl")
    started = time.perf_counter()
    try:
        run = subprocess.run([*command, "build", str(path), "--no-store", "--out", str(out), "--json", *(extra or [])],
                             capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "code": None, "errors": [], "triples": None}
    seconds = time.perf_counter() - started
    errors = [line for line in run.stderr.splitlines() if line.startswith(f"error: {path}:")]
    try:
        triples = json.loads(run.stdout).get("triples")
    except ValueError:
        triples = None
    return {"seconds": seconds, "code": run.returncode, "errors": errors, "triples": triples}


def _cell(result: dict[str, object], timeout: float) -> str:
    if result["seconds"] is None:
        return f"> {timeout:g}"
    seconds = result["seconds"]
    assert isinstance(seconds, float)
    return f"{seconds:.1f}" + ("" if result["code"] == 0 else " ✗")


def _outcome(result: dict[str, object], timeout: float) -> str:
    if result["seconds"] is None:
        return f"killed after {timeout:g} s"
    if result["code"] == 0:
        return f"built, {result['triples']:,} triples"
    errors = result["errors"]
    assert isinstance(errors, list)
    if len(errors) == 1:
        return "failed: " + str(errors[0]).split(": ", 2)[-1]
    return f"exit code {result['code']}, {len(errors)} error lines"


def run_table(command: list[str], sizes: list[int], names: list[str], timeout: float, work: Path,
              extra: list[str] | None = None) -> str:
    """Build every case at every size; a Markdown table of wall seconds (✗: the build failed)."""
    head = "| letter | body | " + " | ".join(f"{s // 1000}k (s)" for s in sizes) + " | growth ×2 | at the largest size |"
    rows = [head, "|" + "---|" * (len(sizes) + 4)]
    for name in names:
        results = []
        for size in sizes:
            (path,) = write_worst_cases(work, size, [name])
            results.append(build_once(command, path, timeout, extra))
            print(f"{name} {size}: {_cell(results[-1], timeout)}", file=sys.stderr, flush=True)
            if results[-1]["seconds"] is None:  # larger sizes would take longer still
                results += [results[-1]] * (len(sizes) - len(results))
                break
        a, b = (results[-2]["seconds"], results[-1]["seconds"]) if len(results) > 1 else (None, None)
        growth = f"{b / a:.1f}" if isinstance(a, float) and isinstance(b, float) and a > 0 else "–"
        cells = " | ".join(_cell(r, timeout) for r in results)
        rows.append(f"| {name} | {CASES[name][0]} | {cells} | {growth} | {_outcome(results[-1], timeout)} |")
    return "\n".join(rows)


def stages_one(path: Path) -> dict[str, float]:
    """Seconds of each stage of one letter, in this process: read, extract, resolve, triples, N-Triples."""
    from policykg.build import letter_triples
    from policykg.extract import extract
    from policykg.ingest import read_letter
    from policykg.ntriples import to_ntriples
    from policykg.resolve import resolve

    extract(read_letter(Path(__file__).resolve().parents[1] / "data" / "letters" / "gz-2022-20222149-gxj.txt"))  # warm up
    out, started = {}, time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        out[stage], started = now - started, now

    letter = read_letter(path)
    lap("read")
    ex = extract(letter)
    lap("extract")
    res = resolve(ex)
    lap("resolve")
    _, triples = letter_triples(ex, res)
    lap("triples")
    to_ntriples(triples)
    lap("ntriples")
    out["n_triples"] = len(triples)
    return out


def run_stages(sizes: list[int], names: list[str], timeout: float, work: Path) -> str:
    """Read + extract + resolve + triples of every case at every size, in a process of its own: seconds."""
    head = "| letter | " + " | ".join(f"{s // 1000}k (s)" for s in sizes) + " | growth ×2 | slowest stage at the largest size |"
    rows = [head, "|" + "---|" * (len(sizes) + 3)]
    for name in names:
        results: list[dict[str, float] | None] = []
        for size in sizes:
            (path,) = write_worst_cases(work, size, [name])
            try:
                run = subprocess.run([sys.executable, __file__, "--stages-one", str(path)], capture_output=True,
                                     text=True, timeout=timeout, check=True)
                results.append(json.loads(run.stdout))
            except subprocess.TimeoutExpired:
                results += [None] * (len(sizes) - len(results))
                break
        totals = [None if r is None else sum(v for k, v in r.items() if k != "n_triples") for r in results]
        a, b = (totals[-2], totals[-1]) if len(totals) > 1 else (None, None)
        growth = f"{b / a:.1f}" if a and b else "–"
        last = results[-1]
        slowest = "–" if last is None else max((k for k in last if k != "n_triples"), key=lambda k: last[k])
        slowest += "" if last is None else f" {last[slowest]:.1f} s ({int(last['n_triples']):,} triples)"
        cells = " | ".join(f"> {timeout:g}" if t is None else f"{t:.1f}" for t in totals)
        rows.append(f"| {name} | {cells} | {growth} | {slowest} |")
        print(f"stages {name}", file=sys.stderr, flush=True)
    return "\n".join(rows)


def profile_one(path: Path) -> dict[str, float]:
    """Own time of each function (and regex method) in reading, extracting, resolving and writing one letter."""
    from policykg.build import letter_triples
    from policykg.extract import extract
    from policykg.ingest import read_letter
    from policykg.ntriples import to_ntriples
    from policykg.resolve import resolve

    extract(read_letter(Path(__file__).resolve().parents[1] / "data" / "letters" / "gz-2022-20222149-gxj.txt"))  # warm up
    profile = cProfile.Profile()
    profile.enable()
    ex = extract(read_letter(path))
    to_ntriples(letter_triples(ex, resolve(ex))[1])
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for (file, _line, func), (_, _, own, _, _) in stats.items():
        where = f"{Path(file).stem}.{func}" if file != "~" else re.sub(" at 0x[0-9a-f]+", "", func)
        if "policykg" in file or file == "~":
            out[where] = out.get(where, 0.0) + own
    return out


def run_profile(sizes: list[int], names: list[str], timeout: float, work: Path, factor: float) -> str:
    """For each case, the functions whose own time grows more than ``factor`` times from the first size to the second."""
    small, large = sizes
    lines = [f"| letter | function | {small // 1000}k (s) | {large // 1000}k (s) | growth |", "|---|---|---:|---:|---:|"]
    for name in names:
        times = []
        for size in (small, large):
            (path,) = write_worst_cases(work, size, [name])
            try:
                run = subprocess.run([sys.executable, __file__, "--profile-one", str(path)], capture_output=True,
                                     text=True, timeout=timeout, check=True)
                times.append(json.loads(run.stdout))
            except subprocess.TimeoutExpired:
                times.append(None)
        if times[0] is None:
            lines.append(f"| {name} | (over {timeout:g} s at {small // 1000}k) | | | |")
            continue
        first = times[0]
        second = times[1]
        worst = sorted(first, key=lambda f: -(second.get(f, 0.0) if second else first[f]))
        found = False
        for func in worst[:15]:
            a = first[func]
            b = second.get(func, 0.0) if second else None
            if a < 0.02 and (b is None or b < 0.2):
                continue
            if b is None or b / max(a, 1e-9) > factor * large / small / 2:
                found = True
                lines.append(f"| {name} | `{func}` | {a:.2f} | {'> ' + str(timeout) if b is None else f'{b:.2f}'} | "
                             f"{'–' if b is None else f'{b / max(a, 1e-9):.1f}×'} |")
        if not found:
            lines.append(f"| {name} | (none: every function within {factor:g}× for twice the text) | | | |")
        print(f"profiled {name}", file=sys.stderr, flush=True)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="letter sizes in characters (comma-separated)")
    parser.add_argument("--cases", default=",".join(CASES), help="which letters (comma-separated keys)")
    parser.add_argument("--timeout", type=float, default=300, help="kill a build after this many seconds")
    parser.add_argument("--policykg", help="the command to run (default: the policykg next to this Python)")
    parser.add_argument("--build-args", default="", help='more arguments for build, e.g. "--time-limit 0"')
    parser.add_argument("--work", type=Path, help="folder for the letters and dumps (default: a temporary one)")
    parser.add_argument("--write", type=Path, metavar="DIR", help="only write the letters of the largest size into DIR")
    parser.add_argument("--profile", metavar="SMALL,LARGE", help="profile each letter at two sizes instead of timing builds")
    parser.add_argument("--superlinear", type=float, default=3.0,
                        help="with --profile: list functions whose own time grows more than this for twice the text")
    parser.add_argument("--no-stages", action="store_true", help="only the CLI builds, not the in-process stage timings")
    parser.add_argument("--profile-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stages-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_one:
        print(json.dumps(profile_one(args.profile_one)))
        return
    if args.stages_one:
        print(json.dumps(stages_one(args.stages_one)))
        return
    names = args.cases.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.write:
        for path in write_worst_cases(args.write, max(sizes), names):
            print(path)
        return
    with tempfile.TemporaryDirectory(prefix="worstcase-") as tmp:
        work = args.work or Path(tmp)
        if args.profile:
            small, large = (int(s) for s in args.profile.split(","))
            print(run_profile([small, large], names, args.timeout, work, args.superlinear))
            return
        command = shlex.split(args.policykg) if args.policykg else _policykg()
        env = f"PYTHONPATH={os.environ['PYTHONPATH']} " if os.environ.get("PYTHONPATH") else ""
        extra = shlex.split(args.build_args)
        print(f"{env}{' '.join(command)} build FILE --no-store --out FILE.ttl {' '.join(extra)}".rstrip()
              + f"  (wall seconds; ✗ = failed; killed after {args.timeout:g} s)\n")
        print(run_table(command, sizes, names, args.timeout, work, extra))
        if not args.no_stages:
            print("\nread + extract + resolve + triples + N-Triples, in one process (seconds)\n")
            print(run_stages(sizes, names, args.timeout, work))


if __name__ == "__main__":
    main()
