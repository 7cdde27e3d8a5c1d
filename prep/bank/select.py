"""Pick a repeatable subset of questions: the same seed gives the same set here and on the site.

The order is `(fnv1a32(f"{seed}:{id}"), id)`, a hash the site's JavaScript computes the same way
(see `fnv1a32`), so a mock interview drawn with `prep questions select --seed 7` is the one the
site shows for seed 7.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["filter_questions", "fnv1a32", "seed_key", "select_questions"]

_INTEGER = re.compile(r"[+-]?[0-9]+")

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619


def fnv1a32(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes of `text`.

    Start from 2166136261; for each byte, XOR it in, then multiply by 16777619 modulo 2**32.
    In JavaScript (the site), the same function is:

        function fnv1a32(text) {
          let h = 0x811c9dc5;  // 2166136261
          for (const byte of new TextEncoder().encode(text)) {
            h ^= byte;
            h = Math.imul(h, 0x01000193) >>> 0;  // 16777619
          }
          return h >>> 0;
        }

    and the order key is `[fnv1a32(`${seed}:${id}`), id]`, compared number first, then id
    (plain code-unit order; ids are ASCII), with the seed written as `seed_key` gives it.
    """
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


def seed_key(seed: int | str) -> str:
    """The seed as text for the order key: trimmed, and an integer written in digits is
    normalised ("007", "+7" and 7 are all "7"), as the site's JavaScript does."""
    text = str(seed).strip()
    return str(int(text)) if _INTEGER.fullmatch(text) else text


def _accepts(value: str | Iterable[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def filter_questions(
    questions: Iterable[dict],
    *,
    topic: str | Iterable[str] | None = None,
    difficulty: str | Iterable[str] | None = None,
    tags: str | Iterable[str] | None = None,
    types: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = "reviewed",
) -> list[dict]:
    """The records that pass every filter, in their given order.

    Each filter is None (anything), one value, or an iterable of accepted values; a record
    passes `tags` when any of its tags is accepted. `status=None` accepts drafts too. An empty
    iterable accepts nothing.
    """
    wanted = {
        "topic": _accepts(topic),
        "difficulty": _accepts(difficulty),
        "type": _accepts(types),
        "status": _accepts(status),
    }
    wanted = {key: ok for key, ok in wanted.items() if ok is not None}
    wanted_tags = _accepts(tags)
    return [
        q
        for q in questions
        if all(q.get(key) in ok for key, ok in wanted.items())
        and (wanted_tags is None or not wanted_tags.isdisjoint(q.get("tags") or ()))
    ]


def select_questions(
    questions: Iterable[dict],
    *,
    topic: str | Iterable[str] | None = None,
    difficulty: str | Iterable[str] | None = None,
    tags: str | Iterable[str] | None = None,
    types: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = "reviewed",
    count: int | None = None,
    seed: int | str = 0,
) -> list[dict]:
    """Filter (see `filter_questions`), order by `(fnv1a32(f"{seed}:{id}"), id)`, and keep the
    first `count` (None: all). The seed is written as `seed_key` gives it.
    """
    if count is not None and count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    chosen = filter_questions(
        questions, topic=topic, difficulty=difficulty, tags=tags, types=types, status=status
    )
    prefix = seed_key(seed)
    chosen.sort(key=lambda q: (fnv1a32(f"{prefix}:{q['id']}"), q["id"]))
    return chosen if count is None else chosen[:count]
