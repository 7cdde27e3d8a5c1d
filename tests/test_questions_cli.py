"""`prep questions ...`: output and exit codes (0 done, 1 bank problems, 2 misuse)."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_bank_support import edit, make_bank, record, topic_file

from prep.bank.export import CSV_COLUMNS, anki_guid
from prep.cli import main

STATS = """\
topic:
  gan     2
  vae     1
difficulty:
  easy       0
  medium     3
  hard       0
type:
  concept     0
  math        3
status:
  draft        0
  reviewed     3
language:
  zh       3
  en       3
  both     3
total: 3
"""


@pytest.fixture
def good_bank(tmp_path, monkeypatch) -> Path:
    return make_bank(
        tmp_path,
        monkeypatch,
        {
            "questions/gan.yaml": topic_file(record("gan-a"), record("gan-b")),
            "questions/vae.yaml": topic_file(record("vae-a", "vae"), topic="vae"),
        },
    )


def prep(*args: str):
    return CliRunner().invoke(main, ["questions", *args])


def test_check_a_good_bank_prints_statistics(good_bank):
    result = prep("check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, STATS, "")


def test_check_prints_every_problem_and_exits_1(tmp_path, monkeypatch):
    typo = edit(record("gan-a"), "      answer: When", "      anwser: When")
    tag = edit(record("gan-b"), "[adversarial]", "[adversrial]")
    make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(typo, tag)})
    result = prep("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "questions/gan.yaml:17: gan-a: en.answer: missing\n"
        "questions/gan.yaml:19: gan-a: en.anwser: unknown field (did you mean 'answer'?)\n"
        "questions/gan.yaml:28: gan-b: tags[0]: unknown tag 'adversrial' "
        "(did you mean 'adversarial'?)\n"
    )
    assert result.stderr == "Error: 3 problems in the question bank (questions)\n"


def test_check_strict_fails_on_warnings(tmp_path, monkeypatch):
    text = record("gan-a")
    draft = edit(
        text[: text.index("    en:")] + text[text.index("    sources:") :], "reviewed", "draft"
    )
    make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(draft)})
    warning = "questions/gan.yaml:9: gan-a: status: warning: draft, still missing: en\n"
    relaxed = prep("check")
    assert relaxed.exit_code == 0
    assert relaxed.stdout.startswith(warning + "topic:\n")
    strict = prep("check", "--strict")
    assert (strict.exit_code, strict.stdout) == (1, warning)
    assert strict.stderr == "Error: 1 problem in the question bank (questions)\n"


def test_check_takes_another_root(good_bank, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)
    result = prep("check", "--root", str(tmp_path / "questions"))
    assert (result.exit_code, result.stdout) == (0, STATS)
    missing = prep("check", "--root", "nowhere")
    assert (missing.exit_code, missing.stdout) == (1, "nowhere: no such folder\n")


def test_stats_text_and_json(good_bank):
    assert prep("stats").stdout == STATS
    result = prep("stats", "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["total"] == 3
    assert stats["topic"] == {"gan": 2, "vae": 1}
    assert stats["language"] == {"zh": 3, "en": 3, "both": 3}


def test_commands_on_a_bad_bank_fail_with_one_error_block(tmp_path, monkeypatch):
    tag = edit(record("gan-a"), "[adversarial]", "[adversrial]")
    make_bank(tmp_path, monkeypatch, {"questions/gan.yaml": topic_file(tag)})
    for args in (
        ["stats"],
        ["select"],
        ["export", "--format", "csv", "--lang", "en", "--out", "x"],
    ):
        result = prep(*args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            "Error: 1 problem in the question bank:\n"
            "questions/gan.yaml:5: gan-a: tags[0]: unknown tag 'adversrial' "
            "(did you mean 'adversarial'?)\n"
        )
    assert not Path("x").exists()


def test_select_prints_ids_or_records(good_bank):
    result = prep("select", "--count", "2", "--seed", "3")
    assert (result.exit_code, result.stdout) == (0, "vae-a\ngan-a\n")
    assert prep("select", "--topic", "gan", "--seed", "3").stdout == "gan-a\ngan-b\n"
    records = json.loads(prep("select", "--json", "--topic", "vae").stdout)
    assert [r["id"] for r in records] == ["vae-a"]
    assert records[0]["zh"]["rubric"]["0"] == "不知道" and "_file" not in records[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["select", "--topic", "gann"], "Invalid value for '--topic': unknown value 'gann' "
         "(did you mean 'gan'?)"),
        (["select", "--tag", "nope"], "Invalid value for '--tag': unknown value 'nope'"),
        (["select", "--count", "-1"], "Invalid value for '--count': -1 is not in the range x>=0."),
        (["export", "--format", "pdf", "--lang", "en", "--out", "x"], "Invalid value for "
         "'--format': 'pdf' is not one of 'anki', 'csv'."),
        (["export", "--format", "csv", "--out", "x"], "Missing option '--lang'."),
    ],
)  # fmt: skip
def test_misuse_exits_2(good_bank, args, message):
    result = prep(*args)
    assert result.exit_code == 2
    assert f"\nError: {message}" in result.stderr


def _anki_notes(path: Path) -> list[tuple[str, str]]:
    """(guid, fields) of every note in an .apkg (a zip holding the sqlite collection)."""
    with zipfile.ZipFile(path) as package:
        data = package.read("collection.anki2")
    db_path = path.with_suffix(".anki2")
    db_path.write_bytes(data)
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT guid, flds FROM notes ORDER BY guid").fetchall()


def test_anki_export_keeps_guids_stable_and_distinct_per_language(good_bank, tmp_path):
    for name, lang in (("zh-1", "zh"), ("zh-2", "zh"), ("en", "en")):
        result = prep("export", "--format", "anki", "--lang", lang, "--out", f"out/{name}.apkg")
        assert (result.exit_code, result.stdout) == (
            0,
            f"wrote 3 questions ({lang}) to out/{name}.apkg\n",
        )
    zh1, zh2, en = (_anki_notes(tmp_path / f"out/{n}.apkg") for n in ("zh-1", "zh-2", "en"))
    guids = [guid for guid, _ in zh1]
    assert guids == [guid for guid, _ in zh2]
    assert sorted(guids) == sorted(anki_guid(q, "zh") for q in ("gan-a", "gan-b", "vae-a"))
    assert not set(guids) & {guid for guid, _ in en}
    # fields: Question, Answer, Explanation, Id, Topic, Difficulty (separated by 0x1f)
    fields = dict(zip(guids, (f.split("\x1f") for _, f in zh1), strict=True))[
        anki_guid("vae-a", "zh")
    ]
    assert fields[0] == "<p>为什么生成器常用非饱和损失？</p>\n"
    assert '<span class="math inline"><math' in fields[1]
    assert fields[2:] == ["", "vae-a", "变分自编码器", "medium"]


def test_csv_export_round_trips_chinese(good_bank, tmp_path):
    result = prep(
        "export", "--format", "csv", "--lang", "zh", "--out", "out/zh.csv", "--topic", "gan"
    )
    assert (result.exit_code, result.stdout) == (0, "wrote 2 questions (zh) to out/zh.csv\n")
    with (tmp_path / "out/zh.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["id"] for r in rows] == ["gan-a", "gan-b"]
    assert rows[0]["question"] == "为什么生成器常用非饱和损失？"
    assert rows[0]["answer"] == "判别器很强时，$\\log(1-D(G(z)))$ 的梯度接近 0。"
    assert rows[0]["tags"] == "adversarial"
    assert rows[0]["sources"] == (
        "Goodfellow et al., Generative Adversarial Nets (2014) <https://arxiv.org/abs/1406.2661>"
    )
