"""The study site in a real browser (Debian's headless Chromium, driven by Playwright), from
disk (file://) and over a local HTTP server, the way a reader uses it.

Every page a test opens is watched: a console error, an uncaught script error or a request
to anything but the local files or 127.0.0.1 fails the test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "site"))
import sitetest  # noqa: E402

pytestmark = pytest.mark.skipif(
    not sitetest.CHROMIUM.exists(),
    reason=f"browser tests need Debian's Chromium at {sitetest.CHROMIUM} "
    "(apt-get install chromium)",
)

TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> sitetest.BuiltSite:
    return sitetest.built_site(sitetest.shared_dir(tmp_path_factory))


@pytest.fixture(scope="session")
def base_url(site) -> str:
    return sitetest.server_url(site.out)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(sitetest.CHROMIUM), args=sitetest.CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Visits:
    """Opens pages in one browser context and records what must not happen on any of them."""

    def __init__(self, browser, site: sitetest.BuiltSite, base_url: str, **context_options):
        self.site = site
        self.base_url = base_url
        self.problems: list[str] = []
        self.context = browser.new_context(accept_downloads=True, **context_options)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on("request", self._check_request)

    def _check_request(self, request) -> None:
        url = request.url
        if not url.startswith(("file://", self.base_url, "data:", "blob:", "about:")):
            self.problems.append(f"request to the outside: {url}")

    def open(self, where: str, path: str):
        """`where` is "disk" or "http"; `path` is relative to the site root."""
        page = self.context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"{page.url}: console: {m.text}"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"{page.url}: script error: {e}"))
        page.goto(self.url(where, path))
        return page

    def url(self, where: str, path: str) -> str:
        if where == "disk":
            target, _, rest = path.partition("?")
            target, _, anchor = target.partition("#")
            url = (self.site.out / target).as_uri()
            return url + (f"?{rest}" if rest else "") + (f"#{anchor}" if anchor else "")
        return self.base_url + path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visits(browser, site, base_url):
    v = Visits(browser, site, base_url)
    yield v
    v.close()
    assert not v.problems, "\n".join(v.problems)


def _question(site, *, draft: bool | None = None, missing: str | None = None) -> dict:
    for q in site.bank.questions:
        if draft is not None and (q["status"] == "draft") != draft:
            continue
        if missing is not None and missing in q:
            continue
        return q
    pytest.skip(
        f"this bank has no {'draft' if draft else 'reviewed'} question"
        + (f" without {missing}" if missing else "")
        + " (test_site_build.py checks the fixture's)"
    )


def _popular_tag(site) -> str:
    counts: dict[str, int] = {}
    for q in site.bank.questions:
        if q["status"] == "reviewed":
            for tag in q["tags"]:
                counts[tag] = counts.get(tag, 0) + 1
    return max(sorted(counts), key=counts.get)


# ---- home and navigation -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["disk", "http"])
def test_home_opens_in_chinese_with_every_topic(visits, site, where):
    page = visits.open(where, "index.html")
    page.wait_for_url("**/zh/index.html")
    assert page.locator("html").get_attribute("lang") == "zh-cn"
    tiles = page.locator(".topic-tile")
    assert tiles.count() == len(site.bank.vocabulary["topics"])
    counts = sum(
        int("".join(ch for ch in tiles.nth(i).locator(".topic-count").inner_text() if ch.isdigit()))
        for i in range(tiles.count())
    )
    assert counts == len(site.bank.questions)
    page.get_by_role("link", name="English").first.click()
    page.wait_for_url("**/en/index.html")
    assert page.locator("html").get_attribute("lang") == "en"


def test_language_switch_lands_on_the_same_question(visits, site):
    q = _question(site, draft=False)
    page = visits.open("http", f"zh/q/{q['id']}.html")
    assert q["id"] in page.locator(".qid").inner_text()
    page.locator(".lang-switch").click()
    page.wait_for_url(f"**/en/q/{q['id']}.html")
    assert q["id"] in page.locator(".qid").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".lang-switch").click()
    page.wait_for_url(f"**/zh/q/{q['id']}.html")


def test_missing_translation_shows_a_badge(visits, site):
    q = _question(site, draft=True, missing="en")
    page = visits.open("disk", f"en/q/{q['id']}.html")
    badge = page.locator(".qhead .badge.missing")
    assert badge.is_visible()
    assert page.locator(".qhead").get_attribute("lang") == "zh-cn"


# ---- a question page -----------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_answer_is_behind_a_reveal(browser, site, base_url, javascript):
    visits = Visits(browser, site, base_url, java_script_enabled=javascript)
    try:
        q = _question(site, draft=False)
        page = visits.open("disk", f"en/q/{q['id']}.html")
        answer = page.locator("#answer .answer")
        assert not answer.is_visible()
        page.locator("#answer > summary").click()
        assert answer.is_visible()
        assert page.locator("#answer").get_attribute("open") is not None
        assert page.locator("math").count() + page.locator("pre").count() >= 0
        progress = page.locator(".progress-controls")
        assert progress.is_visible() is javascript
    finally:
        visits.close()
    assert not visits.problems, "\n".join(visits.problems)


def test_math_and_code_render(visits, site):
    with_math = next(
        (q for q in site.bank.questions if "$" in (q.get("en") or {}).get("answer", "")), None
    )
    with_code = next(
        (q for q in site.bank.questions if "```" in (q.get("en") or {}).get("answer", "")), None
    )
    if with_math:
        page = visits.open("http", f"en/q/{with_math['id']}.html")
        page.locator("#answer > summary").click()
        box = page.locator("#answer math").first.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0
    if with_code:
        page = visits.open("http", f"en/q/{with_code['id']}.html")
        page.locator("#answer > summary").click()
        token = page.locator("#answer pre.highlight span").first
        assert token.is_visible()
        colour = token.evaluate("e => getComputedStyle(e).color")
        plain = page.locator("#answer pre.highlight").evaluate("e => getComputedStyle(e).color")
        assert colour != plain or page.locator("#answer pre.highlight span").count() > 1


def test_report_link_names_the_question_and_is_not_loaded(visits, site):
    q = _question(site)
    page = visits.open("disk", f"zh/q/{q['id']}.html")
    href = page.locator(".report-link").get_attribute("href")
    assert q["id"] in href
    assert page.locator("iframe, img[src^='http']").count() == 0


# ---- progress ------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["disk", "http"])
def test_known_survives_a_reload(visits, site, where):
    q = _question(site, draft=False)
    page = visits.open(where, f"zh/q/{q['id']}.html")
    known = page.locator(".progress-controls [data-set-state=known]")
    assert known.get_attribute("aria-pressed") == "false"
    known.click()
    assert known.get_attribute("aria-pressed") == "true"
    page.reload()
    assert (
        page.locator(".progress-controls [data-set-state=known]").get_attribute("aria-pressed")
        == "true"
    )
    progress = visits.open(where, "zh/progress.html")
    assert progress.locator(f'[data-progress-list=known] li[data-id="{q["id"]}"]').count() == 1


def test_progress_exports_and_imports_as_json(visits, site, tmp_path):
    first, second = [q for q in site.bank.questions if q["status"] == "reviewed"][:2]
    page = visits.open("disk", f"en/q/{first['id']}.html")
    page.locator("[data-set-state=review]").click()
    page.goto(visits.url("disk", f"en/q/{second['id']}.html"))
    page.locator("[data-toggle-bookmark]").click()

    page.goto(visits.url("disk", "en/progress.html"))
    with page.expect_download() as download:
        page.locator("[data-progress-export]").click()
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["format"] == "studysite-progress"
    assert data["questions"][first["id"]]["state"] == "review"
    assert data["questions"][second["id"]]["bookmarked"] is True

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-progress-clear]").click()
    assert page.locator("[data-progress-list=review] li").count() == 0
    page.locator("[data-progress-import]").set_input_files(saved)
    page.locator("[data-progress-list=review] li").first.wait_for()
    assert page.locator(f'[data-progress-list=review] li[data-id="{first["id"]}"]').count() == 1
    assert page.locator(f'[data-progress-list=bookmarked] li[data-id="{second["id"]}"]').count()
    assert "2" in page.locator("[data-progress-message]").inner_text()
    page.reload()
    assert page.locator(f'[data-progress-list=review] li[data-id="{first["id"]}"]').count() == 1


# ---- filters, search, flashcards -----------------------------------------------------------


def test_filter_by_difficulty_from_disk(visits, site):
    page = visits.open("disk", "zh/questions.html")
    everyone = len(site.bank.questions)
    page.locator("[data-results] li").first.wait_for()
    assert page.locator("[data-results] li").count() == everyone
    page.locator("[data-filters] select[name=difficulty]").select_option("hard")
    hard = [q["id"] for q in site.bank.questions if q["difficulty"] == "hard"]
    cards = page.locator("[data-results] li")
    assert cards.count() == len(hard)
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.id)")) == sorted(hard)
    assert page.locator("[data-results] li .difficulty-hard").count() == len(hard)
    assert "difficulty=hard" in page.url
    tag = _popular_tag(site)
    page.locator("[data-filters] select[name=difficulty]").select_option("")
    page.locator("[data-filters] select[name=tag]").select_option(tag)
    tagged = [q["id"] for q in site.bank.questions if tag in q["tags"]]
    assert page.locator("[data-results] li").count() == len(tagged)


def test_filters_survive_the_language_switch(visits, site):
    page = visits.open("http", "zh/questions.html?difficulty=easy")
    page.locator(".lang-switch").click()
    page.wait_for_url("**/en/questions.html?difficulty=easy")
    assert page.locator("select[name=difficulty]").input_value() == "easy"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_full_text_search_finds_and_opens_a_question(visits, site, lang):
    """Pagefind over HTTP; the Chinese term is a tag name, found by word segmentation."""
    if site.report.indexed is None:
        pytest.skip("built without the search index: pip install 'pagefind[extended]'")
    tag = _popular_tag(site)
    term = site.bank.vocabulary["tags"][tag][lang]
    page = visits.open("http", f"{lang}/search.html?q={term}")
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for()
    hrefs = results.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(f"/{lang}/q/" in h or f"/{lang}/exercises/" in h for h in hrefs), hrefs
    tagged = {q["id"] for q in site.bank.questions if tag in q["tags"]}
    found = {h.rsplit("/", 1)[-1].removesuffix(".html") for h in hrefs}
    assert found & tagged, (term, found)
    results.first.click()
    page.wait_for_url(f"**/{lang}/**/*.html")
    assert page.locator("html").get_attribute("lang") == ("zh-cn" if lang == "zh" else "en")


def test_search_from_disk_falls_back_to_titles(visits, site):
    topic = next(q["topic"] for q in site.bank.questions)
    term = site.bank.vocabulary["topics"][topic]["zh"][:2]
    page = visits.open("disk", f"zh/search.html?q={term}")
    assert page.locator("[data-note-file]").is_visible()
    assert page.locator("#pagefind-search").is_hidden()
    results = page.locator("[data-fallback-search] [data-results] li a")
    results.first.wait_for()
    expected = [q for q in site.bank.questions if q["topic"] == topic]
    assert results.count() >= len(expected)
    results.first.click()
    page.wait_for_url("**/zh/q/*.html")


def test_flashcards_walk_a_filtered_set(visits, site):
    easy = [q["id"] for q in site.bank.questions if q["difficulty"] == "easy"]
    if len(easy) < 2:
        pytest.skip("needs two easy questions")
    page = visits.open("disk", "zh/flashcards.html?difficulty=easy")
    position = page.locator("[data-card-position]")
    assert position.inner_text().endswith(f"{len(easy)} 张")
    first = page.locator("[data-card-link]").inner_text()
    assert first in easy
    answer = page.locator("[data-card-answer]")
    assert answer.is_hidden()
    page.locator("[data-card-reveal]").click()
    assert answer.is_visible() and answer.inner_text().strip()
    page.locator("[data-card-mark=known]").click()
    assert page.locator("[data-card-link]").inner_text() != first
    stored = page.evaluate(f"StudySite.progress.get({json.dumps(first)})")
    assert stored["state"] == "known"


# ---- interview set -------------------------------------------------------------------------


def test_seeded_selection_matches_python(visits, site):
    from prep.bank import select_questions

    page = visits.open("disk", "en/interviewer/set.html")
    questions = site.index("en")["questions"]
    topic = site.bank.questions[0]["topic"]
    cases = [
        {"seed": 0, "count": 5},
        {"seed": 7, "count": 3, "topic": topic},
        {"seed": 42, "count": 10, "difficulty": "medium"},
        {"seed": 123456789, "count": 4, "types": "concept"},
        {"seed": "2025", "count": 100},
        {"seed": 5, "count": 6, "tags": _popular_tag(site)},
    ]
    for case in cases:
        expected = [q["id"] for q in select_questions(site.bank.questions, **case)]
        got = page.evaluate(
            "([qs, opts]) => StudySite.selectQuestions(qs, opts).map(q => q.id)",
            [questions, case],
        )
        assert got == expected, case
    for text in ["héllo", "面试", "42:gan-x", ""]:
        expected = __import__("prep.bank", fromlist=["fnv1a32"]).fnv1a32(text)
        assert page.evaluate("t => StudySite.fnv1a32(t)", text) == expected


def test_interview_set_sheet_and_key_print_apart(visits, site):
    from prep.bank import select_questions

    count, seed = 3, 42
    expected = [q["id"] for q in select_questions(site.bank.questions, count=count, seed=seed)]
    page = visits.open("http", f"zh/interviewer/set.html?count={count}&seed={seed}")
    page.wait_for_selector(f"body[data-set-ready='{len(expected)}']")
    sheet = page.locator("#sheet [data-set-list] > li")
    key = page.locator("#key [data-set-list] > li")
    assert sheet.evaluate_all("els => els.map(e => e.dataset.id)") == expected
    assert key.evaluate_all("els => els.map(e => e.dataset.id)") == expected
    assert page.locator("#sheet .set-answer").count() == 0
    assert not page.locator("#key .set-answer .prose").first.is_visible()  # closed on screen

    page.emulate_media(media="print")
    for i in range(key.count()):
        assert key.nth(i).locator(".set-answer .prose").is_visible(), f"answer {i} closed"
    assert page.locator("#sheet").is_visible()
    assert page.locator(".site-header").is_hidden()
    page.evaluate("document.body.dataset.print = 'sheet'")
    assert page.locator("#key").is_hidden() and page.locator("#sheet").is_visible()
    page.evaluate("document.body.dataset.print = 'key'")
    assert page.locator("#sheet").is_hidden() and page.locator("#key").is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")


def test_interview_set_form_builds_a_shareable_link(visits, site):
    page = visits.open("disk", "en/interviewer/set.html")
    page.locator("[data-set-form] input[name=count]").fill("2")
    page.locator("[data-set-form] input[name=seed]").fill("9")
    page.locator("[data-set-form] button[type=submit]").click()
    page.wait_for_selector("body[data-set-ready]")
    assert "seed=9" in page.url and "count=2" in page.url
    assert page.locator("#sheet [data-set-list] > li").count() == min(
        2, sum(q["status"] == "reviewed" for q in site.bank.questions)
    )


# ---- looks: dark mode, phones, exercises ---------------------------------------------------


def _background(page) -> tuple[int, ...]:
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(c) for c in colour[colour.index("(") + 1 : -1].split(",")[:3])


def test_dark_mode_follows_the_system_and_the_toggle(browser, site, base_url):
    visits = Visits(browser, site, base_url, color_scheme="dark")
    try:
        page = visits.open("http", "en/index.html")
        assert sum(_background(page)) < 150
        toggle = page.locator("[data-theme-toggle]")
        toggle.click()  # auto -> dark
        assert page.locator("html").get_attribute("data-theme") == "dark"
        toggle.click()  # dark -> light
        assert sum(_background(page)) > 600
        page.reload()
        assert sum(_background(page)) > 600
        assert "light" in page.locator("[data-theme-toggle]").inner_text().lower()
    finally:
        visits.close()
    assert not visits.problems, "\n".join(visits.problems)


def test_readable_on_a_phone(browser, site, base_url):
    visits = Visits(browser, site, base_url, viewport={"width": 375, "height": 740})
    try:
        q = max(site.bank.questions, key=lambda q: len(str(q.get("zh", ""))))
        for path in ["zh/index.html", f"zh/q/{q['id']}.html", "en/interviewer/index.html"]:
            page = visits.open("disk", path)
            page.locator("details.reveal > summary").first.click() if "/q/" in path else None
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} scrolls sideways ({width}px)"
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 15
    finally:
        visits.close()
    assert not visits.problems, "\n".join(visits.problems)


def test_exercise_page_offers_the_starter_and_the_grade_command(visits, site):
    notebooks = sorted((site.root / "exercises").glob("*.ipynb"))
    if not notebooks:
        pytest.skip("no starter notebook")
    name = notebooks[0].stem
    page = visits.open("http", f"en/exercises/{name}.html")
    assert f"grade exercises/{name}.ipynb" in page.locator("pre.commands").first.inner_text()
    with page.expect_download() as download:
        page.locator(f"a[download='{name}.ipynb']").click()
    assert download.value.suggested_filename == f"{name}.ipynb"
    assert page.locator(".notebook .nb-cell").count() > 0
