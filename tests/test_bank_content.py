"""The real bank in questions/: it validates, and every ```python block in an answer runs.

Each question with code is one test (its id in the test name). Every block runs in a process
of its own with a 60 s limit (see prep.bank.fences: forked from an interpreter that has
imported torch once, instead of a `python3 -c` that would import it again for each block).
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest
import yaml

from prep.bank import validate_bank
from prep.bank.fences import BlockResult, run_blocks
from prep.bank.schema import LANGS, SEED_INDEX_FILE, VOCABULARY_FILE
from prep.markdown import fenced_code

ROOT = Path(__file__).resolve().parent.parent / "questions"
TOPIC_FILES = sorted(
    p for p in ROOT.glob("*.yaml") if p.name not in (VOCABULARY_FILE, SEED_INDEX_FILE)
)
TIMEOUT_S = 60
CODE_FIELDS = ("answer", "explanation")

pytestmark = pytest.mark.skipif(not TOPIC_FILES, reason=f"no topic files in {ROOT} yet")

BANK, PROBLEMS = validate_bank(ROOT) if TOPIC_FILES else (None, [])


def _snippets() -> dict[str, list[tuple[str, str]]]:
    """question id -> [(where, code)], where = "en.answer block 2"."""
    found: dict[str, list[tuple[str, str]]] = {}
    for q in BANK.questions if BANK else ():
        for lang in LANGS:
            block = q.get(lang)
            if not isinstance(block, dict):
                continue
            for field in CODE_FIELDS:
                text = block.get(field)
                if isinstance(text, str):
                    for n, code in enumerate(fenced_code(text, "python"), 1):
                        found.setdefault(str(q.get("id")), []).append(
                            (f"{lang}.{field} block {n}", code)
                        )
    return found


SNIPPETS = _snippets()


def test_the_bank_validates():
    errors = [str(p) for p in PROBLEMS if not p.warning]
    assert not errors, f"{len(errors)} problems in the bank:\n" + "\n".join(errors)


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.name)
def test_every_file_reads_the_same_without_libyaml(path):
    text = path.read_text(encoding="utf-8")
    pure = yaml.load(text, Loader=yaml.SafeLoader)  # what yaml.safe_load gives without libyaml
    if getattr(yaml, "CSafeLoader", None):
        assert pure == yaml.load(text, Loader=yaml.CSafeLoader)


def _run_all() -> dict[str, BlockResult]:
    codes = list(dict.fromkeys(code for blocks in SNIPPETS.values() for _, code in blocks))
    return dict(zip(codes, run_blocks(codes, timeout=TIMEOUT_S), strict=True))


@pytest.fixture(scope="session")
def block_results(tmp_path_factory) -> dict[str, BlockResult]:
    """code -> its result. Every distinct block runs once (zh and en usually share code), in
    its own process forked from one that has already imported what the blocks import.

    Under pytest-xdist the first worker to get here runs them all and leaves the results in
    the run's shared temporary folder for the other workers (each waits on a lock).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _run_all()
    shared = tmp_path_factory.getbasetemp().parent / "bank-python-blocks.json"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.is_file():
            saved = json.loads(shared.read_text(encoding="utf-8"))
            return {code: BlockResult(r["returncode"], r["output"]) for code, r in saved.items()}
        results = _run_all()
        saved = {
            code: {"returncode": r.returncode, "output": r.output} for code, r in results.items()
        }
        shared.write_text(json.dumps(saved), encoding="utf-8")
        return results


@pytest.mark.parametrize("qid", sorted(SNIPPETS))
def test_python_blocks_run(qid, block_results):
    failures = []
    for where, code in SNIPPETS[qid]:
        result = block_results[code]
        if result.timed_out:
            failures.append(f"{where}: did not finish within {TIMEOUT_S} s\n{code}")
        elif not result.ok:
            tail = "\n".join(result.output.strip().splitlines()[-8:])
            failures.append(f"{where}: exit code {result.returncode}\n{code}\n{tail}")
    assert not failures, f"{qid}: " + "\n\n".join(failures)
