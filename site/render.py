"""Pages as bytes: the Jinja environment, one function per kind of page, and the data scripts.

Every link is relative (`url('zh/q/x.html')` from zh/topics/gan.html is `../../zh/q/x.html`),
so the same output works from disk (file://) and under any HTTP path.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from studysite.config import LANGUAGES, SiteConfig
from studysite.errors import BuildError
from studysite.model import QuestionView, TopicView, Vocabulary, other_language
from studysite.notebooks import Exercise
from studysite.strings import Translator

TEMPLATES = Path(__file__).parent / "templates"

# The pages each language has once: (template, path in the tree, kind, nav section, title key).
SINGLE_PAGES = [
    ("home.html", "index.html", "home", "home", "home.title"),
    ("questions.html", "questions.html", "browse", "browse", "browse.title"),
    ("search.html", "search.html", "search", "search", "search.title"),
    ("flashcards.html", "flashcards.html", "flashcards", "flashcards", "flashcards.title"),
    ("progress.html", "progress.html", "progress", "progress", "progress.title"),
    ("exercises.html", "exercises/index.html", "exercises", "exercises", "exercises.title"),
    ("interviewer.html", "interviewer/index.html", "interviewer", "interviewer",
     "interviewer.title"),
    ("interview-set.html", "interviewer/set.html", "interview-set", "interviewer", "set.title"),
]  # fmt: skip


@functools.cache
def make_environment() -> jinja2.Environment:
    """Templates from site/templates; an undefined name is an error, never an empty string.

    One environment per process: templates compile once, however many builds run."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class LanguageSite:
    """Everything one language tree is rendered from."""

    lang: str
    t: Translator
    vocab: Vocabulary
    questions: list[QuestionView]
    topics: list[TopicView]
    exercises: list[Exercise]
    exercise_questions: dict[str, list[QuestionView]]
    stats: dict[str, int]


class Renderer:
    """Renders pages of one language tree into a dict of output path -> bytes."""

    def __init__(self, env: jinja2.Environment, config: SiteConfig, site: LanguageSite) -> None:
        self.env = env
        self.config = config
        self.site = site
        self.lang = site.lang
        self.common = {
            "lang": site.lang,
            "html_lang": LANGUAGES[site.lang],
            "other_html_lang": LANGUAGES[other_language(site.lang)],
            "t": site.t,
            "js_strings": site.t.js_strings(),
            "vocab": site.vocab,
            "topics": site.topics,
            "search_enabled": config.search,
        }

    def page(self, template: str, rel: str, *, kind: str, section: str, title: str, **context):
        """Render `template` as <lang>/<rel>; returns (output path, bytes)."""
        path = f"{self.lang}/{rel}"
        root = "../" * path.count("/")
        values = {
            **self.common,
            "kind": kind,
            "section": section,
            "title": title,
            "root": root,
            "url": lambda target: root + target,
            "alternate": f"{other_language(self.lang)}/{rel}",
            **context,
        }
        try:
            text = self.env.get_template(template).render(values)
        except BuildError as exc:
            raise BuildError(f"{path}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise BuildError(f"{path}: template {template}: {exc}") from None
        return path, text.encode("utf-8")

    def all_pages(self) -> dict[str, bytes]:
        """Every page and data script of this language tree."""
        t, site = self.site.t, self.site
        pages = {}

        def add(template: str, rel: str, kind: str, section: str, title: str, **context) -> None:
            path, data = self.page(template, rel, kind=kind, section=section, title=title,
                                   **context)  # fmt: skip
            pages[path] = data

        for template, rel, kind, section, title_key in SINGLE_PAGES:
            add(template, rel, kind, section, t(title_key), stats=site.stats,
                exercises=site.exercises)  # fmt: skip
        for topic in site.topics:
            add("topic.html", f"topics/{topic.key}.html", "topic", "browse", topic.name,
                topic=topic)  # fmt: skip
        for ex in site.exercises:
            related = site.exercise_questions.get(ex.name, [])
            add("exercise.html", f"exercises/{ex.name}.html", "exercise", "exercises", ex.title,
                ex=ex, ex_questions=related)  # fmt: skip
        for topic in site.topics:
            for i, q in enumerate(topic.questions):
                around = {
                    "q": q,
                    "prev_q": topic.questions[i - 1] if i else None,
                    "next_q": topic.questions[i + 1] if i + 1 < len(topic.questions) else None,
                    "report_url": self.report_url(q),
                }
                add("question.html", f"q/{q.id}.html", "question", "browse", q.title, **around)
                add("interviewer-question.html", f"interviewer/q/{q.id}.html",
                    "interviewer-question", "interviewer", q.title, **around)  # fmt: skip
        pages[f"{self.lang}/data/index.js"] = data_script("index", self.index_data())
        for topic, cards in self.card_data().items():
            pages[f"{self.lang}/data/cards-{topic}.js"] = data_script("cards", cards)
        return pages

    def report_url(self, q: QuestionView) -> str:
        t = self.site.t
        page = f"{self.lang}/q/{q.id}.html"
        return self.config.report_url.format(
            id=quote(q.id),
            title=quote(t("question.report_subject", id=q.id)),
            body=quote(t("question.report_body", id=q.id, page=page)),
        )

    def index_data(self) -> dict:
        """The small index the filters, offline search, progress page and set builder use."""
        site = self.site
        return {
            "lang": self.lang,
            "topics": site.vocab.topics,
            "tags": site.vocab.tags,
            "types": site.vocab.types,
            "difficulties": {d: site.t(f"difficulty.{d}") for d in site.vocab.difficulties},
            "questions": [
                {
                    "id": q.id,
                    "title": q.title,
                    "topic": q.topic,
                    "tags": q.tags,
                    "difficulty": q.difficulty,
                    "type": q.type,
                    "status": "draft" if q.draft else "reviewed",
                    "time": q.time_min,
                    **({"missing": q.content_html_lang} if q.missing else {}),
                }
                for q in site.questions
            ],
        }

    def card_data(self) -> dict[str, dict]:
        """Per topic: rendered question, answer and interviewer notes (flashcards, answer key)."""
        cards: dict[str, dict] = {topic.key: {} for topic in self.site.topics}
        for q in self.site.questions:
            cards.setdefault(q.topic, {})[q.id] = {
                "q": q.question_html,
                "a": q.answer_html,
                "e": q.explanation_html,
                "k": q.key_points,
                "f": q.follow_ups,
                "p": q.pitfalls,
                "r": q.rubric,
                **({"lang": q.content_html_lang} if q.missing else {}),
            }
        return cards


def data_script(kind: str, data: Mapping) -> bytes:
    """`StudySite.data("<kind>", {...})`: JSON inside a script, so file:// pages can load it."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the script early
    return (
        f'window.StudySiteData=window.StudySiteData||[];StudySiteData.push(["{kind}",{payload}]);\n'
    ).encode()


def render_redirect(
    env: jinja2.Environment, translators: Mapping[str, Translator], default: str
) -> bytes:
    """The root index.html: a meta refresh to <default>/index.html plus links to both trees."""
    links = [
        {"href": f"{lang}/index.html", "html_lang": code, "name": t("language.name")}
        for lang, code in LANGUAGES.items()
        for t in [translators[lang]]
    ]
    text = env.get_template("redirect.html").render(
        html_lang=LANGUAGES[default],
        t=translators[default],
        target=f"{default}/index.html",
        links=links,
    )
    return text.encode("utf-8")
