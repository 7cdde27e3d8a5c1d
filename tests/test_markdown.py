"""render_markdown (the site's and the Anki export's renderer) and math_problems (the checker)."""

from __future__ import annotations

import pytest

from prep.markdown import fenced_code, math_problems, pygments_css, render_markdown

MATHML = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="{}">'


def test_inline_math_becomes_mathml_with_comparison_signs_escaped():
    html = render_markdown("if $a<b$ then")
    assert html == (
        '<p>if <span class="math inline">' + MATHML.format("inline")
        + "<mrow><mi>a</mi><mo>&#x0003C;</mo><mi>b</mi></mrow></math></span> then</p>\n"
    )  # fmt: skip


def test_display_math_is_a_block():
    html = render_markdown("$$\nx^2\n$$")
    assert html.startswith('<div class="math block">\n' + MATHML.format("block"))
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html
    # $$...$$ inside a paragraph: display mode, but a <span> (a <div> cannot sit in a <p>)
    inline = render_markdown("see $$x$$ here")
    assert inline.startswith('<p>see <span class="math display">' + MATHML.format("block"))


def test_dollars_that_are_not_math_stay_text():
    assert render_markdown("costs \\$5 or \\$10") == "<p>costs $5 or $10</p>\n"
    assert render_markdown("`$x$` is code") == "<p><code>$x$</code> is code</p>\n"


def test_unconvertible_math_shows_its_source_escaped():
    assert render_markdown("$x<^$") == (
        '<p><span class="math inline"><code class="math-error">x&lt;^</code></span></p>\n'
    )


def test_code_is_highlighted_with_classes_not_styles():
    html = render_markdown('```python\nx = "<b>"\n```')
    assert html == (
        '<pre class="highlight"><code class="language-python"><span class="n">x</span> '
        '<span class="o">=</span> <span class="s2">&quot;&lt;b&gt;&quot;</span>\n'
        "</code></pre>\n"
    )
    assert "style=" not in html
    assert ".highlight .k" in pygments_css()
    unknown = render_markdown("```nosuchlang\n<i>\n```")
    assert (
        unknown
        == '<pre class="highlight"><code class="language-nosuchlang">&lt;i&gt;\n</code></pre>\n'
    )


def test_raw_html_is_text_and_unsafe_links_are_not_links():
    assert render_markdown("<script>alert(1)</script> & <b>x</b>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;</p>\n"
    )
    assert render_markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"
    assert render_markdown('[y](https://e.org/?a=1&b="2")') == (
        '<p><a href="https://e.org/?a=1&amp;b=%222%22">y</a></p>\n'
    )


def test_mathml_never_carries_a_bare_ampersand():
    html = render_markdown("$\\begin{aligned} a &= b \\end{aligned}$")
    assert "<mi>&amp;</mi>" in html and "<mi>&</mi>" not in html


def test_tables_render_and_output_is_deterministic():
    text = "| a | b |\n|---|---|\n| 1 | $x$ |\n"
    html = render_markdown(text)
    assert html.startswith("<table>\n<thead>\n<tr>\n<th>a</th>")
    assert '<td><span class="math inline">' in html
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    "text, problems",
    [
        ("fine: $\\frac{a}{b}$ and $$\\sum_i x_i$$, \\$5", []),
        ("`$` in code and\n\n```\n$\n```\n", []),
        ("$x^$", ["LaTeX error in $x^$: missing super script or subscript"]),
        ("$\\left( x$", ["LaTeX error in $\\left( x$: extra left or missing right"]),
        ("$\\frac{a}{b$", ["unbalanced braces in $\\frac{a}{b$"]),
        ("$a}$", ["unbalanced braces in $a}$"]),
        ("$\\foo{x} + \\bar y$", ["unknown LaTeX command \\foo in $\\foo{x} + \\bar y$"]),
        ("$\\arg\\max_x f(x)$, $\\argmax_x$", []),  # \arg is rewritten: latex2mathml lacks it
        (
            "$$\\begin{aligned} a &= b \\end{aligned}$$",
            [
                "'&' that latex2mathml cannot lay out in $$\\begin{aligned} a &= b "
                "\\end{aligned}$$ (it has no aligned or gathered: use align*, split, cases, "
                "array or a matrix)"
            ],
        ),
        (
            "costs $5 and $10",
            [
                "unmatched $ (2 in the text; write \\$ for a literal dollar sign, "
                "and no space inside $...$)"
            ],
        ),
        (
            "$$\nx = 1\n",
            [
                "unmatched $ (2 in the text; write \\$ for a literal dollar sign, "
                "and no space inside $...$)"
            ],
        ),
        (
            "$ x $",
            [
                "unmatched $ (2 in the text; write \\$ for a literal dollar sign, "
                "and no space inside $...$)"
            ],
        ),
    ],
)
def test_math_problems(text, problems):
    assert math_problems(text) == problems


def test_fenced_code_finds_python_blocks_also_inside_lists():
    text = (
        "x\n\n```python\nprint(1)\n```\n\n- item\n\n  ```python\n  print(2)\n  ```\n\n```js\nx\n```"
    )
    assert fenced_code(text) == ["print(1)\n", "print(2)\n"]
