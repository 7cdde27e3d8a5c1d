"""Load the question bank and check every record, collecting all problems before failing once.

`validate_bank` never raises for a problem in the bank: it returns the bank it could read and
the list of `Problem`s (each names file, line, question id and field). `load_bank` is the same
load for callers that need a good bank: it raises one `BankError` listing every problem.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from prep.bank.schema import (
    FILE_FIELDS,
    ID_RE,
    LANG_FIELDS,
    LANG_LIST_FIELDS,
    LANG_TEXT_FIELDS,
    LANGS,
    RECORD_FIELDS,
    RUBRIC_LEVELS,
    SEED_FIELDS,
    SEED_INDEX_FIELDS,
    SEED_INDEX_FILE,
    SOURCE_FIELDS,
    STATUSES,
    TIME_MIN,
    VOCABULARY_FILE,
)
from prep.bank.yamlfile import YamlFile, YamlSyntaxError, read_yaml
from prep.markdown import math_problems

__all__ = ["Bank", "BankError", "Problem", "load_bank", "validate_bank"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_VOCABULARY_SECTIONS = ("topics", "difficulties", "types", "tags")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the bank, printed as `file:line: id: field: message`."""

    file: str
    line: int  # 1-based; 0 when the problem is not on a line (a missing file)
    qid: str  # the question (or seed) id; "questions[3]" when the record has no usable id
    field: str  # dotted path inside the record, e.g. "en.answer", "sources[0].url"; or ""
    message: str
    warning: bool = False  # an error only under --strict

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else self.file]
        parts += [p for p in (self.qid, self.field) if p]
        parts.append(f"warning: {self.message}" if self.warning else self.message)
        return ": ".join(parts)


class BankError(click.ClickException):
    """The bank has problems; `.problems` lists them all, and so does the message."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{count} in the question bank:\n{lines}")


@dataclass
class Bank:
    """A loaded bank. Records (and seed entries) are plain dicts plus `_file` (str) and
    `_line` (int); rubric keys are ints 0-3."""

    questions: list[dict]
    vocabulary: dict
    seeds: list[dict]
    root: Path
    warnings: list[Problem] = field(default_factory=list)
    by_id: dict[str, dict] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {}
        for q in self.questions:
            if isinstance(q.get("id"), str):
                self.by_id.setdefault(q["id"], q)


def load_bank(
    root: Path = Path("questions"), *, strict: bool = False, exercises: Path | None = None
) -> Bank:
    """Load and validate the bank in `root`; raise BankError listing every problem.

    Warnings (drafts not yet complete, text that looks untranslated) are kept in
    `Bank.warnings`, or raised with the errors when `strict`. `exercises` is the folder of
    grader exercises that `exercise:` links point into (default: root/../grader/exercises).
    """
    bank, problems = validate_bank(root, exercises=exercises)
    failing = [p for p in problems if strict or not p.warning]
    if failing:
        raise BankError(failing)
    bank.warnings = problems
    return bank


def validate_bank(
    root: Path = Path("questions"), *, exercises: Path | None = None
) -> tuple[Bank, list[Problem]]:
    """Read every file of the bank and return what loaded plus every problem (warnings too)."""
    with _no_cyclic_gc():
        return _validate(Path(root), exercises)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while loading: the bank is hundreds of thousands of small
    acyclic objects, and the collector's full passes over them grow with the bank, which made
    a large bank cost more than linear time. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _validate(root: Path, exercises: Path | None) -> tuple[Bank, list[Problem]]:
    checker = _Checker(root, Path(exercises) if exercises else root.parent / "grader" / "exercises")
    if not root.is_dir():
        checker.add(str(root), 0, "", "", "no such folder")
        return checker.bank(), checker.problems
    # vocabulary first: every other check needs it
    checker.read_vocabulary(root / VOCABULARY_FILE)
    checker.read_seed_index(root / SEED_INDEX_FILE)
    for path in sorted(root.glob("*.yml")):
        checker.add(str(path), 0, "", "", f"rename it to {path.stem}.yaml (the bank reads *.yaml)")
    for path in sorted(root.glob("*.yaml")):
        if path.name not in (VOCABULARY_FILE, SEED_INDEX_FILE):
            checker.read_topic_file(path)
    checker.check_seed_coverage()
    return checker.bank(), checker.sorted_problems()


# --- helpers for messages --------------------------------------------------------------------


def _kind(value: Any) -> str:
    """How a YAML value reads in a message: "a string ('x')", "an integer (5)", "a list"."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover (dates and the like)


