"""Benchmark the study-site build: the real bank, generated banks of 1,000 and 10,000 questions,
and the weight of a question page. Run on demand (not a test):

    python bench/site_build.py                  # real bank + 1,000 + 10,000, prints a table
    python bench/site_build.py --sizes 1000     # fewer sizes
    python bench/site_build.py --write-docs     # also put the numbers into docs/site.md

Targets (docs/site.md): the real site builds in under 5 s without search, time grows linearly
with the number of questions, and a question page (HTML + CSS + JS) weighs under 60 KB.

Generated banks clone the real records round-robin under new ids, and give every formula a
unique term so the per-build formula cache cannot make a big bank look cheaper than it is.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "site.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PAGE_LIMIT_KB = 60
REAL_LIMIT_S = 5.0

_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]+?)(?<![\\\s])\$(?!\d)")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)


def build_once(root: Path, out: Path, search: bool) -> dict:
    """One in-process build; returns its phase times and counts."""
    from studysite.build import build
    from studysite.config import SiteConfig

    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    report = build(SiteConfig(root=root, out=out, search=search))
    total = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    return {
        "total": total,
        "cpu": cpu,
        "pages": report.pages,
        "files": report.files,
        **report.seconds,
    }


def _cpu_seconds() -> float:
    """User + system time of this process and its finished children (Pagefind)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_build(root: Path, out: Path, search: bool, repeat: int) -> dict:
    runs = [build_once(root, out, search) for _ in range(repeat)]
    best = sorted(runs, key=lambda r: r["total"])[len(runs) // 2]
    best["runs"] = [round(r["total"], 2) for r in runs]
    return best


def cli_wall_time(root: Path, out: Path) -> float:
    """`prep site build --no-search` as a user runs it: a fresh process, imports included."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from prep.cli import main; main()",
            "site",
            "build",
            "--root",
            str(root),
            "--out",
            str(out),
            "--no-search",
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    return time.perf_counter() - started


def _unique_math(text: str, k: int) -> str:
    text = _DISPLAY_MATH.sub(lambda m: f"$${m.group(1)}+{k}$$", text)
    return _INLINE_MATH.sub(lambda m: f"${m.group(1)}+{k}$", text)


def _perturb(value, k: int):
    if isinstance(value, str):
        return _unique_math(value, k)
    if isinstance(value, list):
        return [_perturb(v, k) for v in value]
    if isinstance(value, dict):
        return {key: _perturb(v, k) for key, v in value.items()}
    return value


def generate_project(source: Path, size: int, target: Path) -> Path:
    """A project whose bank has `size` questions cloned from `source`'s bank."""
    from prep.bank import load_bank

    bank = load_bank(source / "questions")
    records = [{k: v for k, v in q.items() if not k.startswith("_")} for q in bank.questions]
    (target / "questions").mkdir(parents=True)
    shutil.copy(source / "questions" / "vocabulary.yaml", target / "questions")
    for folder in ("exercises", "grader/exercises"):
        if (source / folder).is_dir():
            shutil.copytree(
                source / folder,
                target / folder,
                ignore=shutil.ignore_patterns("*.py", "__pycache__"),
            )
    by_topic: dict[str, list] = {}
    for k in range(size):
        record = _perturb(records[k % len(records)], k)
        record["id"] = f"{record['id']}-g{k}"
        record.pop("seed", None)
        by_topic.setdefault(record["topic"], []).append(record)
    for topic, questions in by_topic.items():
        text = yaml.safe_dump(
            {"topic": topic, "questions": questions},
            allow_unicode=True,
            sort_keys=False,
            width=1000,
        )
        (target / "questions" / f"{topic}.yaml").write_text(text, encoding="utf-8")
    return target


def page_weights(out: Path) -> list[int]:
    """Bytes of every question page plus the CSS and JS it loads (no search index)."""
    sys.path.insert(0, str(REPO / "tests" / "site"))
    from sitetest import parse_links

    weights = []
    for page in sorted(out.glob("*/q/*.html")):
        weight = page.stat().st_size
        for tag, attr, url in parse_links(page).links:
            if (tag, attr) in (("link", "href"), ("script", "src")) and url.endswith(
                (".css", ".js")
            ):
                weight += (page.parent / url).resolve().stat().st_size
        weights.append(weight)
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project whose bank to use")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="builds of the real bank")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOC}")
    args = parser.parse_args()

    from prep.bank import load_bank

    rows = []
    work = Path(tempfile.mkdtemp(prefix="site-bench-"))
    try:
        real = len(load_bank(args.root / "questions").questions)
        plain = median_build(args.root, work / "real", False, args.repeat)
        searched = median_build(args.root, work / "real", True, args.repeat)
        cli = cli_wall_time(args.root, work / "real-cli")
        weights = page_weights(work / "real")
        rows.append(("real bank", real, plain, searched))
        print(f"real bank: {real} questions, {plain['pages']} pages", flush=True)
        for size in args.sizes:
            project = generate_project(args.root, size, work / f"gen-{size}")
            result = build_once(project, work / f"gen-{size}-out", False)
            searched_gen = (
                build_once(project, work / f"gen-{size}-out", True) if size <= 1000 else None
            )
            rows.append(("generated", size, result, searched_gen))
            print(f"{size} questions: {result['total']:.1f} s", flush=True)
            shutil.rmtree(work / f"gen-{size}-out", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = render_table(rows, cli, weights)
    print(table)
    if args.write_docs:
        text = DOC.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")
        print(f"wrote {DOC}")


def render_table(rows, cli: float, weights: list[int]) -> str:
    import platform

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python "
        f"{platform.python_version()}, {_cpus()} cores, load average {os.getloadavg()[0]:.1f} "
        "at the end; median of the real-bank runs. "
        "Times are wall seconds inside `build()` (phases: load, render, write); CPU is the "
        "no-search build's user + system time, Pagefind included; per question is that CPU "
        "time divided by the number of questions.",
        "",
        "| bank | questions | pages | no search (s) | CPU (s) | load | render | write "
        "| with search (s) | CPU ms per question |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, size, plain, searched in rows:
        with_search = f"{searched['total']:.2f}" if searched else "not run"
        lines.append(
            f"| {name} | {size:,} | {plain['pages']:,} | {plain['total']:.2f} | "
            f"{plain['cpu']:.2f} | {plain['load']:.2f} | {plain['render']:.2f} | "
            f"{plain['write']:.2f} | {with_search} | {1000 * plain['cpu'] / size:.1f} |"
        )
    kb = [w / 1024 for w in weights]
    verdict = "under" if max(kb) < PAGE_LIMIT_KB else "OVER"
    real_verdict = "under" if rows[0][2]["total"] < REAL_LIMIT_S else "OVER"
    real = rows[0][2]
    cpu_verdict = "under" if real["cpu"] < REAL_LIMIT_S else "OVER"
    lines += [
        "",
        f"- Real bank without search: {real['total']:.2f} s wall in `build()` ({real_verdict} "
        f"the {REAL_LIMIT_S:.0f} s target) for {real['cpu']:.2f} s of CPU ({cpu_verdict}); "
        f"`prep site build --no-search` as a fresh process, imports included: {cli:.2f} s.",
        f"- Load average {os.getloadavg()[0]:.1f} on {_cpus()} cores: when other work shares "
        "the machine, wall time is CPU time stretched by that sharing; the CPU column is what "
        "the build itself costs, and about its wall time on an idle machine.",
        f"- Question page weight (HTML + CSS + JS, no search index), {len(kb)} pages: median "
        f"{statistics.median(kb):.1f} KB, largest {max(kb):.1f} KB ({verdict} the "
        f"{PAGE_LIMIT_KB} KB target).",
    ]
    return "\n".join(lines)


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
