"""The bank loader and validator: every problem reported, each as `file:line: id: field: what`."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from test_bank_support import edit, make_bank, record, topic_file

from prep.bank import Bank, BankError, Problem, load_bank, validate_bank


def problems(root: Path) -> list[str]:
    return [str(p) for p in validate_bank(root)[1]]


def without(text: str, start: str, end: str) -> str:
    """`text` less the lines from the one starting `start` up to the one starting `end`."""
    return text[: text.index(start)] + text[text.index(end) :]


def test_a_valid_bank_loads_as_plain_records_with_file_and_line(tmp_path, monkeypatch):
    root = make_bank(
        tmp_path,
        monkeypatch,
        {
            "questions/gan.yaml": topic_file(record("gan-a"), record("gan-b")),
            "questions/vae.yaml": topic_file(record("vae-a", "vae"), topic="vae"),
        },
    )
    bank = load_bank(root)
    assert isinstance(bank, Bank)
    assert [q["id"] for q in bank.questions] == ["gan-a", "gan-b", "vae-a"]
    assert [(q["_file"], q["_line"]) for q in bank.questions] == [
        ("questions/gan.yaml", 3),
        ("questions/gan.yaml", 26),
        ("questions/vae.yaml", 3),
    ]
    assert bank.by_id["gan-b"] is bank.questions[1]
    assert bank.questions[0]["en"]["rubric"][3] == "derives and compares"
    assert set(bank.vocabulary) == {"topics", "difficulties", "types", "tags"}
    assert bank.seeds == [] and bank.warnings == []


def test_yaml_syntax_error_names_its_line(tmp_path, monkeypatch):
    broken = edit(record(), "    type: math\n", "    type: math: x\n")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(broken)})
    assert problems(root) == [
        "questions/gan.yaml:7: invalid YAML: mapping values are not allowed here"
    ]


def test_unknown_field_suggests_the_field_meant(tmp_path, monkeypatch):
    typo = edit(record(), "      answer: When", "      anwser: When")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(typo)})
    assert problems(root) == [
        "questions/gan.yaml:17: gan-a: en.answer: missing",
        "questions/gan.yaml:19: gan-a: en.anwser: unknown field (did you mean 'answer'?)",
    ]


def test_a_language_field_at_the_top_level_is_pointed_to_its_block(tmp_path, monkeypatch):
    misplaced = edit(record(), "    sources:", "    answer: forty-two\n    sources:")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(misplaced)})
    assert problems(root) == [
        "questions/gan.yaml:24: gan-a: answer: unknown field (it belongs under zh: or en:)"
    ]


def test_unknown_vocabulary_is_named_with_a_suggestion(tmp_path, monkeypatch):
    text = edit(record(), "[adversarial]", "[adversrial, optimization]")
    text = edit(text, "difficulty: medium", "difficulty: extreme")
    text = edit(text, "type: math", "type: proof")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    assert problems(root) == [
        "questions/gan.yaml:5: gan-a: tags[0]: unknown tag 'adversrial' "
        "(did you mean 'adversarial'?)",
        "questions/gan.yaml:6: gan-a: difficulty: unknown difficulty 'extreme' "
        "(known: easy, medium, hard)",
        "questions/gan.yaml:7: gan-a: type: unknown type 'proof' (known: concept, math)",
    ]


def test_duplicate_ids_name_both_places(tmp_path, monkeypatch):
    root = make_bank(
        tmp_path,
        monkeypatch,
        {
            "questions/gan.yaml": topic_file(record("gan-a")),
            "questions/vae.yaml": topic_file(record("gan-a", "vae"), topic="vae"),
        },
    )
    assert problems(root) == [
        "questions/vae.yaml:3: gan-a: id: duplicate id, also at questions/gan.yaml:3"
    ]


def test_reviewed_record_needs_both_languages(tmp_path, monkeypatch):
    no_en = without(record(), "    en:", "    sources:")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(no_en)})
    assert problems(root) == [
        "questions/gan.yaml:3: gan-a: en: missing (a reviewed question needs both zh and en)"
    ]


def test_draft_may_lack_a_language_but_strict_refuses_it(tmp_path, monkeypatch):
    draft = edit(without(record(), "    en:", "    sources:"), "reviewed", "draft")
    draft = without(draft, "      follow_ups:", "    sources:")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(draft)})
    warning = (
        "questions/gan.yaml:9: gan-a: status: warning: draft, still missing: "
        "zh.follow_ups, zh.pitfalls, zh.rubric, en"
    )
    assert problems(root) == [warning]
    assert [str(p) for p in load_bank(root).warnings] == [warning]
    with pytest.raises(BankError) as caught:
        load_bank(root, strict=True)
    assert [str(p) for p in caught.value.problems] == [warning]


def test_exercise_links_must_name_an_existing_exercise_and_name(tmp_path, monkeypatch):
    links = "    exercise: [gan#discriminator_loss, gan#discriminator_los, gann#sample_noise]\n"
    text = edit(record(), "    sources:", links + "    sources:")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    assert problems(root) == [
        "questions/gan.yaml:24: gan-a: exercise[1]: 'discriminator_los' is not listed under "
        "names: in grader/exercises/gan/exercise.yaml (did you mean 'discriminator_loss'?)",
        "questions/gan.yaml:24: gan-a: exercise[2]: unknown exercise 'gann': "
        "no folder grader/exercises/gann (did you mean 'gan'?)",
    ]


def test_malformed_math_is_reported_per_field(tmp_path, monkeypatch):
    text = edit(record(), "$\\log(1-D(G(z)))$ has", "$\\frac{1}{2$ costs $5 and")
    text = edit(text, "早期梯度消失", "$x^$ 与 $\\foo y$")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    assert problems(root) == [
        "questions/gan.yaml:13: gan-a: zh.key_points[0]: LaTeX error in $x^$: "
        "missing super script or subscript",
        "questions/gan.yaml:13: gan-a: zh.key_points[0]: unknown LaTeX command \\foo in $\\foo y$",
        "questions/gan.yaml:19: gan-a: en.answer: unbalanced braces in $\\frac{1}{2$",
        "questions/gan.yaml:19: gan-a: en.answer: unmatched $ (1 in the text; write \\$ for a "
        "literal dollar sign, and no space inside $...$)",
    ]


SEED_INDEX = """\
seeds:
  - id: "000-q01"
    article: "000"
    topic: gan
    also: ["001-q04"]
    summary_zh: 为什么用非饱和损失
    summary_en: Why the non-saturating loss
  - id: "000-q02"
    article: "000"
    topic: vae
    summary_zh: ELBO 是什么
    summary_en: What the ELBO is
