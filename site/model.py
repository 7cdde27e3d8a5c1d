"""What the templates see: bank records and notebooks turned into per-language views.

A record keeps both languages side by side (`zh:`/`en:` blocks); a view is one language of it,
with every Markdown field already rendered to HTML. Where the page's language lacks a block
or a field (a draft), the other language fills in and the view says so, so the page can show
a "translation missing" badge and mark the borrowed text with its own `lang`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from studysite.config import LANGUAGES

Render = Callable[[str], str]

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_ONE_PARAGRAPH = re.compile(r"\A<p>((?:(?!<p>|</p>).)*)</p>\s*\Z", re.S)
_BLOCK = re.compile(r"<(?:div|pre|table|ul|ol|blockquote|h[1-6])\b")


_MATHML_XMLNS = ' xmlns="http://www.w3.org/1998/Math/MathML"'


def compact(rendered: str) -> str:
    """Drop what HTML does not need: `<math>` is MathML by the parser's rules, no xmlns."""
    return rendered.replace(_MATHML_XMLNS, "")


def other_language(lang: str) -> str:
    return next(code for code in LANGUAGES if code != lang)


def plain_text(rendered: str) -> str:
    """The text a reader sees in rendered HTML, on one line (for titles and the index)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", rendered))).strip()


def inline_html(rendered: str) -> str | None:
    """The inside of a single paragraph (fit for a heading or a list item), else None."""
    match = _ONE_PARAGRAPH.match(rendered)
    if match is None or _BLOCK.search(match.group(1)):
        return None
    return match.group(1)


@dataclass(frozen=True)
class Vocabulary:
    """The bank's controlled names in one language."""

    lang: str
    topics: dict[str, str]
    types: dict[str, str]
    tags: dict[str, str]
    difficulties: list[str]

    @property
    def tags_sorted(self) -> list[tuple[str, str]]:
        return sorted(self.tags.items(), key=lambda item: item[1].casefold())


def vocabulary_view(vocabulary: Mapping, lang: str) -> Vocabulary:
    """Names of topics, types and tags in `lang` (the other language if one is missing)."""

    def names(section: str) -> dict[str, str]:
        return {
            key: (value.get(lang) or value.get(other_language(lang)) or key)
            if isinstance(value, Mapping)
            else str(value)
            for key, value in (vocabulary.get(section) or {}).items()
        }

    return Vocabulary(
        lang=lang,
        topics=names("topics"),
        types=names("types"),
        tags=names("tags"),
        difficulties=list(vocabulary.get("difficulties") or []),
    )


@dataclass(frozen=True)
class ExerciseLink:
    name: str
    title: str
    anchor: str  # "" or the id of the cell defining the linked name


@dataclass
class QuestionView:
    """One record in one language, ready for the templates."""

    id: str
    topic: str
    tags: list[str]
    difficulty: str
    type: str
    time_min: int | None
    draft: bool
    lang: str
    content_lang: str  # the language of the block shown (differs from lang when missing)
    missing: bool  # the page's language has no block, or borrowed a field from the other
    title: str
    question_html: str
    question_inline: str | None
    answer_html: str
    explanation_html: str
    key_points: list[str]
    follow_ups: list[str]
    pitfalls: list[str]
    rubric: list[tuple[int, str]]
    sources: list[dict]
    exercises: list[ExerciseLink] = field(default_factory=list)

    @property
    def content_html_lang(self) -> str:
        return LANGUAGES[self.content_lang]

    @property
    def long_title(self) -> bool:
        """Whether the question reads as a paragraph rather than a heading (CJK counts twice)."""
        width = sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1
                    for ch in self.title)  # fmt: skip
        return width > 160

    @property
    def has_code(self) -> bool:
        """Whether the page needs the code-colour style sheet."""
        parts = [self.question_html, self.answer_html, self.explanation_html]
        parts += self.key_points + self.follow_ups + self.pitfalls
        parts += [text for _, text in self.rubric]
        return any('class="highlight"' in part for part in parts)


def _field_source(record: Mapping, lang: str, name: str) -> tuple[object, str | None]:
    """The value of a language field and the language it came from (page language first)."""
    for code in (lang, other_language(lang)):
        block = record.get(code)
        if isinstance(block, Mapping) and block.get(name) not in (None, "", []):
            return block[name], code
    return None, None


