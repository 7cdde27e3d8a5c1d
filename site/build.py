"""`build(config)`: load -> validate -> render -> write, each a small named step.

Nothing touches the output folder until every page has rendered: the pages are rendered into
memory, written to a staging folder beside the output, indexed for search there, and only then
swapped in for the old output in one rename.
"""

from __future__ import annotations

import contextlib
import inspect
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from studysite.config import DEFAULT_LANGUAGE, LANGUAGES, SiteConfig
from studysite.errors import BuildError, InputErrors
from studysite.model import (
    ExerciseLink,
    exercise_links,
    question_view,
    topic_views,
    vocabulary_view,
)
from studysite.notebooks import find_notebooks, load_exercise
from studysite.render import LanguageSite, Renderer, make_environment, render_redirect
from studysite.strings import Translator, check_tables, load_tables
from studysite.styles import code_stylesheet, minify_css

ASSETS = Path(__file__).parent / "assets"
# A file the builder leaves in every output folder; an existing folder without it is never
# replaced (so `--out .` cannot wipe a project).
MARKER = ".studysite"
ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass
class Inputs:
    """What the site is built from, read but not yet checked for the site's own needs."""

    questions: list[dict]
    vocabulary: dict
    notebooks: list[Path]
    strings: dict[str, dict[str, str]]  # language -> UI string table
    bank_warnings: list[str]


@dataclass
class BuildReport:
    """What `build()` did, for the CLI and the benchmark."""

    out: Path
    files: int = 0
    pages: int = 0
    indexed: int | None = None  # pages in the search index; None without --search
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def build(config: SiteConfig) -> BuildReport:
    """Build the whole site into `config.out`; raise BuildError (one line) on any problem."""
    report = BuildReport(out=config.out)
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[step] = now - clock
        clock = now

    with formula_cache():
        # load: the bank (validated by prep.bank), the UI strings, the starter notebooks
        inputs = load_inputs(config)
        lap("load")
        # validate: what the site needs beyond a valid bank
        report.warnings = validate_inputs(inputs, config)
        lap("validate")
        # render: every page, data script and copied file, into memory
        files = render_site(inputs, config)
    report.files = len(files)
    report.pages = sum(1 for path in files if path.endswith(".html"))
    lap("render")
    # write: to a staging folder, index it, then swap it in for the output folder
    report.indexed = write_site(files, config)
    lap("write")
    return report


@contextlib.contextmanager
def formula_cache() -> Iterator[None]:
    """Convert each LaTeX formula to MathML once per build.

    The bank's validator converts every formula to check it, and rendering converts it again;
    latex2mathml is the slowest step of both. Its `convert` is a pure function of its
    arguments, so for the length of the build it is memoised (and restored afterwards).
    """
    try:
        import latex2mathml.converter as converter
    except ImportError:  # prep.markdown would fail first; nothing to speed up
        yield
        return
    original = converter.convert
    signature = inspect.signature(original)
    memo: dict = {}

    def convert(*args, **kwargs):
        # bound with defaults, so convert(x) and convert(x, display="inline") share an entry
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            key = tuple(bound.arguments.items())
            hash(key)
        except TypeError:  # an unhashable argument: no memo for this call
            return original(*args, **kwargs)
        if key not in memo:
            memo[key] = original(*args, **kwargs)
        return memo[key]

    converter.convert = convert
    try:
        yield
    finally:
        converter.convert = original


def load_inputs(config: SiteConfig) -> Inputs:
    """Read the bank, the UI strings, and list the starter notebooks; the bank's own errors
    stop here."""
    from prep.bank import load_bank

    bank = load_bank(config.questions_dir)
    notebooks = find_notebooks(config.exercises_dir, config.root / "solutions")
    return Inputs(
        questions=bank.questions,
        vocabulary=bank.vocabulary,
        notebooks=notebooks,
        strings=load_tables(list(LANGUAGES)),
        bank_warnings=[str(problem) for problem in bank.warnings],
    )


