"""The question format, declared once: every field a record may have, with one line on each.

The validator (`prep.bank.validate`) accepts exactly these fields; docs/question-format.md and
questions/schema.json describe the same set, and tests/test_bank_schema.py keeps them in step.
"""

from __future__ import annotations

import re

LANGS = ("zh", "en")
STATUSES = ("draft", "reviewed")
RUBRIC_LEVELS = (0, 1, 2, 3)
TIME_MIN = (1, 60)

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# The files in the bank folder that are not topic files.
VOCABULARY_FILE = "vocabulary.yaml"
SEED_INDEX_FILE = "seed-index.yaml"

FILE_FIELDS = {
    "topic": "the file's topic, from vocabulary.topics; the file is named <topic>.yaml",
    "questions": "the records, in the order the site lists them",
}

# name -> (required, description). "required" is for every record; the language blocks have
# their own rule (see LANG_FIELDS).
RECORD_FIELDS = {
    "id": (True, "unique slug across the bank: lowercase letters and digits, single hyphens"),
    "topic": (True, "the file's topic"),
    "tags": (True, "one or more tags from vocabulary.tags"),
    "difficulty": (True, "easy, medium or hard"),
    "type": (True, "one of vocabulary.types"),
    "time_min": (True, "minutes a good answer takes in an interview: an integer, 1 to 60"),
    "status": (True, "draft or reviewed; a reviewed record has both languages, complete"),
    "zh": (False, "the Chinese text (a language block)"),
    "en": (False, "the English text (a language block)"),
    "sources": (True, "one or more references: {title, url (http/https), optional note}"),
    "exercise": (False, "notebook exercise(s): '<exercise>' or '<exercise>#<name>', or a list"),
    "seed": (False, "ids from questions/seed-index.yaml this record covers: a string or a list"),
}

# name -> (required in a reviewed record, description). A draft needs only `question`.
LANG_FIELDS = {
    "question": (True, "the question, Markdown (math in $...$ / $$...$$)"),
    "answer": (True, "a model answer, Markdown; its ```python blocks must run"),
    "explanation": (False, "background beyond the answer, Markdown"),
    "key_points": (True, "what a good answer must contain (interviewer kit), one or more"),
    "follow_ups": (True, "follow-up questions, one or more"),
    "pitfalls": (True, "common wrong answers, one or more"),
    "rubric": (True, "scoring guide with all four levels 0, 1, 2, 3"),
}

# Language-block fields that hold one Markdown text, and those that hold a list of them.
LANG_TEXT_FIELDS = ("question", "answer", "explanation")
LANG_LIST_FIELDS = ("key_points", "follow_ups", "pitfalls")

SOURCE_FIELDS = {
    "title": (True, "author(s), title and year"),
    "url": (True, "an http:// or https:// address"),
    "note": (False, "what to read there (optional)"),
}

SEED_INDEX_FIELDS = {"seeds": "the questions of the source articles, one entry each"}
SEED_FIELDS = {
    "id": (True, "the seed's id, e.g. 000-q01"),
    "article": (False, "the source article"),
    "topic": (False, "the topic it belongs to"),
    "summary_zh": (False, "what it asks, in Chinese"),
    "summary_en": (False, "what it asks, in English"),
    "also": (False, "ids of the same question in other articles, merged into this one"),
    "error": (False, "what the article's answer got wrong"),
}
