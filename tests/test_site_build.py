"""`prep site build` and `prep site serve` on the small fixture project: the pipeline's steps,
its one-line errors, and what it refuses to do."""

from __future__ import annotations

import re
import shutil
import sys
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from studysite.build import (
    MARKER,
    build,
    load_inputs,
    render_site,
    validate_inputs,
)
from studysite.config import SiteConfig
from studysite.errors import BuildError, InputErrors
from studysite.model import question_view
from studysite.strings import STRINGS_DIR, Translator, check_tables, load_tables

from prep.cli import main
from prep.markdown import render_markdown

sys.path.insert(0, str(Path(__file__).parent / "site"))
import sitetest  # noqa: E402

FIXTURE = sitetest.FIXTURE_PROJECT
TEMPLATES = Path(__file__).resolve().parents[1] / "site" / "templates"


@pytest.fixture
def project(tmp_path) -> Path:
    """A writable copy of the fixture project."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def run(*args: str):
    return CliRunner().invoke(main, ["site", *args], catch_exceptions=False)


def test_build_writes_both_trees(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--root", str(FIXTURE), "--out", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    assert re.search(r"Built \d+ pages \(\d+ files\) in .* in \d+\.\d\d s", result.output)
    for path in [
        "index.html",
        "zh/index.html",
        "en/index.html",
        "zh/q/gan-mode-collapse.html",
        "en/interviewer/set.html",
        "zh/data/index.js",
        "exercises/gan.ipynb",
        MARKER,
    ]:
        assert (out / path).is_file(), path
    assert not (out / "pagefind").exists()
    search = (out / "zh" / "search.html").read_text(encoding="utf-8")
    assert 'data-pagefind="off"' in search


def test_missing_exercise_notebook_is_a_warning(tmp_path):
    result = run("build", "--root", str(FIXTURE), "--out", str(tmp_path / "o"), "--no-search")
    assert result.exit_code == 0
    assert "warning: " in result.output and "'vae#vae_loss' has no starter notebook" in (
        result.output
    )


def test_solutions_are_never_rendered(tmp_path):
    out = tmp_path / "out"
    build(SiteConfig(root=FIXTURE, out=out, search=False))
    marker = b"SOLUTION-MARKER-DO-NOT-PUBLISH"
    assert marker in (FIXTURE / "solutions" / "gan.ipynb").read_bytes()
    for path in out.rglob("*"):
        if path.is_file():
            assert marker not in path.read_bytes(), path


def test_a_notebook_pointing_into_solutions_is_refused(project, tmp_path):
    (project / "exercises" / "gan.ipynb").unlink()
    (project / "exercises" / "gan.ipynb").symlink_to(project / "solutions" / "gan.ipynb")
    result = run("build", "--root", str(project), "--out", str(tmp_path / "o"), "--no-search")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {project / 'exercises' / 'gan.ipynb'}: points into {project / 'solutions'}, "
        "which is never published\n"
    )


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run("build", "--root", str(FIXTURE), "--out", str(out), "--no-search")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --out: {out} is not empty and was not built by this tool; refusing to replace it\n"
    )
    assert (out / "notes.txt").read_text() == "keep me"


def test_refuses_the_project_itself_as_output(project):
    result = run("build", "--root", str(project), "--out", str(project), "--no-search")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: --out: {project} holds the project itself")


def test_rebuild_replaces_its_own_output(tmp_path):
    out = tmp_path / "out"
    build(SiteConfig(root=FIXTURE, out=out, search=False))
    (out / "stale.html").write_text("old")
    build(SiteConfig(root=FIXTURE, out=out, search=False))
    assert not (out / "stale.html").exists()
    assert (out / "zh" / "index.html").is_file()
    assert not list(tmp_path.glob(".out.*")), "staging folders left behind"


def test_nothing_is_written_when_a_page_fails(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(SiteConfig(root=FIXTURE, out=out, search=False))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise BuildError("en/q/x.html: boom")

    monkeypatch.setattr("studysite.build.render_redirect", broken)
    with pytest.raises(BuildError, match="boom"):
        build(SiteConfig(root=FIXTURE, out=out, search=False))
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".out.*"))


def test_a_bank_error_stops_the_build_with_exit_code_1(project, tmp_path):
    path = project / "questions" / "gan.yaml"
    path.write_text(path.read_text().replace("difficulty: easy", "difficulty: trivial", 1))
    out = tmp_path / "out"
    result = run("build", "--root", str(project), "--out", str(out), "--no-search")
    assert result.exit_code == 1
    assert result.output.startswith("Error: 1 problem in the question bank:")
    assert "gan-mode-collapse: difficulty" in result.output
    assert not out.exists()


def test_report_url_is_one_setting(tmp_path):
    out = tmp_path / "out"
    url = "https://tracker.example/new?title={title}&q={id}"
    result = run(
        "build", "--root", str(FIXTURE), "--out", str(out), "--no-search", "--report-url", url
    )
    assert result.exit_code == 0, result.output
    page = (out / "en" / "q" / "gan-mode-collapse.html").read_text(encoding="utf-8")
    assert (
        'href="https://tracker.example/new?title=Error%20in%20question%20gan-mode-collapse'
        '&amp;q=gan-mode-collapse"'
    ) in page
    bad = run(
        "build",
        "--root",
        str(FIXTURE),
        "--out",
        str(tmp_path / "o2"),
        "--no-search",
        "--report-url",
        "https://x/{nope}",
    )
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: report_url: 'https://x/{nope}' is not a valid template")


# ---- UI strings ----------------------------------------------------------------------------


def test_string_tables_have_the_same_keys():
    assert check_tables(load_tables(["zh", "en"])) == []


def test_every_key_a_template_uses_is_in_both_tables():
    tables = load_tables(["zh", "en"])
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_.]+)'\s*[,)]", path.read_text(encoding="utf-8")))
    assert used, "no t('...') call found"
    # keys built from a value: every difficulty of the vocabulary, every progress state
    vocabulary = load_inputs(SiteConfig(root=FIXTURE, out=Path("unused"))).vocabulary
    used |= {f"difficulty.{d}" for d in vocabulary["difficulties"]}
    used |= {f"status.{s}" for s in ("unseen", "known", "review", "bookmarked")}
    for lang, table in tables.items():
        assert not used - table.keys(), f"{lang} lacks {sorted(used - table.keys())}"


def test_a_key_missing_from_one_table_fails_validation():
    inputs = load_inputs(SiteConfig(root=FIXTURE, out=Path("unused")))
    del inputs.strings["en"]["nav.home"]
    with pytest.raises(InputErrors) as error:
        validate_inputs(inputs, SiteConfig(root=FIXTURE, out=Path("unused")))
    assert error.value.message == "UI strings (en): missing key 'nav.home'"


def test_every_input_problem_is_reported_at_once():
    config = SiteConfig(root=FIXTURE, out=Path("unused"), report_url="https://x/{nope}")
    inputs = load_inputs(config)
    del inputs.strings["zh"]["nav.home"]
    del inputs.strings["en"]["nav.search"]
    with pytest.raises(InputErrors) as error:
        validate_inputs(inputs, config)
    assert error.value.message == (
        "UI strings (zh): missing key 'nav.home'; UI strings (en): missing key 'nav.search'; "
        "report_url: 'https://x/{nope}' is not a valid template ('nope')"
    )


def test_a_key_missing_everywhere_fails_the_page_that_uses_it(tmp_path):
    config = SiteConfig(root=FIXTURE, out=tmp_path / "out")
    inputs = load_inputs(config)
    for table in inputs.strings.values():
        del table["nav.flashcards"]
    with pytest.raises(BuildError) as error:
        render_site(inputs, config)
    assert re.fullmatch(
        r"(zh|en)/[\w/.-]+\.html: UI string 'nav.flashcards' is missing for language '(zh|en)'",
        error.value.message,
    )


def test_translator_fills_in_values():
    t = Translator("en", {"a.b": "{count} questions"})
    assert t("a.b", count=3) == "3 questions"
    with pytest.raises(BuildError, match="UI string 'nope' is missing for language 'en'"):
        t("nope")


def test_strings_folder_is_inside_the_package():
    assert STRINGS_DIR.is_relative_to(TEMPLATES)


# ---- serve ---------------------------------------------------------------------------------


def test_served_site_answers_on_localhost(tmp_path):
    from studysite.serve import serve_in_thread

    out = tmp_path / "out"
    build(replace(SiteConfig(root=FIXTURE, out=out), search=False))
    server, url = serve_in_thread(out)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "zh/index.html", timeout=5) as response:
            assert response.status == 200
            assert "text/html" in response.headers["Content-Type"]
        with urllib.request.urlopen(url + "assets/core.js", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/javascript")
    finally:
        server.shutdown()
        server.server_close()


def test_serve_reports_a_busy_port_in_one_line(tmp_path):
    from studysite.serve import make_server

    busy = make_server(tmp_path)
    try:
        port = busy.server_address[1]
        result = run(
            "serve",
            "--root",
            str(FIXTURE),
            "--out",
            str(tmp_path / "out"),
            "--no-search",
            "--port",
            str(port),
        )
        assert result.exit_code == 1
        assert result.output.splitlines()[-1].startswith(
            f"Error: cannot listen on 127.0.0.1:{port}"
        )
    finally:
        busy.server_close()


# ---- views ---------------------------------------------------------------------------------


def test_a_draft_without_english_borrows_chinese_and_says_so():
    record = {
        "id": "x-draft",
        "topic": "gan",
        "tags": ["adversarial"],
        "difficulty": "easy",
        "type": "concept",
        "status": "draft",
        "zh": {"question": "什么是 $D(x)$？", "answer": "判别器的输出。"},
        "sources": [{"title": "T", "url": "https://example.org", "note": "p. 3"}],
    }
    en = question_view(record, "en", render_markdown, {})
    assert en.missing and en.draft and en.content_lang == "zh"
    assert en.title == "什么是 D(x)？"
    assert en.question_inline.startswith('什么是 <span class="math inline"><math display=')
    assert "xmlns" not in en.question_html
    assert en.answer_html == "<p>判别器的输出。</p>\n"
    zh = question_view(record, "zh", render_markdown, {})
    assert not zh.missing and zh.content_lang == "zh"


def test_a_missing_field_is_borrowed_with_its_own_language():
    record = {
        "id": "x",
        "topic": "gan",
        "tags": ["adversarial"],
        "difficulty": "easy",
        "type": "concept",
        "status": "draft",
        "zh": {"question": "问题", "answer": "答案"},
        "en": {"question": "Question"},
        "sources": [],
    }
    en = question_view(record, "en", render_markdown, {})
    assert en.missing and en.content_lang == "en"
    assert en.answer_html == '<div lang="zh-cn"><p>答案</p>\n</div>'


def test_a_broken_notebook_output_names_the_notebook_and_cell(project, tmp_path):
    import nbformat

    path = project / "exercises" / "gan.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "not base64!"})
    ]
    nbformat.write(notebook, path)
    result = run("build", "--root", str(project), "--out", str(tmp_path / "o"), "--no-search")
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: cell 2 has a broken PNG output\n"


def test_related_exercise_links_point_at_the_defining_cell(tmp_path):
    out = tmp_path / "out"
    build(SiteConfig(root=FIXTURE, out=out, search=False))
    page = (out / "en" / "q" / "gan-minimax-objective.html").read_text(encoding="utf-8")
    assert 'href="../../en/exercises/gan.html#def-discriminator_loss"' in page
    notebook = (out / "en" / "exercises" / "gan.html").read_text(encoding="utf-8")
    assert 'id="def-discriminator_loss"' in notebook
    assert "SOLUTION-MARKER" not in notebook and "&lt;b&gt;" in notebook


def test_a_page_missing_its_translation_wears_a_badge(tmp_path):
    out = tmp_path / "out"
    build(SiteConfig(root=FIXTURE, out=out, search=False))
    page = (out / "en" / "q" / "vae-posterior-collapse-draft.html").read_text(encoding="utf-8")
    assert '<div class="qhead" lang="zh-cn">' in page
    assert 'class="badge missing" role="note">English translation missing' in page
    assert 'class="badge draft">Draft' in page
    zh = (out / "zh" / "q" / "vae-posterior-collapse-draft.html").read_text(encoding="utf-8")
    assert "badge missing" not in zh
    index = (out / "en" / "data" / "index.js").read_text(encoding="utf-8")
    assert '"id":"vae-posterior-collapse-draft"' in index and '"missing":"zh-cn"' in index


def test_every_string_the_scripts_use_is_handed_to_them():
    from studysite.strings import JS_SHARED

    assets = Path(__file__).resolve().parents[1] / "site" / "assets"
    used = set()
    for script in assets.glob("*.js"):
        used |= set(re.findall(r"\bt\(\"([a-z_.]+)\"\s*[,)]", script.read_text(encoding="utf-8")))
    assert used
    for lang, table in load_tables(["zh", "en"]).items():
        handed = Translator(lang, table).js_strings()
        assert not used - handed.keys(), f"{lang}: scripts use {sorted(used - handed.keys())}"
        assert JS_SHARED <= table.keys()
