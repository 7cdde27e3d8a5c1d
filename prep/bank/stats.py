"""Counts over the bank: per topic, difficulty, type, status and language."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from prep.bank.schema import LANGS, STATUSES

__all__ = ["statistics"]

DIMENSIONS = ("topic", "difficulty", "type", "status")


def statistics(questions: Iterable[dict], vocabulary: dict) -> dict:
    """{"total": n, "topic": {...}, "difficulty": {...}, "type": {...}, "status": {...},
    "language": {"zh": n, "en": n, "both": n}}.

    Every name the vocabulary knows is listed, in its order, with 0 where nothing uses it (a
    gap shows); a value outside the vocabulary is listed after them.
    """
    questions = list(questions)
    known = {
        "topic": list(vocabulary.get("topics") or ()),
        "difficulty": list(vocabulary.get("difficulties") or ()),
        "type": list(vocabulary.get("types") or ()),
        "status": list(STATUSES),
    }
    stats: dict = {"total": len(questions)}
    for dim in DIMENSIONS:
        counts = Counter(str(q.get(dim)) for q in questions)
        stats[dim] = {name: counts.pop(name, 0) for name in known[dim]} | dict(
            sorted(counts.items())
        )
    has = {lang: sum(1 for q in questions if isinstance(q.get(lang), dict)) for lang in LANGS}
    both = sum(1 for q in questions if all(isinstance(q.get(lang), dict) for lang in LANGS))
    stats["language"] = {**has, "both": both}
    return stats
