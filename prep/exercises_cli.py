"""`prep exercises`: keep each starter notebook derived from its solution."""

from __future__ import annotations

from pathlib import Path

import click

from prep.notebooks import exercise_names, out_of_date, sync

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    show_default=True,
    help="Project root (holds solutions/ and exercises/).",
)


@click.group()
def exercises() -> None:
    """Exercise notebooks: derive starters from solutions, check they are in sync."""


def _names(root: Path, names: tuple[str, ...]) -> list[str]:
    known = exercise_names(root)
    for name in names:
        if name not in known:
            raise click.ClickException(f"unknown exercise '{name}' (known: {', '.join(known)})")
    return list(names) or known


@exercises.command("sync")
@click.argument("names", nargs=-1)
@ROOT_OPTION
def sync_command(names: tuple[str, ...], root: Path) -> None:
    """Rewrite exercises/NAME.ipynb from solutions/NAME.ipynb (all if no NAME)."""
    for name in _names(root, names):
        changed = sync(root, name)
        click.echo(f"{name}: {'updated' if changed else 'up to date'}")


@exercises.command("check")
@click.argument("names", nargs=-1)
@ROOT_OPTION
def check_command(names: tuple[str, ...], root: Path) -> None:
    """Fail if a starter is not what its solution derives."""
    problems = [p for name in _names(root, names) for p in out_of_date(root, name)]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(
            f"{len(problems)} notebook(s) out of date: run `prep exercises sync`"
        )
    click.echo("all starters are in sync with their solutions")