def validate_inputs(inputs: Inputs, config: SiteConfig) -> list[str]:
    """Collect every problem the site has with its inputs, raise them together; return warnings."""
    problems = check_tables(inputs.strings)
    try:
        config.report_url.format(id="x", title="x", body="x")
    except (KeyError, IndexError, ValueError) as exc:
        problems.append(("report_url", f"{config.report_url!r} is not a valid template ({exc})"))
    for q in inputs.questions:
        if not set(q["id"]) <= ID_CHARS:
            problems.append((f"{q['_file']}:{q['_line']}", f"id {q['id']!r} is not fit for a URL"))
    problems += _output_problems(config)
    if problems:
        raise InputErrors(problems)
    names = {path.stem for path in inputs.notebooks}
    warnings = []
    for q in inputs.questions:
        for link in exercise_links(q):
            if link.partition("#")[0] not in names:
                warnings.append(
                    f"{q['_file']}:{q['_line']}: {q['id']}: exercise {link!r} has no starter "
                    f"notebook in {config.exercises_dir}; the page shows no link to it"
                )
    return warnings


def _output_problems(config: SiteConfig) -> list[tuple[str, str]]:
    out, root = config.out.resolve(), config.root.resolve()
    if out == root or root.is_relative_to(out):
        return [("--out", f"{config.out} holds the project itself; choose a folder inside it")]
    if out.exists() and not out.is_dir():
        return [("--out", f"{config.out} is a file, not a folder")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return [
            (
                "--out",
                f"{config.out} is not empty and was not built by this tool; refusing to replace it",
            )
        ]
    return []


def render_site(inputs: Inputs, config: SiteConfig) -> dict[str, bytes]:
    """Every output file as path -> bytes; a page that fails names itself in the error."""
    from prep.markdown import render_markdown

    env = make_environment()
    exercises = [
        load_exercise(path, render_markdown, config.root / "grader" / "exercises")
        for path in inputs.notebooks
    ]
    translators = {lang: Translator(lang, inputs.strings[lang]) for lang in LANGUAGES}
    files: dict[str, bytes] = {}
    for lang in LANGUAGES:
        files.update(_render_tree(lang, inputs, config, exercises, translators))
    files["index.html"] = render_redirect(env, translators, DEFAULT_LANGUAGE)
    files.update(_assets())
    for ex in exercises:
        files[f"exercises/{ex.name}.ipynb"] = ex.source.read_bytes()
    files[MARKER] = b"Built by `prep site build`; the next build replaces this folder.\n"
    return files


def _render_tree(lang, inputs, config, exercises, translators) -> dict[str, bytes]:
    """Every page and data script of one language tree."""
    from prep.markdown import render_markdown

    site = _language_site(lang, inputs, exercises, translators[lang], render_markdown)
    return Renderer(make_environment(), config, site).all_pages()


def _language_site(lang, inputs, exercises, t, render) -> LanguageSite:
    vocab = vocabulary_view(inputs.vocabulary, lang)
    links = {}
    for ex in exercises:
        links[ex.name] = ExerciseLink(ex.name, ex.title, "")
        for name, anchor in ex.anchors.items():
            links[f"{ex.name}#{name}"] = ExerciseLink(ex.name, f"{ex.title}: {name}", anchor)
    questions = []
    for record in inputs.questions:
        try:
            questions.append(question_view(record, lang, render, links))
        except Exception as exc:  # a renderer failure names the record it failed on
            where = f"{record['_file']}:{record['_line']}: {record['id']}"
            raise BuildError(f"{where}: cannot render ({type(exc).__name__}: {exc})") from None
    by_exercise: dict[str, list] = {}
    for q in questions:
        for link in q.exercises:
            if q not in by_exercise.setdefault(link.name, []):
                by_exercise[link.name].append(q)
    return LanguageSite(
        lang=lang,
        t=t,
        vocab=vocab,
        questions=questions,
        topics=topic_views(vocab, questions),
        exercises=exercises,
        exercise_questions=by_exercise,
        stats={
            "questions": len(questions),
            "topics": len(vocab.topics),
            "exercises": len(exercises),
        },
    )


def _assets() -> dict[str, bytes]:
    """The static files (style sheets minified), plus the generated code-colour sheet."""
    files = {}
    for path in sorted(ASSETS.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".css":
                data = minify_css(data.decode("utf-8")).encode("utf-8")
            files[f"assets/{path.relative_to(ASSETS).as_posix()}"] = data
    files["assets/code.css"] = code_stylesheet().encode("utf-8")
    return files


def write_site(files: dict[str, bytes], config: SiteConfig) -> int | None:
    """Write `files` to a staging folder, index it, and swap it in; return the indexed count."""
    from studysite.search import index_search

    out = config.out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise BuildError(f"cannot write to {config.out}: {exc.strerror}") from None
    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        indexed = index_search(staging) if config.search else None
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"cannot write to {config.out}: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return indexed


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` (two renames in the same folder)."""
    staging.chmod(0o755)
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
