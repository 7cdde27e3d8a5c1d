"""Every way grading can go wrong, one type each (nbclient's habit).

`CandidateFault`s are the candidate's doing and cost the affected test its points.
`GradingError`s mean the input could not be graded at all (exit code 2).
"""

from __future__ import annotations

import click


class CandidateFault(Exception):
    """Raised inside a reference test when the candidate's side failed; never a pass."""

    status = "error"


class MissingName(CandidateFault):
    status = "failed"


class NotImplementedYet(CandidateFault):
    status = "failed"


class CandidateRaised(CandidateFault):
    status = "error"


class MalformedAnswer(CandidateFault):
    status = "failed"


class CallTimeout(CandidateFault):
    status = "timeout"


class KernelDied(CandidateFault):
    status = "error"


class GradingError(click.ClickException):
    """The input could not be graded (not a notebook, unknown exercise, ...): exit code 2."""

    exit_code = 2


class NotebookBroken(CandidateFault):
    """The notebook kept hanging or crashing the kernel: every test scores 0."""


class KernelStartFailed(GradingError):
    """The kernel itself could not start (a broken install, not the candidate's doing)."""
