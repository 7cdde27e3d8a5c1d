"""Shared by the site tests: the one build per test run, its local server, and page helpers.

The test modules (tests/test_site_*.py) put this folder on sys.path and import this module;
the build and the server are cached here, so every module shares them.
"""

from __future__ import annotations

import atexit
import dataclasses
import fcntl
import functools
import html
import importlib.util
import json
import os
import re
from pathlib import Path

from studysite.build import BuildReport, build
from studysite.config import SiteConfig

from prep.bank import Bank, BankError, load_bank

REPO = Path(__file__).resolve().parents[2]
FIXTURE_PROJECT = Path(__file__).resolve().parent / "fixtures" / "project"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclasses.dataclass(frozen=True)
class BuiltSite:
    """The site every test looks at, and what it was built from."""

    root: Path  # the project (the real one, or the fixture project)
    out: Path
    bank: Bank
    report: BuildReport

    def index(self, lang: str) -> dict:
        """The question index the page scripts read (zh/data/index.js)."""
        text = (self.out / lang / "data" / "index.js").read_text(encoding="utf-8")
        return json.loads(text[text.index('"index",') + len('"index",') : text.rindex("]);")])


def project_root() -> Path:
    """The real project when its bank validates, else the small fixture project.

    STUDYSITE_TEST_ROOT=<folder> picks another project (e.g. a copy of a bank in progress)."""
    if os.environ.get("STUDYSITE_TEST_ROOT"):
        return Path(os.environ["STUDYSITE_TEST_ROOT"]).resolve()
    try:
        load_bank(REPO / "questions")
    except BankError:
        return FIXTURE_PROJECT
    return REPO


def have_pagefind() -> bool:
    return importlib.util.find_spec("pagefind") is not None


def shared_dir(tmp_path_factory) -> Path:
    """A folder all pytest-xdist workers of this run share (this run's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # .../pytest-N/popen-gw0 -> .../pytest-N
    folder = base / "studysite"
    folder.mkdir(exist_ok=True)
    return folder


@functools.cache
def built_site(shared: Path) -> BuiltSite:
    """Build once per test run into `shared`, with the search index when Pagefind is installed
    (the full-text search tests skip without it). Under pytest-xdist the first worker builds
    while holding a lock, and the others reuse its output."""
    root = project_root()
    out = shared / "site"
    with open(shared / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "build.json"
        if done.exists():
            report = BuildReport(**{**json.loads(done.read_text()), "out": out})
        else:
            report = build(SiteConfig(root=root, out=out, search=have_pagefind()))
            done.write_text(json.dumps({**dataclasses.asdict(report), "out": str(out)}))
    return BuiltSite(root=root, out=out, bank=load_bank(root / "questions"), report=report)


@functools.cache
def server_url(out: Path) -> str:
    """The built site on http://127.0.0.1:<free port>/, served from a daemon thread."""
    from studysite.serve import serve_in_thread

    server, url = serve_in_thread(out)
    atexit.register(server.shutdown)
    return url


def html_pages(out: Path) -> list[Path]:
    """Every page of the site (the Pagefind bundle holds no pages of ours)."""
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.relative_to(out).parts)


_START_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:\s[^>]*)?)>")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_REFRESH = re.compile(r"\d+;\s*url=(.+)")


@dataclasses.dataclass
class PageLinks:
    """The ids of one page, and the URLs it links to or loads: (tag, attribute, url)."""

    ids: set[str]
    links: list[tuple[str, str, str]]


@functools.cache
def parse_links(path: Path) -> PageLinks:
    """Ids and URLs of one page, parsed once per test run (pages do not change).

    A regular expression is enough for our own output (and ten times faster than a parser):
    every attribute is double-quoted, and a `>` or `"` in a value or in text is escaped."""
    page = PageLinks(set(), [])
    for tag, attributes in _START_TAG.findall(path.read_text(encoding="utf-8")):
        for name, value in _ATTRIBUTE.findall(attributes):
            value = html.unescape(value)
            if name == "id":
                page.ids.add(value)
            elif name in ("href", "src"):
                page.links.append((tag.lower(), name, value))
            elif tag == "meta" and name == "content" and _REFRESH.match(value):
                page.links.append((tag, name, _REFRESH.match(value).group(1)))
    return page