def _suggest(value: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) and not out.endswith("rubric") else f".{part}"
    return out.lstrip(".")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --- the checker -----------------------------------------------------------------------------


class _Checker:
    """Holds what every check needs (vocabulary, seeds, ids seen) and collects problems."""

    def __init__(self, root: Path, exercises: Path) -> None:
        self.root = root
        self.exercises = exercises
        self.problems: list[Problem] = []
        self.file_rank: dict[str, int] = {}
        self.questions: list[dict] = []
        self.vocabulary: dict = {}
        self.topics: dict = {}
        self.difficulties: list = []
        self.types: dict = {}
        self.tags: dict = {}
        self.vocabulary_ok = False
        self.seeds: list[dict] = []
        self.seed_file: YamlFile | None = None
        self.seed_ids: dict[str, int] = {}  # id -> index in seeds
        self.seed_aliases: dict[str, str] = {}  # an id merged into another (`also`) -> that id
        self.covered: set[str] = set()
        self.first_seen: dict[str, tuple[str, int]] = {}
        self._exercise_names: dict[str, set[str] | str | None] = {}

    def add(
        self, file: str, line: int, qid: str, fld: str, message: str, warning: bool = False
    ) -> None:
        self.file_rank.setdefault(file, len(self.file_rank))
        self.problems.append(Problem(file, line, qid, fld, message, warning))

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (self.file_rank[p.file], p.line))

    def bank(self) -> Bank:
        return Bank(self.questions, self.vocabulary, self.seeds, self.root)

    def _read(self, path: Path) -> YamlFile | None:
        """Parse one file; report a syntax error or YAML-level problems (duplicate keys)."""
        file = str(path)
        self.file_rank.setdefault(file, len(self.file_rank))
        try:
            yf = read_yaml(path)
        except YamlSyntaxError as exc:
            self.add(file, exc.line, "", "", f"invalid YAML: {exc.message}")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.add(file, 0, "", "", f"cannot read: {exc}")
            return None
        for line, path_, message in yf.problems:
            qid, fld = self._locate(yf, path_)
            self.add(file, line, qid, fld, message)
        return yf

    def _locate(self, yf: YamlFile, path: tuple) -> tuple[str, str]:
        """(question id, field) for a path in a topic file, e.g. ("questions", 2, "en")."""
        if len(path) >= 2 and path[0] == "questions" and isinstance(yf.data, dict):
            records = yf.data.get("questions")
            if isinstance(records, list) and path[1] < len(records):
                return _record_label(records[path[1]], path[1]), _dotted(path[2:])
        return "", _dotted(path)

    # --- vocabulary and seeds

    def read_vocabulary(self, path: Path) -> None:
        file = str(path)
        if not path.is_file():
            self.add(file, 0, "", "", "missing: the bank needs its vocabulary")
            return
        yf = self._read(path)
        if yf is None:
            return
        data = yf.data
        if not isinstance(data, dict):
            self.add(file, 1, "", "", f"expected a mapping of {_VOCABULARY_SECTIONS}")
            return
        ok = True
        for key in data:
            if key not in _VOCABULARY_SECTIONS:
                hint = _suggest(str(key), _VOCABULARY_SECTIONS)
                self.add(file, yf.line((key,)), "", str(key), f"unknown section{hint}")
        for section in _VOCABULARY_SECTIONS:
            value = data.get(section)
            if section == "difficulties":
                good = isinstance(value, list) and all(isinstance(v, str) for v in value)
                expected = "a list of names"
            else:
                good = isinstance(value, dict) and all(
                    isinstance(v, dict) and _is_text(v.get("zh")) and _is_text(v.get("en"))
                    for v in value.values()
                )
                expected = "a mapping of name: {zh: ..., en: ...}"
            if not good:
                got = "missing" if value is None else f"expected {expected}"
                self.add(file, yf.line((section,)), "", section, got)
                ok = False
        if ok:
            self.vocabulary = data
            self.topics, self.types, self.tags = data["topics"], data["types"], data["tags"]
            self.difficulties = data["difficulties"]
            self.vocabulary_ok = True

    def read_seed_index(self, path: Path) -> None:
        if not path.is_file():
            return  # no seed index yet: seed ids are not checked
        file = str(path)
        yf = self._read(path)
        if yf is None:
            return
        self.seed_file = yf
        data = yf.data
        if not isinstance(data, dict) or not isinstance(data.get("seeds"), list):
            self.add(file, 1, "", "seeds", "expected a mapping with a list under seeds:")
            return
        for key in data:
            if key not in SEED_INDEX_FIELDS:
                self.add(file, yf.line((key,)), "", str(key), "unknown field")
        for i, entry in enumerate(data["seeds"]):
            where = ("seeds", i)
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                self.add(file, yf.line(where), "", _dotted(where), "expected {id: ..., ...}")
                continue
            sid = entry["id"]
            for key in entry:
                if key not in SEED_FIELDS:
                    hint = _suggest(str(key), SEED_FIELDS)
                    self.add(file, yf.line((*where, key)), sid, str(key), f"unknown field{hint}")
            if sid in self.seed_ids:
                first = yf.line(("seeds", self.seed_ids[sid]))
                self.add(file, yf.line(where), sid, "id", f"duplicate seed id (line {first})")
                continue
            self.seed_ids[sid] = i
            also = entry.get("also", [])
            if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
                self.add(file, yf.line((*where, "also")), sid, "also", "expected a list of ids")
            else:
                self.seed_aliases.update(dict.fromkeys(also, sid))
            topic = entry.get("topic")
            if topic is not None:
                message = self.choice_problem(topic, self.topics, "topic")
                if message:
                    self.add(file, yf.line((*where, "topic")), sid, "topic", message)
            self.seeds.append({**entry, "_file": file, "_line": yf.line(where)})

    def check_seed_coverage(self) -> None:
        """Every seed question must be answered by at least one record (`seed:` lists it)."""
        for seed in self.seeds:
            if seed["id"] not in self.covered:
                self.add(
                    seed["_file"],
                    seed["_line"],
                    seed["id"],
                    "",
                    "no question covers this seed (list its id under a record's seed:)",
                )

    # --- topic files

    def read_topic_file(self, path: Path) -> None:
        file = str(path)
        yf = self._read(path)
        if yf is None:
            return
        data = yf.data

        def say(path: tuple, message: str) -> None:
            self.add(file, yf.line(path), "", _dotted(path), message)

        if not isinstance(data, dict):
            say((), f"expected a mapping with topic: and questions:, got {_kind(data)}")
            return
        for key in data:
            if key not in FILE_FIELDS:
                say((key,), f"unknown field{_suggest(str(key), FILE_FIELDS)}")
        topic = data.get("topic")
        wrong_topic = (
            self.choice_problem(topic, self.topics, "topic") if topic is not None else None
        )
        if topic is None:
            say(("topic",), "missing")
        elif wrong_topic:
            say(("topic",), wrong_topic)
        elif topic != path.stem:
            say(("topic",), f"{topic!r} does not match the file name (expected {path.stem!r})")
        records = data.get("questions")
        if records is None:
            say(("questions",), "missing")
            return
        if not isinstance(records, list):
            say(("questions",), f"expected a list of questions, got {_kind(records)}")
            return
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                message = f"expected a question (a mapping), got {_kind(record)}"
                self.add(file, yf.line(("questions", i)), f"questions[{i}]", "", message)
                continue
            _RecordCheck(self, yf, file, i, record, topic).run()
            self.questions.append({**record, "_file": file, "_line": yf.line(("questions", i))})

    # --- shared checks

    def choice_problem(self, value: Any, allowed: Mapping | list, what: str) -> str | None:
        """None if `value` is one of `allowed`, else the message saying what is wrong."""
        if not isinstance(value, str):
            return f"expected a {what} name, got {_kind(value)}"
        if not self.vocabulary_ok or value in allowed:
            return None
        hint = _suggest(value, allowed)
        if not hint:
            hint = (
                f" (known: {', '.join(allowed)})"
                if len(allowed) <= 12
                else f" (see {self.root / VOCABULARY_FILE})"
            )
        return f"unknown {what} {value!r}{hint}"

    def exercise_names(self, name: str) -> set[str] | str:
        """The names an exercise defines, or the message saying why there are none."""
        if name not in self._exercise_names:
            folder = self.exercises / name
            spec = folder / "exercise.yaml"
            if not folder.is_dir():
                known = sorted(p.name for p in self.exercises.glob("*") if p.is_dir())
                result: set[str] | str = f"unknown exercise {name!r}: no folder {folder}"
                result += _suggest(name, known)
            else:
                try:
                    names = read_yaml(spec).data.get("names")
                except (OSError, YamlSyntaxError, AttributeError):
                    names = None
                if isinstance(names, list):
                    result = {str(n) for n in names}
                else:
                    result = f"{spec} has no names: list"
            self._exercise_names[name] = result
        return self._exercise_names[name]


