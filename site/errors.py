"""Every error the site builder shows a user: one line, no traceback, exit code 1."""

from __future__ import annotations

import click


class BuildError(click.ClickException):
    """The site could not be built; the message names the file, record or key at fault."""


class InputErrors(BuildError):
    """Every problem found while validating the inputs, reported together on one line.

    ``problems`` holds ``(where, what)`` pairs; the message joins them with "; ".
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))
