"""UI strings: one flat table of dotted keys per language, in templates/strings/<lang>.yaml.

Templates call ``t('nav.home')``; a key missing from the page's language fails the build (no
silent fallback). Keys under ``js.`` (and those in JS_SHARED) are also handed to the page
scripts. Both tables must have the same keys: `check_tables()` says which are missing where.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from studysite.errors import BuildError

STRINGS_DIR = Path(__file__).parent / "templates" / "strings"


# Keys that both templates and page scripts use.
JS_SHARED = frozenset(
    {
        "question.answer",
        "question.explanation",
        "question.key_points",
        "question.minutes",
        "question.no_answer",
        "question.draft",
        "question.missing_translation",
        "interviewer.follow_ups",
        "interviewer.pitfalls",
        "interviewer.rubric",
        "interviewer.score",
        "interviewer.criteria",
        "set.notes",
        "status.known",
        "status.review",
        "status.bookmarked",
        "filter.topic",
        "filter.difficulty",
        "filter.type",
        "filter.any",
    }
)


def load_tables(languages: list[str], folder: Path = STRINGS_DIR) -> dict[str, dict[str, str]]:
    """Read <lang>.yaml for each language; a missing or malformed table is a BuildError."""
    tables = {}
    for lang in languages:
        path = folder / f"{lang}.yaml"
        try:
            table = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise BuildError(f"{path}: cannot read the UI strings ({exc})") from None
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise BuildError(f"{path}: expected a flat mapping of key: text")
        tables[lang] = table
    return tables


def check_tables(tables: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """Return a (where, what) problem for every key that one language has and another lacks."""
    problems = []
    every_key = set().union(*(table.keys() for table in tables.values()))
    for lang, table in tables.items():
        for key in sorted(every_key - table.keys()):
            problems.append((f"UI strings ({lang})", f"missing key {key!r}"))
    return problems


class Translator:
    """``t(key, **values)`` for one language; an unknown key raises BuildError."""

    def __init__(self, lang: str, table: Mapping[str, str]) -> None:
        self.lang = lang
        self.table = table

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self.table[key]
        except KeyError:
            raise BuildError(f"UI string {key!r} is missing for language {self.lang!r}") from None
        return text.format(**values) if values else text

    def js_strings(self) -> dict[str, str]:
        """The strings the page scripts use: every ``js.*`` key plus those in JS_SHARED."""
        return {
            key: text
            for key, text in self.table.items()
            if key.startswith("js.") or key in JS_SHARED
        }
