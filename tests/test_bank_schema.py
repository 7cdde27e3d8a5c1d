"""questions/schema.json (for editors), the validator and the authors' docs describe one format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from test_bank_support import edit, make_bank, record, topic_file

from prep.bank import validate_bank
from prep.bank.schema import LANG_FIELDS, RECORD_FIELDS, SOURCE_FIELDS

PROJECT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((PROJECT / "questions" / "schema.json").read_text(encoding="utf-8"))
DOCS = (PROJECT / "docs" / "question-format.md").read_text(encoding="utf-8")


def _required(fields: dict) -> set[str]:
    return {name for name, (required, _) in fields.items() if required}


def test_schema_declares_the_fields_the_validator_accepts():
    defs = SCHEMA["$defs"]
    assert set(defs["question"]["properties"]) == set(RECORD_FIELDS)
    assert set(defs["question"]["required"]) == _required(RECORD_FIELDS) - {"zh", "en"}
    assert set(defs["languageBlock"]["properties"]) == set(LANG_FIELDS)
    assert set(defs["completeLanguageBlock"]["required"]) == _required(LANG_FIELDS)
    assert set(defs["source"]["properties"]) == set(SOURCE_FIELDS)
    assert set(defs["source"]["required"]) == _required(SOURCE_FIELDS)


def test_docs_describe_every_field():
    documented = set(re.findall(r"^\| `([a-z_]+)`", DOCS, re.M))
    assert documented >= set(RECORD_FIELDS) | set(LANG_FIELDS) | set(SOURCE_FIELDS)


def test_the_example_record_in_the_docs_is_valid(tmp_path, monkeypatch):
    example = re.search(r"^## An example record\n\n```yaml\n(.*?)^```", DOCS, re.M | re.S)
    assert example, "docs/question-format.md lost its example record"
    seeds = 'seeds:\n  - {id: "000-q05", article: "000", topic: gan}\n'
    root = make_bank(
        tmp_path,
        monkeypatch,
        {
            "questions/gan.yaml": topic_file(example.group(1)),
            "questions/seed-index.yaml": seeds,
        },
    )
    assert [str(p) for p in validate_bank(root)[1]] == []
    assert _schema_errors(example.group(1)) == []


def _without(text: str, start: str, end: str) -> str:
    return text[: text.index(start)] + text[text.index(end) :]


VALID = {
    "complete": record(),
    "draft-one-language": edit(_without(record(), "    en:", "    sources:"), "reviewed", "draft"),
    "exercise-list": edit(
        record(), "    sources:", "    exercise: [gan, gan#generator_loss]\n    sources:"
    ),
    "rubric-string-keys": edit(
        record(), "{0: nothing, 1: names it,", "{'0': nothing, '1': names it,"
    ),
}

INVALID = {
    "unknown-field": edit(record(), "      answer: When", "      anwser: When"),
    "missing-required": edit(record(), "    time_min: 5\n", ""),
    "bad-id": record("Gan_A"),
    "time-out-of-range": edit(record(), "time_min: 5", "time_min: 90"),
    "time-not-int": edit(record(), "time_min: 5", "time_min: five"),
    "bad-difficulty": edit(record(), "difficulty: medium", "difficulty: extreme"),
    "bad-status": edit(record(), "status: reviewed", "status: done"),
    "reviewed-missing-en": _without(record(), "    en:", "    sources:"),
    "reviewed-incomplete": edit(record(), "      pitfalls: [Believing both losses give the same gradients]\n", ""),
    "rubric-missing-level": edit(record(), "3: derives and compares", "4: derives and compares"),
    "ftp-url": edit(record(), "https://arxiv", "ftp://arxiv"),
    "no-sources": record()[: record().index("    sources:")] + "    sources: []\n",
    "empty-tags": edit(record(), "tags: [adversarial]", "tags: []"),
    "key-points-not-a-list": edit(record(), "key_points: [早期梯度消失]", "key_points: 早期梯度消失"),
}  # fmt: skip


def _validator_problems(tmp_path, monkeypatch, text: str) -> list[str]:
    root = make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(text)})
    return [str(p) for p in validate_bank(root)[1] if not p.warning]


def _schema_errors(text: str) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    data = json.loads(json.dumps(yaml.safe_load(topic_file(text))))  # YAML 0: -> JSON "0"
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [e.message for e in validator.iter_errors(data)]


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_fixtures_pass_the_validator_and_the_schema(tmp_path, monkeypatch, name):
    assert _validator_problems(tmp_path, monkeypatch, VALID[name]) == []
    assert _schema_errors(VALID[name]) == []


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixtures_fail_the_validator_and_the_schema(tmp_path, monkeypatch, name):
    assert _validator_problems(tmp_path, monkeypatch, INVALID[name]) != []
    assert _schema_errors(INVALID[name]) != []


def test_the_schema_is_a_valid_2020_12_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