def question_view(
    record: Mapping, lang: str, render: Render, exercises: Mapping[str, ExerciseLink]
) -> QuestionView:
    """Render one record's Markdown fields for a page in `lang`."""
    own_block = isinstance(record.get(lang), Mapping)
    content_lang = lang if own_block else other_language(lang)
    borrowed = False

    def text(name: str) -> str:
        nonlocal borrowed
        value, came_from = _field_source(record, lang, name)
        if value is None:
            return ""
        rendered = compact(render(str(value)))
        if came_from != content_lang:
            borrowed = True
            return f'<div lang="{LANGUAGES[came_from]}">{rendered}</div>'
        return rendered

    def items(name: str) -> list[str]:
        nonlocal borrowed
        value, came_from = _field_source(record, lang, name)
        if not isinstance(value, list):
            return []
        rendered = [_item_html(compact(render(str(item)))) for item in value]
        if came_from != content_lang:
            borrowed = True
            return [f'<span lang="{LANGUAGES[came_from]}">{item}</span>' for item in rendered]
        return rendered

    question_html = text("question")
    rubric_value, rubric_lang = _field_source(record, lang, "rubric")
    rubric = []
    if isinstance(rubric_value, Mapping):
        for level, criterion in sorted(rubric_value.items(), key=lambda kv: int(kv[0])):
            rendered = _item_html(compact(render(str(criterion))))
            if rubric_lang != content_lang:
                borrowed = True
                rendered = f'<span lang="{LANGUAGES[rubric_lang]}">{rendered}</span>'
            rubric.append((int(level), rendered))
    view = QuestionView(
        id=record["id"],
        topic=record["topic"],
        tags=list(record.get("tags") or []),
        difficulty=record["difficulty"],
        type=record["type"],
        time_min=record.get("time_min"),
        draft=record.get("status") == "draft",
        lang=lang,
        content_lang=content_lang,
        missing=False,
        title=plain_text(question_html) or record["id"],
        question_html=question_html,
        question_inline=inline_html(question_html),
        answer_html=text("answer"),
        explanation_html=text("explanation"),
        key_points=items("key_points"),
        follow_ups=items("follow_ups"),
        pitfalls=items("pitfalls"),
        rubric=rubric,
        sources=[dict(s) for s in record.get("sources") or [] if isinstance(s, Mapping)],
        exercises=_resolve_exercises(record, exercises),
    )
    view.missing = not own_block or borrowed
    return view


def _resolve_exercises(
    record: Mapping, exercises: Mapping[str, ExerciseLink]
) -> list[ExerciseLink]:
    """The record's exercise links that have a page; '<ex>#<name>' falls back to '<ex>'."""
    found = []
    for link in exercise_links(record):
        target = exercises.get(link) or exercises.get(link.partition("#")[0])
        if target is not None and target not in found:
            found.append(target)
    return found


def _item_html(rendered: str) -> str:
    """A list item's HTML: the bare paragraph content when it is one paragraph."""
    inline = inline_html(rendered)
    return inline if inline is not None else rendered


def exercise_links(record: Mapping) -> list[str]:
    """The record's `exercise:` value as a list of '<exercise>' or '<exercise>#<name>'."""
    value = record.get("exercise")
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


@dataclass
class TopicView:
    key: str
    name: str
    questions: list[QuestionView]
    by_difficulty: dict[str, int]

    @property
    def count(self) -> int:
        return len(self.questions)


def topic_views(vocab: Vocabulary, questions: Iterable[QuestionView]) -> list[TopicView]:
    """Every vocabulary topic in its order, with its questions in bank order."""
    grouped: dict[str, list[QuestionView]] = {key: [] for key in vocab.topics}
    for q in questions:
        grouped.setdefault(q.topic, []).append(q)
    return [
        TopicView(
            key=key,
            name=vocab.topics.get(key, key),
            questions=qs,
            by_difficulty={d: sum(1 for q in qs if q.difficulty == d) for d in vocab.difficulties},
        )
        for key, qs in grouped.items()
    ]
