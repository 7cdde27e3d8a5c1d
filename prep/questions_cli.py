"""`prep questions`: check the bank, count it, pick from it, export it.

Exit codes: 0 done; 1 the bank has problems (or another `Error: ...`); 2 misuse (a bad
option or an unknown topic, tag, type or difficulty given as a filter).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import click

from prep.bank import filter_questions, load_bank, select_questions, statistics, validate_bank
from prep.bank.schema import LANGS

_STATUS_CHOICES = ("reviewed", "draft", "any")

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("questions"),
    show_default=True,
    help="The bank folder (topic files, vocabulary.yaml, seed-index.yaml).",
)


def filter_options(command):
    """--topic/--difficulty/--tag/--type, each repeatable (any of the values matches)."""
    for name, dest, what in (
        ("--type", "types", "question type"),
        ("--tag", "tags", "tag (a question matches if it has any of them)"),
        ("--difficulty", "difficulty", "difficulty"),
        ("--topic", "topic", "topic"),
    ):
        command = click.option(name, dest, multiple=True, help=f"Keep this {what}; repeatable.")(
            command
        )
    return command


def _check_filters(vocabulary: dict, **given: tuple[str, ...]) -> None:
    """Reject a filter value the vocabulary does not know: a typo would select nothing."""
    known = {
        "topic": vocabulary["topics"],
        "difficulty": vocabulary["difficulties"],
        "tags": vocabulary["tags"],
        "types": vocabulary["types"],
    }
    options = {"topic": "--topic", "difficulty": "--difficulty", "tags": "--tag", "types": "--type"}
    for dest, values in given.items():
        for value in values:
            if value not in known[dest]:
                match = difflib.get_close_matches(value, list(known[dest]), n=1, cutoff=0.6)
                hint = f" (did you mean {match[0]!r}?)" if match else ""
                raise click.BadParameter(
                    f"unknown value {value!r}{hint}", param_hint=f"'{options[dest]}'"
                )


def _stats_text(stats: dict) -> str:
    lines = []
    for section in ("topic", "difficulty", "type", "status", "language"):
        counts = stats[section]
        width = max((len(name) for name in counts), default=0)
        lines.append(f"{section}:")
        lines += [f"  {name:<{width}}  {n:>4}" for name, n in counts.items()]
    lines.append(f"total: {stats['total']}")
    return "\n".join(lines)


def _public(record: dict) -> dict:
    return {key: value for key, value in record.items() if not key.startswith("_")}


@click.group()
def questions() -> None:
    """The question bank: check it, count it, select from it, export it."""


@questions.command()
@root_option
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on warnings too (an incomplete draft, zh text without Chinese).",
)
def check(root: Path, strict: bool) -> None:
    """Validate the bank: print every problem, or the statistics.

    Each problem is one line, file:line: id: field: message. Exits 1 if there is any (with
    --strict, warnings count too); otherwise prints the statistics and exits 0.
    """
    bank, problems = validate_bank(root)
    for problem in problems:
        click.echo(str(problem))
    failing = [p for p in problems if strict or not p.warning]
    if failing:
        n = len(failing)
        raise click.ClickException(
            f"{n} problem{'s' if n != 1 else ''} in the question bank ({root})"
        )
    click.echo(_stats_text(statistics(bank.questions, bank.vocabulary)))


@questions.command()
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(root: Path, as_json: bool) -> None:
    """Count questions per topic, difficulty, type, status, language."""
    bank = load_bank(root)
    counts = statistics(bank.questions, bank.vocabulary)
    click.echo(json.dumps(counts, ensure_ascii=False, indent=2) if as_json else _stats_text(counts))


@questions.command()
@root_option
@filter_options
@click.option(
    "--status",
    type=click.Choice(_STATUS_CHOICES),
    default="reviewed",
    show_default=True,
    help="Keep questions with this status ('any': drafts too).",
)
@click.option("--count", type=click.IntRange(min=0), help="How many to keep (default: all).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same set.")
@click.option("--json", "as_json", is_flag=True, help="Print the selected records as JSON.")
def select(
    root: Path,
    topic: tuple[str, ...],
    difficulty: tuple[str, ...],
    tags: tuple[str, ...],
    types: tuple[str, ...],
    status: str,
    count: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """Print a repeatable selection of question ids.

    The order is fixed by --seed, and the study site draws the same set for the same seed.
    """
    bank = load_bank(root)
    _check_filters(bank.vocabulary, topic=topic, difficulty=difficulty, tags=tags, types=types)
    chosen = select_questions(
        bank.questions,
        topic=topic or None,
        difficulty=difficulty or None,
        tags=tags or None,
        types=types or None,
        status=None if status == "any" else status,
        count=count,
        seed=seed,
    )
    if as_json:
        click.echo(json.dumps([_public(q) for q in chosen], ensure_ascii=False, indent=2))
    else:
        for q in chosen:
            click.echo(q["id"])


@questions.command()
@root_option
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(("anki", "csv")), required=True, help="Anki or CSV."
)
@click.option("--lang", type=click.Choice(LANGS), required=True, help="The language to export.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write (.apkg for anki, .csv for csv).",
)
def export(
    root: Path,
    topic: tuple[str, ...],
    difficulty: tuple[str, ...],
    tags: tuple[str, ...],
    types: tuple[str, ...],
    fmt: str,
    lang: str,
    out: Path,
) -> None:
    """Export reviewed questions as an Anki deck or CSV.

    One language per export. Re-importing a newer Anki export updates the notes already
    there instead of adding copies.
    """
    from prep.bank.export import write_anki, write_csv  # genanki only when exporting

    bank = load_bank(root)
    _check_filters(bank.vocabulary, topic=topic, difficulty=difficulty, tags=tags, types=types)
    chosen = filter_questions(
        bank.questions,
        topic=topic or None,
        difficulty=difficulty or None,
        tags=tags or None,
        types=types or None,
    )
    try:
        if fmt == "anki":
            n = write_anki(chosen, bank.vocabulary, lang, out)
        else:
            n = write_csv(chosen, lang, out)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {n} question{'s' if n != 1 else ''} ({lang}) to {out}")
