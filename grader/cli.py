"""The `grade` command: grade one notebook and print the verdict.

Exit codes: 0 every test passed, 1 some test failed, 2 the notebook could not be graded.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from grader.errors import GradingError
from grader.grading import Options, grade_notebook
from grader.report import FORMATS, TestResult, to_table
from grader.sandbox import Limits


def progress_printer(quiet: bool):
    def show(result: TestResult, done: int, total: int) -> None:
        if not quiet:
            click.echo(f"[{done}/{total}] {result.name} ... {result.status}", err=True)

    return show


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("notebook", type=click.Path(path_type=Path))
@click.option("--exercise", help="Exercise name; overrides the notebook's metadata.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the report here (the table still goes to stdout).",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where the notebook and tests run (auto: CUDA if present).",
)
@click.option(
    "--tests",
    "tests_dir",
    type=click.Path(path_type=Path),
    help="A folder of private reference tests (hidden from the kernel).",
)
@click.option(
    "--tests-mode",
    type=click.Choice(["add", "replace"]),
    default="add",
    show_default=True,
    help="Add --tests to the exercise's tests, or use only them.",
)
@click.option(
    "--timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds per test (tests may ask for more).",
)
@click.option(
    "--total-timeout",
    type=float,
    default=900.0,
    show_default=True,
    help="Seconds for the whole run.",
)
@click.option(
    "--cell-timeout", type=float, default=60.0, show_default=True, help="Seconds per notebook cell."
)
@click.option(
    "--memory",
    type=int,
    default=Limits.memory_mb,
    show_default=True,
    help="Memory limit of the kernel in MB.",
)
@click.option("--seed", type=int, help="Fix the run's seed (default: drawn at grading time).")
@click.option("-k", "--select", help="Only run tests matching this pytest -k expression.")
@click.option("--require-sandbox", is_flag=True, help="Refuse to grade without bubblewrap.")
@click.option("--no-sandbox", is_flag=True, help="Run the kernel without bubblewrap.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def main(
    notebook,
    exercise,
    fmt,
    as_json,
    output,
    device,
    tests_dir,
    tests_mode,
    timeout,
    total_timeout,
    cell_timeout,
    memory,
    seed,
    select,
    require_sandbox,
    no_sandbox,
    quiet,
    verbose,
):
    """Grade a Jupyter notebook exercise with its reference tests, in a sandbox."""
    fmt = "json" if as_json else fmt
    options = Options(
        exercise=exercise,
        device=device,
        tests=tests_dir,
        tests_mode=tests_mode,
        timeout=timeout,
        total_timeout=total_timeout,
        cell_timeout=cell_timeout,
        seed=seed,
        select=select,
        require_sandbox=require_sandbox,
        sandbox=not no_sandbox,
        limits=Limits(memory_mb=memory),
    )
    try:
        report = grade_notebook(notebook, options, on_result=progress_printer(quiet))
    except GradingError:
        raise
    except Exception as error:  # an internal fault: one line unless --verbose
        if verbose:
            traceback.print_exc()
        raise GradingError(
            f"{notebook}: internal grader error: {type(error).__name__}: {error}"
        ) from None
    text = FORMATS[fmt](report)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        text = to_table(report)
    sys.stdout.write(text)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    sys.exit(report.exit_code)
