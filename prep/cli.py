"""The `prep` command: one group per concern, each defined in its own module.

Errors a user can cause are `click.ClickException`s: one `Error: ...` line, exit code 1
(2 for usage errors). `--verbose` keeps tracebacks for everything else.
"""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click group, imported only when that group is used.
GROUPS = {
    "questions": "prep.questions_cli:questions",
    "site": "studysite.cli:site",
    "exercises": "prep.exercises_cli:exercises",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(GROUPS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in GROUPS:
            return None
        module, attribute = GROUPS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="genai-interview-prep")
def main() -> None:
    """Generative-AI interview prep: question bank, study site, exercises."""