def _record_label(record: Any, index: int) -> str:
    qid = record.get("id") if isinstance(record, dict) else None
    return qid if isinstance(qid, str) and qid else f"questions[{index}]"


class _RecordCheck:
    """The checks of one record; problems name its id and the field's dotted path."""

    def __init__(
        self, checker: _Checker, yf: YamlFile, file: str, index: int, record: dict, topic: Any
    ) -> None:
        self.checker = checker
        self.yf = yf
        self.file = file
        self.base = ("questions", index)
        self.record = record
        self.file_topic = topic
        self.qid = _record_label(record, index)
        self.missing_in_draft: list[str] = []

    def problem(self, path: tuple, message: str, warning: bool = False) -> None:
        line = self.yf.line(self.base + path)
        self.checker.add(self.file, line, self.qid, _dotted(path), message, warning)

    def run(self) -> None:
        r = self.record
        self.unknown_fields((), r, RECORD_FIELDS)
        for name, (required, _) in RECORD_FIELDS.items():
            if required and name not in r:
                self.problem((name,), "missing")
        self.check_id()
        if "topic" in r:
            self.choice(("topic",), r["topic"], self.checker.topics, "topic")
            file_topic_ok = isinstance(self.file_topic, str)
            if file_topic_ok and isinstance(r["topic"], str) and r["topic"] != self.file_topic:
                self.problem(
                    ("topic",), f"{r['topic']!r} differs from the file's topic {self.file_topic!r}"
                )
        if "tags" in r:
            self.check_tags(r["tags"])
        if "difficulty" in r:
            self.choice(("difficulty",), r["difficulty"], self.checker.difficulties, "difficulty")
        if "type" in r:
            self.choice(("type",), r["type"], self.checker.types, "type")
        if "time_min" in r:
            t = r["time_min"]
            low, high = TIME_MIN
            if isinstance(t, bool) or not isinstance(t, int) or not low <= t <= high:
                self.problem(
                    ("time_min",), f"expected whole minutes from {low} to {high}, got {_kind(t)}"
                )
        if "status" in r and r["status"] not in STATUSES:
            self.problem(("status",), f"expected draft or reviewed, got {_kind(r['status'])}")
        self.check_languages()
        if "sources" in r:
            self.check_sources(r["sources"])
        if "exercise" in r:
            self.check_exercise(r["exercise"])
        if "seed" in r:
            self.check_seed(r["seed"])

    def unknown_fields(self, path: tuple, mapping: dict, allowed: Mapping) -> None:
        for key in mapping:
            if key in allowed:
                continue
            if not path and key in LANG_FIELDS:
                hint = " (it belongs under zh: or en:)"
            else:
                hint = _suggest(str(key), allowed)
            self.problem((*path, key), f"unknown field{hint}")

    def choice(self, path: tuple, value: Any, allowed: Mapping | list, what: str) -> None:
        message = self.checker.choice_problem(value, allowed, what)
        if message:
            self.problem(path, message)

    def check_id(self) -> None:
        qid = self.record.get("id")
        if qid is None:
            return
        if not isinstance(qid, str):
            self.problem(("id",), f"expected a string, got {_kind(qid)}")
            return
        if not ID_RE.match(qid):
            self.problem(
                ("id",),
                f"{qid!r} is not a valid id (lowercase letters and digits joined by single "
                "hyphens, e.g. 'gan-nonsaturating-loss')",
            )
        here = (self.file, self.yf.line(self.base))
        first = self.checker.first_seen.setdefault(qid, here)
        if first != here:
            self.problem(("id",), f"duplicate id, also at {first[0]}:{first[1]}")

    def check_tags(self, tags: Any) -> None:
        if not isinstance(tags, list) or not tags:
            self.problem(("tags",), f"expected a list of one or more tags, got {_kind(tags)}")
            return
        seen = set()
        for i, tag in enumerate(tags):
            self.choice(("tags", i), tag, self.checker.tags, "tag")
            if isinstance(tag, str):
                if tag in seen:
                    self.problem(("tags", i), f"tag {tag!r} is listed twice")
                seen.add(tag)

    # --- language blocks

    def check_languages(self) -> None:
        r = self.record
        draft = r.get("status") == "draft"
        present = [lang for lang in LANGS if lang in r]
        if not present:
            self.problem((), "no language block: give zh:, en: or both")
        for lang in LANGS:
            if lang not in r:
                if draft:
                    self.missing_in_draft.append(lang)
                elif present:
                    self.problem((lang,), "missing (a reviewed question needs both zh and en)")
                continue
            block = r[lang]
            if not isinstance(block, dict):
                self.problem((lang,), f"expected a mapping of fields, got {_kind(block)}")
                continue
            self.check_block(lang, block, draft)
        if self.missing_in_draft:
            self.problem(
                ("status",),
                f"draft, still missing: {', '.join(self.missing_in_draft)}",
                warning=True,
            )

    def check_block(self, lang: str, block: dict, draft: bool) -> None:
        self.unknown_fields((lang,), block, LANG_FIELDS)
        for name, (required, _) in LANG_FIELDS.items():
            if name in block or not required:
                continue
            if draft and name != "question":
                self.missing_in_draft.append(f"{lang}.{name}")
            else:
                self.problem((lang, name), "missing")
        for name in LANG_TEXT_FIELDS:
            if name in block:
                self.check_text((lang, name), block[name])
        for name in LANG_LIST_FIELDS:
            if name in block:
                self.check_text_list((lang, name), block[name])
        if "rubric" in block:
            block["rubric"] = self.check_rubric((lang, "rubric"), block["rubric"])
        question = block.get("question")
        if lang == "zh" and isinstance(question, str) and not _CJK.search(question):
            self.problem((lang, "question"), "no Chinese characters: not translated?", True)

    def check_text(self, path: tuple, value: Any) -> None:
        if not isinstance(value, str):
            self.problem(path, f"expected text, got {_kind(value)}")
        elif not value.strip():
            self.problem(path, "empty")
        else:
            for message in math_problems(value):
                self.problem(path, message)

    def check_text_list(self, path: tuple, value: Any) -> None:
        if isinstance(value, str):
            self.problem(path, "expected a list of one or more items (write '- ' before each)")
        elif not isinstance(value, list) or not value:
            self.problem(path, f"expected a list of one or more items, got {_kind(value)}")
        else:
            for i, item in enumerate(value):
                self.check_text((*path, i), item)

    def check_rubric(self, path: tuple, rubric: Any) -> Any:
        """Check the levels; return the rubric with its keys as ints (YAML may give '2')."""
        if not isinstance(rubric, dict):
            self.problem(path, f"expected a mapping of levels 0 to 3, got {_kind(rubric)}")
            return rubric
        levels: dict = {}
        for key, text in rubric.items():
            level = int(key) if isinstance(key, str) and key.isdigit() else key
            if isinstance(level, bool) or level not in RUBRIC_LEVELS:
                self.problem((*path, key), "unknown level (levels are 0, 1, 2, 3)")
                continue
            if level in levels:
                self.problem((*path, key), f"level {level} given twice")
                continue
            levels[level] = text
            self.check_text((*path, key), text)
        for level in RUBRIC_LEVELS:
            if level not in levels:
                self.problem(path, f"missing level {level}")
        return dict(sorted(levels.items())) if len(levels) == len(rubric) else rubric

    # --- links

    def check_sources(self, sources: Any) -> None:
        if not isinstance(sources, list) or not sources:
            self.problem(
                ("sources",), f"expected a list of one or more sources, got {_kind(sources)}"
            )
            return
        for i, source in enumerate(sources):
            path = ("sources", i)
            if not isinstance(source, dict):
                self.problem(path, f"expected {{title: ..., url: ...}}, got {_kind(source)}")
                continue
            self.unknown_fields(path, source, SOURCE_FIELDS)
            for name, (required, _) in SOURCE_FIELDS.items():
                if name not in source:
                    if required:
                        self.problem((*path, name), "missing")
                elif not _is_text(source[name]):
                    self.problem((*path, name), f"expected text, got {_kind(source[name])}")
            url = source.get("url")
            if _is_text(url):
                parts = urlsplit(url.strip())
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    self.problem((*path, "url"), f"{url!r} is not an http(s) URL")

    def check_exercise(self, value: Any) -> None:
        links = value if isinstance(value, list) else [value]
        if not links or not all(isinstance(link, str) for link in links):
            self.problem(
                ("exercise",),
                f"expected '<exercise>#<name>' or a list of them, got {_kind(value)}",
            )
            return
        for i, link in enumerate(links):
            path = ("exercise", i) if isinstance(value, list) else ("exercise",)
            name, sep, function = link.partition("#")
            if not name or (sep and not function):
                self.problem(path, f"{link!r} is not '<exercise>' or '<exercise>#<name>'")
                continue
            names = self.checker.exercise_names(name)
            if isinstance(names, str):
                self.problem(path, names)
            elif function and function not in names:
                spec = self.checker.exercises / name / "exercise.yaml"
                hint = _suggest(function, sorted(names))
                self.problem(path, f"{function!r} is not listed under names: in {spec}{hint}")

    def check_seed(self, value: Any) -> None:
        seeds = value if isinstance(value, list) else [value]
        if not seeds or not all(isinstance(s, str) for s in seeds):
            self.problem(("seed",), f"expected a seed id or a list of them, got {_kind(value)}")
            return
        for i, sid in enumerate(seeds):
            self.checker.covered.add(self.checker.seed_aliases.get(sid, sid))
            if (
                self.checker.seed_file is None
                or sid in self.checker.seed_ids
                or sid in self.checker.seed_aliases
            ):
                continue
            path = ("seed", i) if isinstance(value, list) else ("seed",)
            index = self.checker.root / SEED_INDEX_FILE  # no did-you-mean: ids differ by a digit
            self.problem(path, f"unknown seed id {sid!r} (not in {index})")