"""


def test_seed_ids_must_exist_in_the_seed_index(tmp_path, monkeypatch):
    seeds = '    seed: ["000-q01", "001-q04", "000-q09", "000-q02"]\n'
    text = edit(record(), "    sources:", seeds + "    sources:")
    root = make_bank(
        tmp_path,
        monkeypatch,
        {"questions/gan.yaml": topic_file(text), "questions/seed-index.yaml": SEED_INDEX},
    )
    assert problems(root) == [
        "questions/gan.yaml:24: gan-a: seed[2]: unknown seed id '000-q09' "
        "(not in questions/seed-index.yaml)"
    ]
    assert [s["id"] for s in validate_bank(root)[0].seeds] == ["000-q01", "000-q02"]


def test_every_seed_entry_must_be_covered(tmp_path, monkeypatch):
    # "001-q04" is merged into 000-q01 (`also`), so citing it covers 000-q01
    text = edit(record(), "    sources:", '    seed: "001-q04"\n    sources:')
    root = make_bank(
        tmp_path,
        monkeypatch,
        {"questions/gan.yaml": topic_file(text), "questions/seed-index.yaml": SEED_INDEX},
    )
    assert problems(root) == [
        "questions/seed-index.yaml:8: 000-q02: no question covers this seed "
        "(list its id under a record's seed:)"
    ]


def test_field_shapes_and_values(tmp_path, monkeypatch):
    text = record("Gan_A")
    text = edit(text, "    topic: gan", "    topic: vae")
    text = edit(text, "time_min: 5", "time_min: '5'")
    text = edit(text, "status: reviewed", "status: done")
    text = edit(text, "{0: nothing, 1: names it, 2: explains the gradient, ", "{0: x, 1: y, 4: z, ")
    text = edit(text, "https://arxiv.org/abs/1406.2661", "ftp://arxiv.org/abs/1406.2661")
    text = edit(text, "      key_points: [vanishing gradient early in training]\n", "")
    text = edit(text, '      follow_ups: ["Which other losses fix this?"]', "      follow_ups: one")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    assert problems(root) == [
        "questions/gan.yaml:3: Gan_A: id: 'Gan_A' is not a valid id (lowercase letters and "
        "digits joined by single hyphens, e.g. 'gan-nonsaturating-loss')",
        "questions/gan.yaml:4: Gan_A: topic: 'vae' differs from the file's topic 'gan'",
        "questions/gan.yaml:8: Gan_A: time_min: expected whole minutes from 1 to 60, "
        "got a string ('5')",
        "questions/gan.yaml:9: Gan_A: status: expected draft or reviewed, got a string ('done')",
        "questions/gan.yaml:17: Gan_A: en.key_points: missing",
        "questions/gan.yaml:20: Gan_A: en.follow_ups: expected a list of one or more items "
        "(write '- ' before each)",
        "questions/gan.yaml:22: Gan_A: en.rubric.4: unknown level (levels are 0, 1, 2, 3)",
        "questions/gan.yaml:22: Gan_A: en.rubric: missing level 2",
        "questions/gan.yaml:24: Gan_A: sources[0].url: 'ftp://arxiv.org/abs/1406.2661' "
        "is not an http(s) URL",
    ]


def test_file_level_problems(tmp_path, monkeypatch):
    root = make_bank(
        tmp_path,
        monkeypatch,
        {
            "questions/gan.yaml": "topic: vae\nquestion: []\n",
            "questions/vae.yml": "topic: vae\nquestions: []\n",
            "questions/dup.yaml": "topic: gann\nquestions:\n  - 42\n",
        },
    )
    assert problems(root) == [
        "questions/vae.yml: rename it to vae.yaml (the bank reads *.yaml)",
        "questions/dup.yaml:1: topic: unknown topic 'gann' (did you mean 'gan'?)",
        "questions/dup.yaml:3: questions[0]: expected a question (a mapping), got an integer (42)",
        "questions/gan.yaml:1: topic: 'vae' does not match the file name (expected 'gan')",
        "questions/gan.yaml:1: questions: missing",
        "questions/gan.yaml:2: question: unknown field (did you mean 'questions'?)",
    ]


def test_a_duplicate_key_is_not_silently_dropped(tmp_path, monkeypatch):
    text = edit(record(), "    difficulty: medium\n", "    difficulty: medium\n    tags: [elbo]\n")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    assert problems(root) == [
        "questions/gan.yaml:7: gan-a: tags: duplicate key (first given on line 5)"
    ]


def test_unquoted_question_mark_in_a_flow_list_is_refused(tmp_path, monkeypatch):
    # libyaml reads it; yaml.safe_load without libyaml fails on it
    text = edit(record(), '["Which other losses fix this?"]', "[Which other losses fix this?]")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    assert problems(root) == [
        "questions/gan.yaml:21: gan-a: en.follow_ups[0]: put this text in quotes: inside [...] "
        "or {...}, unquoted text cannot contain '?' (yaml.safe_load fails on it)"
    ]


def test_missing_folder_and_vocabulary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert problems(Path("questions")) == ["questions: no such folder"]
    Path("questions").mkdir()
    assert problems(Path("questions")) == [
        "questions/vocabulary.yaml: missing: the bank needs its vocabulary"
    ]


def test_bank_error_is_a_click_error_listing_every_problem(tmp_path, monkeypatch):
    no_en = without(record("gan-a"), "    en:", "    sources:")
    typo = edit(record("gan-b"), "      answer: When", "      anwser: When")
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(no_en, typo)})
    with pytest.raises(BankError) as caught:
        load_bank(root)
    error = caught.value
    assert isinstance(error, click.ClickException) and error.exit_code == 1
    assert error.problems == [
        Problem(
            "questions/gan.yaml",
            3,
            "gan-a",
            "en",
            "missing (a reviewed question needs both zh and en)",
        ),
        Problem("questions/gan.yaml", 33, "gan-b", "en.answer", "missing"),
        Problem(
            "questions/gan.yaml", 35, "gan-b", "en.anwser", "unknown field (did you mean 'answer'?)"
        ),
    ]
    assert error.format_message() == "\n".join(
        [
            "3 problems in the question bank:",
            "questions/gan.yaml:3: gan-a: en: missing (a reviewed question needs both zh and en)",
            "questions/gan.yaml:33: gan-b: en.answer: missing",
            "questions/gan.yaml:35: gan-b: en.anwser: unknown field (did you mean 'answer'?)",
        ]
    )


def test_validation_time_is_linear_in_the_number_of_records(tmp_path, monkeypatch):
    import time

    def seconds(n: int) -> float:
        text = topic_file(*(record(f"gan-q{i}") for i in range(n)))
        (tmp_path / "questions" / "gan.yaml").write_text(text, encoding="utf-8")
        start = time.process_time()  # CPU time: steadier than wall time on a busy machine
        bank, found = validate_bank(root)
        assert len(bank.questions) == n and found == []
        return time.process_time() - start

    root = make_bank(tmp_path, monkeypatch, {})
    seconds(50)  # warm the caches
    small, large = seconds(100), seconds(800)
    # 8x the records: linear is ~8x; quadratic would be ~64x. Generous for noisy machines.
    assert large < 25 * small + 0.5, (small, large)
