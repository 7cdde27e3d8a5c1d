"""select_questions: filters, and an order the site's JavaScript reproduces for the same seed."""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess

import pytest

from prep.bank import fnv1a32, select_questions

IDS = [f"q-{c}" for c in "abcdefghij"]


def bank() -> list[dict]:
    topics = ["gan", "vae"]
    return [
        {
            "id": qid,
            "topic": topics[i % 2],
            "difficulty": ["easy", "medium", "hard"][i % 3],
            "type": "math" if i < 5 else "concept",
            "tags": ["elbo"] if i % 2 else ["adversarial", "optimization"],
            "status": "draft" if i == 9 else "reviewed",
        }
        for i, qid in enumerate(IDS)
    ]


def ids(questions: list[dict]) -> list[str]:
    return [q["id"] for q in questions]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0x811C9DC5),  # the offset basis
        ("a", 0xE40C292C),  # published FNV-1a test vectors
        ("foobar", 0xBF9CF968),
        ("0:gan-a", 0xEAF887C5),
        ("生成", 0xEE4832C7),  # UTF-8 bytes, not code points
    ],
)
def test_fnv1a32_vectors(text, expected):
    assert fnv1a32(text) == expected


def test_fixed_seed_gives_a_fixed_order():
    everything = [{**q, "status": "reviewed"} for q in bank()]
    assert ids(select_questions(everything, seed=0)) == [
        "q-e", "q-d", "q-g", "q-f", "q-a", "q-c", "q-b", "q-i", "q-h", "q-j",
    ]  # fmt: skip
    assert ids(select_questions(everything, seed=7, count=4)) == ["q-f", "q-g", "q-d", "q-e"]
    assert ids(select_questions(everything, seed="mock-1", count=4)) == [
        "q-j", "q-i", "q-h", "q-g",
    ]  # fmt: skip


def test_integer_seeds_are_normalised_as_on_the_site():
    everything = [{**q, "status": "reviewed"} for q in bank()]
    seven = ids(select_questions(everything, seed=7))
    for same in ("7", "007", "+7", " 7 "):
        assert ids(select_questions(everything, seed=same)) == seven
    assert ids(select_questions(everything, seed=" mock-1 ")) == ids(
        select_questions(everything, seed="mock-1")
    )


def test_same_call_same_result_and_input_order_does_not_matter():
    questions = bank()
    first = ids(select_questions(questions, seed=3, count=5))
    assert ids(select_questions(list(reversed(questions)), seed=3, count=5)) == first
    assert ids(select_questions(questions, seed=4, count=5)) != first


def test_filters_accept_a_value_or_an_iterable():
    questions = bank()
    assert sorted(ids(select_questions(questions, topic="gan"))) == [
        "q-a", "q-c", "q-e", "q-g", "q-i",
    ]  # fmt: skip
    assert sorted(ids(select_questions(questions, difficulty=("easy", "hard")))) == [
        "q-a", "q-c", "q-d", "q-f", "q-g", "q-i",
    ]  # fmt: skip
    # tags: any of them; status: drafts are left out unless asked for
    assert sorted(ids(select_questions(questions, tags={"elbo", "nothing"}))) == [
        "q-b", "q-d", "q-f", "q-h",
    ]  # fmt: skip
    assert sorted(ids(select_questions(questions, tags="elbo", status=None))) == [
        "q-b", "q-d", "q-f", "q-h", "q-j",
    ]  # fmt: skip
    assert ids(select_questions(questions, types="math", topic="vae")) in (
        ["q-b", "q-d"],
        ["q-d", "q-b"],
    )
    assert select_questions(questions, topic=[]) == []
    assert select_questions(questions, count=0) == []


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="count must be 0 or more, got -1"):
        select_questions(bank(), count=-1)


def _docstring_js() -> str:
    """The JavaScript function in fnv1a32's docstring: the site's copy must be this one."""
    doc = inspect.getdoc(fnv1a32)
    match = re.search(r"^( *)function fnv1a32\(text\) \{$.*?^\1\}$", doc, re.M | re.S)
    assert match, "fnv1a32's docstring lost its JavaScript version"
    return match.group(0)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_javascript_in_the_docstring_gives_the_same_hashes_and_order():
    texts = ["", "a", "foobar", "0:gan-a", "生成", "7:q-é"]
    script = (
        _docstring_js()
        + f"""
const texts = {json.dumps(texts)};
const ids = {json.dumps(IDS)};
const order = ids.map(id => [fnv1a32(`7:${{id}}`), id])
  .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  .map(pair => pair[1]);
console.log(JSON.stringify({{hashes: texts.map(fnv1a32), order}}));
"""
    )
    out = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, timeout=30, check=True
    )
    result = json.loads(out.stdout)
    assert result["hashes"] == [fnv1a32(t) for t in texts]
    everything = [{**q, "status": "reviewed"} for q in bank()]
    assert result["order"] == ids(select_questions(everything, seed=7))
