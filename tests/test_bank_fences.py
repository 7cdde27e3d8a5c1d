"""prep.bank.fences: each code block in its own process, with a time limit."""

from __future__ import annotations

from prep.bank.fences import run_blocks


def test_blocks_run_apart_and_report_how_they_ended():
    ok, failing, exits, leaked, timed_out, syntax = run_blocks(
        [
            "shared = 42\nprint('hello')",
            "raise ValueError('boom')",
            "import sys; sys.exit(3)",
            "print(shared)",  # another block's global is not visible here
            "import time; time.sleep(30)",
            "def f(:",
        ],
        timeout=1,
    )
    assert (ok.returncode, ok.output, ok.ok) == (0, "hello\n", True)
    assert failing.returncode == 1 and failing.output.endswith("ValueError: boom\n")
    assert 'File "<block>", line 1' in failing.output
    assert exits.returncode == 3
    assert leaked.returncode == 1 and "NameError: name 'shared' is not defined" in leaked.output
    assert timed_out.timed_out and not timed_out.ok
    assert syntax.returncode == 1 and "SyntaxError" in syntax.output


def test_nothing_to_run():
    assert run_blocks([]) == []
