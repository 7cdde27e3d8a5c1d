"""Derive an exercise's starter notebook from its reference solution (one source of truth).

In the solution, code between `# BEGIN SOLUTION` and `# END SOLUTION` lines becomes
`raise NotImplementedError` (at the marker's indentation) in the starter, cells tagged
`solution-only` are dropped, and outputs are cleared.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import nbformat

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
SOLUTION_ONLY = "solution-only"


class MarkerError(click.ClickException):
    pass


def strip_solution(source: str, where: str) -> str:
    """Replace every marked solution region in one cell's source."""
    lines, kept, region_indent, start = source.split("\n"), [], None, 0
    for number, line in enumerate(lines, 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if region_indent is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside another region")
            region_indent, start = begin.group(1), number
            kept.append(f"{region_indent}raise NotImplementedError")
        elif end:
            if region_indent is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without BEGIN")
            region_indent = None
        elif region_indent is None:
            kept.append(line)
    if region_indent is not None:
        raise MarkerError(f"{where}, line {start}: BEGIN SOLUTION is never closed")
    return "\n".join(kept)


def derive_starter(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    starter = nbformat.v4.new_notebook(metadata=solution.metadata)
    for index, cell in enumerate(solution.cells, 1):
        if SOLUTION_ONLY in cell.metadata.get("tags", []):
            continue
        cell = nbformat.from_dict(cell)
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source, f"solutions/{name}.ipynb, cell {index}")
            cell.outputs, cell.execution_count = [], None
        starter.cells.append(cell)
    return starter


def render(nb: nbformat.NotebookNode) -> str:
    """Stable text for a notebook: cell ids derived from positions, no outputs."""
    nb = nbformat.from_dict(nb)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(nb) + "\n"


def exercise_names(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "solutions").glob("*.ipynb"))


def sync(root: Path, name: str) -> bool:
    """Write solutions/<name> back normalised and exercises/<name>; True if anything changed."""
    solution_path = root / "solutions" / f"{name}.ipynb"
    starter_path = root / "exercises" / f"{name}.ipynb"
    solution = nbformat.read(solution_path, as_version=4)
    wanted = {solution_path: render(solution), starter_path: render(derive_starter(solution, name))}
    changed = False
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed = True
    return changed


def out_of_date(root: Path, name: str) -> list[str]:
    solution_path = root / "solutions" / f"{name}.ipynb"
    starter_path = root / "exercises" / f"{name}.ipynb"
    solution = nbformat.read(solution_path, as_version=4)
    problems = []
    if solution_path.read_text(encoding="utf-8") != render(solution):
        problems.append(f"{solution_path}: not normalised (outputs or cell ids)")
    if not starter_path.exists():
        problems.append(f"{starter_path}: missing")
    elif starter_path.read_text(encoding="utf-8") != render(derive_starter(solution, name)):
        problems.append(f"{starter_path}: differs from what {solution_path} derives")
    return problems
