"""Export the bank in one language: an Anki package (genanki) or a CSV file.

Anki notes keep a GUID made from the question id and language, and the deck and note model
keep fixed ids, so importing a newer export updates the cards already studied instead of
adding copies. The CSV is UTF-8 with a byte-order mark, which spreadsheet programs need to show
Chinese correctly; Python reads it back with `encoding="utf-8-sig"`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import genanki

from prep.markdown import pygments_css, render_markdown

__all__ = ["CSV_COLUMNS", "anki_guid", "anki_package", "write_anki", "write_csv"]

GUID_NAMESPACE = "genai-interview-prep"
# Fixed ids: changing one makes Anki treat the export as a new deck or note type.
ANKI_MODEL_ID = 1_607_392_319
ANKI_DECK_IDS = {"zh": 2_059_400_110, "en": 2_059_400_111}
ANKI_DECK_NAMES = {"zh": "生成式 AI 面试题", "en": "Generative AI interview questions"}
ANKI_FIELDS = ("Question", "Answer", "Explanation", "Id", "Topic", "Difficulty")

CSV_COLUMNS = (
    "id",
    "topic",
    "difficulty",
    "type",
    "tags",
    "question",
    "answer",
    "explanation",
    "sources",
)

_FRONT = (
    '<div class="meta">{{Topic}} · {{Difficulty}}</div>\n<div class="question">{{Question}}</div>'
)
_BACK = (
    '{{FrontSide}}\n<hr id="answer">\n<div class="answer">{{Answer}}</div>\n'
    '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}'
)
_CSS = """.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left;
  color: #1f2328; background: #fff; max-width: 46em; margin: 0 auto; }
.meta { color: #656d76; font-size: 14px; }
.explanation { margin-top: 1em; padding-top: .5em; border-top: 1px dashed #d0d7de; }
pre.highlight { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: 15px; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: .2em .5em; }
"""


def anki_guid(qid: str, lang: str) -> str:
    """The note GUID: stable for a question id and language, so re-imports update."""
    return genanki.guid_for(GUID_NAMESPACE, qid, lang)


def _exportable(questions: Iterable[dict], lang: str) -> list[dict]:
    """Reviewed records that have the language (drafts are not exported)."""
    return [q for q in questions if q.get("status") == "reviewed" and isinstance(q.get(lang), dict)]


def anki_package(questions: Iterable[dict], vocabulary: dict, lang: str) -> genanki.Package:
    """One deck for `lang`: a note per reviewed question, text rendered to HTML."""
    model = genanki.Model(
        ANKI_MODEL_ID,
        "GenAI interview question",
        fields=[{"name": name} for name in ANKI_FIELDS],
        templates=[{"name": "Card", "qfmt": _FRONT, "afmt": _BACK}],
        css=_CSS + pygments_css(".highlight"),
    )
    deck = genanki.Deck(ANKI_DECK_IDS[lang], ANKI_DECK_NAMES[lang])
    topics = vocabulary.get("topics") or {}
    for q in _exportable(questions, lang):
        block = q[lang]
        topic = topics.get(q["topic"], {}).get(lang, q["topic"])
        fields = [
            render_markdown(block["question"]),
            render_markdown(block["answer"]),
            render_markdown(block["explanation"]) if block.get("explanation") else "",
            q["id"],
            topic,
            q["difficulty"],
        ]
        tags = [q["topic"], q["difficulty"], *q.get("tags", [])]
        deck.add_note(genanki.Note(model, fields, guid=anki_guid(q["id"], lang), tags=tags))
    return genanki.Package(deck)


def write_anki(questions: Iterable[dict], vocabulary: dict, lang: str, out: Path) -> int:
    """Write the `lang` deck to `out` (.apkg); return the number of notes."""
    package = anki_package(questions, vocabulary, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    package.write_to_file(str(out))
    return len(package.decks[0].notes)


def _sources_cell(sources: list[dict]) -> str:
    lines = []
    for s in sources:
        note = f" ({s['note']})" if s.get("note") else ""
        lines.append(f"{s['title']} <{s['url']}>{note}")
    return "\n".join(lines)


def write_csv(questions: Iterable[dict], lang: str, out: Path) -> int:
    """Write one row per reviewed question in `lang` (Markdown as written); return the count."""
    rows = _exportable(questions, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for q in rows:
            block = q[lang]
            writer.writerow(
                [
                    q["id"],
                    q["topic"],
                    q["difficulty"],
                    q["type"],
                    " ".join(q.get("tags", [])),
                    block["question"],
                    block["answer"],
                    block.get("explanation", ""),
                    _sources_cell(q.get("sources", [])),
                ]
            )
    return len(rows)
