"""Markdown for the question bank: one renderer for the site and the Anki export, one checker.

`render_markdown` turns a bank text field into HTML: CommonMark plus tables, `$...$` inline and
`$$...$$` display math converted to MathML on the server (latex2mathml), fenced code highlighted
by Pygments with CSS classes (`pygments_css()` gives the style sheet), and no raw HTML: a `<b>`
in the source is shown as text. `math_problems` finds the math that would render wrongly; the
bank validator reports what it returns.

Math follows Pandoc's rule: an opening `$` must be followed by a non-space and a closing `$`
preceded by one and not followed by a digit, so "$5 and $10" is not math. A literal dollar sign
is written `\\$`; an unmatched `$` is a problem.
"""

from __future__ import annotations

import functools
import html
import re

import latex2mathml.converter
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["fenced_code", "math_problems", "pygments_css", "render_markdown"]

# latex2mathml passes an unknown command through as text, e.g. <mi>\foo</mi>, and an
# alignment `&` of an environment it cannot lay out (aligned, gathered) as a bare `&`.
_UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")
_BARE_AMPERSAND = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z]+;)")
# Standard LaTeX that latex2mathml lacks, rewritten to what it knows.
_MISSING_OPERATOR = re.compile(r"\\(arg)(?![A-Za-z])")
_SNIPPET = 40


@functools.lru_cache(maxsize=1 << 15)
def _mathml(latex: str) -> str:
    """MathML for one formula (inline). Converting is the slow part of both rendering and
    checking, and the same formulas recur, so results are memoized (a pure function)."""
    return latex2mathml.converter.convert(_MISSING_OPERATOR.sub(r"\\operatorname{\1}", latex))


def _math_to_mathml(latex: str, options: dict) -> str:
    """Render one formula; a formula latex2mathml cannot convert is shown as escaped source."""
    try:
        mathml = _mathml(latex)
    except Exception:  # latex2mathml raises many unrelated types; the checker names them
        return f'<code class="math-error">{html.escape(latex)}</code>'
    if options["display_mode"]:
        mathml = mathml.replace(' display="inline"', ' display="block"', 1)
    return _BARE_AMPERSAND.sub("&amp;", mathml)


@functools.lru_cache(maxsize=64)
def _lexer(lang: str) -> Lexer | None:
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, attrs: str) -> str:
    """A fenced block as `<pre class="highlight"><code>` with Pygments' class-named spans."""
    lexer = _lexer(lang.lower()) if lang else None
    body = highlight(code, lexer, _FORMATTER) if lexer else html.escape(code)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f'<pre class="highlight"><code{cls}>{body}</code></pre>'


def _render_inline_display(self, tokens, idx, options, env) -> str:
    mathml = _math_to_mathml(tokens[idx].content.strip(), {"display_mode": True})
    return f'<span class="math display">{mathml}</span>'


def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight})
    md.enable("table")
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        double_inline=True,
        renderer=_math_to_mathml,
    )
    # `$$...$$` inside a paragraph: the plugin's <div> would be invalid inside <p>.
    md.add_render_rule("math_inline_double", _render_inline_display)
    return md


_MD = _markdown_it()
# The checker keeps `\$` escapes as their own tokens so that a literal dollar sign is not
# mistaken for an unmatched one.
_MD_CHECK = _markdown_it().disable("text_join")


def render_markdown(text: str) -> str:
    """HTML for one bank text field (the same input always gives the same output)."""
    return _MD.render(text)


def fenced_code(text: str, lang: str = "python") -> list[str]:
    """The source of each fenced block in `text` whose info string starts with `lang`."""
    if "```" not in text and "~~~" not in text:
        return []
    return [
        token.content
        for token in _MD.parse(text)
        if token.type == "fence" and token.info.split(maxsplit=1)[:1] == [lang]
    ]


def pygments_css(selector: str = ".highlight") -> str:
    """The style sheet for the classes that `render_markdown` puts on highlighted code."""
    return HtmlFormatter().get_style_defs(selector)


def _snippet(latex: str) -> str:
    latex = " ".join(latex.split())
    return latex if len(latex) <= _SNIPPET else latex[: _SNIPPET - 3] + "..."


def _braces_balanced(latex: str) -> bool:
    depth, i = 0, 0
    while i < len(latex):
        c = latex[i]
        if c == "\\":
            i += 2  # \{ \} \\ are not group braces
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def _words(exc: Exception) -> str:
    """`MissingSuperScriptOrSubscriptError` -> "missing super script or subscript"."""
    name = type(exc).__name__.removesuffix("Error")
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    return f"{words}: {exc}" if str(exc) else words


def _formula_problems(latex: str, delimiter: str) -> list[str]:
    where = f"{delimiter}{_snippet(latex)}{delimiter}"
    if not latex.strip():
        return [f"empty formula {delimiter}{delimiter}"]
    if not _braces_balanced(latex):
        return [f"unbalanced braces in {where}"]
    try:
        mathml = _mathml(latex)
    except Exception as exc:  # any failure to convert is the author's to fix
        return [f"LaTeX error in {where}: {_words(exc)}"]
    problems = [
        f"unknown LaTeX command {command} in {where}"
        for command in dict.fromkeys(_UNKNOWN_COMMAND.findall(mathml))
    ]
    if _BARE_AMPERSAND.search(mathml):
        problems.append(
            f"'&' that latex2mathml cannot lay out in {where} (it has no aligned or gathered: "
            "use align*, split, cases, array or a matrix)"
        )
    return problems


def math_problems(text: str) -> list[str]:
    """What is wrong with the math in `text`, one sentence each (empty when nothing is).

    Finds a `$` or `$$` without its partner, unbalanced `{}` in a formula, and LaTeX that
    latex2mathml cannot convert or does not know (an unknown command). Code spans and fenced
    code are not math.
    """
    if "$" not in text:
        return []
    return list(_math_problems(text))


@functools.lru_cache(maxsize=1 << 12)
def _math_problems(text: str) -> tuple[str, ...]:
    problems: list[str] = []
    unmatched = 0
    for token in _MD_CHECK.parse(text):
        if token.type in ("math_block", "math_block_label"):
            problems += _formula_problems(token.content.strip(), "$$")
        for child in token.children or ():
            if child.type == "math_inline":
                problems += _formula_problems(child.content.strip(), "$")
            elif child.type == "math_inline_double":
                problems += _formula_problems(child.content.strip(), "$$")
            elif child.type == "text":
                unmatched += child.content.count("$")
    if unmatched:
        problems.append(
            f"unmatched $ ({unmatched} in the text; write \\$ for a literal dollar sign, "
            "and no space inside $...$)"
        )
    return tuple(problems)
