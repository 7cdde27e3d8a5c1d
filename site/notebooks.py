"""Starter notebooks (exercises/*.ipynb) rendered to HTML for the exercise pages.

Only the starters are read: a notebook whose real path lies under solutions/ is refused, and
nothing here ever looks in that folder. Markdown cells go through the bank's Markdown renderer
(raw HTML is shown as text); code is highlighted with Pygments; of the outputs, only text and
PNG images are shown (never a notebook's own HTML or JavaScript).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from studysite.errors import BuildError
from studysite.model import Render, plain_text

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DEFINITION = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)", re.M)
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass
class Exercise:
    """One starter notebook, rendered."""

    name: str  # the file's stem: exercises/<name>.ipynb, <lang>/exercises/<name>.html
    title: str
    summary: str
    cell_count: int
    html: str
    anchors: dict[str, str]  # name defined in a code cell -> the id of that cell
    source: Path


def find_notebooks(exercises_dir: Path, solutions_dir: Path) -> list[Path]:
    """The starter notebooks, sorted by name; a name unfit for a URL or a path into
    solutions/ is an error."""
    if not exercises_dir.is_dir():
        return []
    notebooks = sorted(exercises_dir.glob("*.ipynb"))
    forbidden = solutions_dir.resolve()
    for path in notebooks:
        if path.resolve().is_relative_to(forbidden):
            raise BuildError(f"{path}: points into {solutions_dir}, which is never published")
        if not NAME_RE.match(path.stem):
            raise BuildError(
                f"{path}: exercise names are lowercase letters, digits, '-' and '_' (used in URLs)"
            )
    return notebooks


def load_exercise(path: Path, render: Render, grader_dir: Path) -> Exercise:
    """Read and render one notebook; an unreadable notebook is a BuildError naming it."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises JSON, schema and OS errors alike
        raise BuildError(f"{path}: not a readable notebook ({exc})") from None
    language = (notebook.metadata.get("language_info") or {}).get("name") or "python"
    cells, anchors, first_heading, first_text = [], {}, "", ""
    for index, cell in enumerate(notebook.cells):
        source = cell.get("source") or ""
        if cell.cell_type == "markdown":
            rendered = render(source)
            if not first_heading:
                match = re.search(r"<h[1-6][^>]*>(.*?)</h[1-6]>", rendered, re.S)
                first_heading = plain_text(match.group(1)) if match else ""
            if not first_text:
                match = re.search(r"<p>(.*?)</p>", rendered, re.S)
                first_text = plain_text(match.group(1)) if match else ""
            cells.append(f'<div class="nb-cell nb-markdown prose">{_demote(rendered)}</div>')
        elif cell.cell_type == "code":
            cell_id = ""
            for name in _DEFINITION.findall(source):
                if name not in anchors:
                    anchors[name] = cell_id = cell_id or f"def-{name}"
            try:
                cells.append(_code_cell(source, cell.get("outputs") or [], language, cell_id))
            except binascii.Error:
                raise BuildError(f"{path}: cell {index + 1} has a broken PNG output") from None
    title = _spec_title(grader_dir / path.stem / "exercise.yaml") or first_heading or path.stem
    return Exercise(
        name=path.stem,
        title=title,
        summary=first_text,
        cell_count=len(notebook.cells),
        html="\n".join(cells),
        anchors=anchors,
        source=path,
    )


def _spec_title(spec: Path) -> str:
    """The exercise title from the grader's exercise.yaml, if there is one."""
    if not spec.is_file():
        return ""
    try:
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{spec}: cannot read the exercise title ({exc})") from None
    title = data.get("title") if isinstance(data, dict) else None
    return str(title) if title else ""


def _demote(rendered: str) -> str:
    """Notebook headings sit under the page's own h1 and h2: shift them two levels down."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}", rendered)


def _code_cell(source: str, outputs: list, language: str, cell_id: str) -> str:
    try:
        body = highlight(source, get_lexer_by_name(language), _FORMATTER)
    except ClassNotFound:
        body = html.escape(source)
    ident = f' id="{cell_id}"' if cell_id else ""
    code_class = f"language-{html.escape(language)}"
    parts = [
        f'<div class="nb-cell nb-code"{ident}>',
        f'<pre class="highlight"><code class="{code_class}">{body}</code></pre>',
    ]
    parts += (_output_html(output) for output in outputs)
    parts.append("</div>")
    return "".join(parts)


def _output_html(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="nb-output">{html.escape(_text(output.get("text")))}</pre>'
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(output.get("traceback") or []))
        return f'<pre class="nb-output nb-error">{html.escape(trace)}</pre>'
    data = output.get("data") or {}
    if "image/png" in data:
        png = _text(data["image/png"]).replace("\n", "")
        base64.b64decode(png, validate=True)  # a broken image is an error, not a dead <img>
        return f'<img class="nb-output" alt="" src="data:image/png;base64,{png}">'
    if "text/plain" in data:
        return f'<pre class="nb-output">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")
