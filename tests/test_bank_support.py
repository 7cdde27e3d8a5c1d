"""Throwaway banks for the bank, CLI and schema tests (helpers only: no tests here).

`make_bank(tmp_path, files)` writes a small vocabulary, one exercise folder and the given
files under tmp_path, and moves into it, so problems read exactly as a user sees them:
`questions/gan.yaml:12: gan-a: en.answer: missing`.
"""

from __future__ import annotations

from pathlib import Path

VOCABULARY = """\
topics:
  gan: {zh: 生成对抗网络, en: GANs}
  vae: {zh: 变分自编码器, en: VAEs}
difficulties: [easy, medium, hard]
types:
  concept: {zh: 概念, en: Concept}
  math: {zh: 数学推导, en: Math}
tags:
  adversarial: {zh: 对抗训练, en: adversarial training}
  optimization: {zh: 优化, en: optimization}
  elbo: {zh: 证据下界, en: ELBO}
"""

EXERCISE = "title: GAN losses\nnames: [sample_noise, discriminator_loss, generator_loss]\n"

HEADER = "topic: {topic}\nquestions:\n"  # records start on line 3

# A complete reviewed record: 23 lines. With HEADER before it, its lines are:
#  3 id, 5 tags, 9 status, 10 zh, 12 zh.answer, 17 en, 19 en.answer, 24 sources, 25 url
RECORD = """\
  - id: {id}
    topic: {topic}
    tags: [adversarial]
    difficulty: medium
    type: math
    time_min: 5
    status: reviewed
    zh:
      question: 为什么生成器常用非饱和损失？
      answer: 判别器很强时，$\\log(1-D(G(z)))$ 的梯度接近 0。
      key_points: [早期梯度消失]
      follow_ups: [还有哪些替代损失？]
      pitfalls: [认为两种损失的梯度相同]
      rubric: {{0: 不知道, 1: 知道名字, 2: 能解释梯度, 3: 能推导并比较}}
    en:
      question: Why do generators usually use the non-saturating loss?
      answer: When the discriminator is strong, $\\log(1-D(G(z)))$ has a vanishing gradient.
      key_points: [vanishing gradient early in training]
      follow_ups: ["Which other losses fix this?"]
      pitfalls: [Believing both losses give the same gradients]
      rubric: {{0: nothing, 1: names it, 2: explains the gradient, 3: derives and compares}}
    sources:
      - {{title: "Goodfellow et al., Generative Adversarial Nets (2014)", url: "https://arxiv.org/abs/1406.2661"}}
"""


def record(qid: str = "gan-a", topic: str = "gan") -> str:
    """RECORD with this id and topic."""
    return RECORD.format(id=qid, topic=topic)


def edit(text: str, old: str, new: str) -> str:
    """`text` with `old` replaced once; fails loudly if `old` is not there."""
    assert old in text, f"{old!r} not in the record"
    return text.replace(old, new, 1)


def topic_file(*records: str, topic: str = "gan") -> str:
    return HEADER.format(topic=topic) + "".join(records)


def make_bank(tmp_path: Path, monkeypatch, files: dict[str, str]) -> Path:
    """Write questions/vocabulary.yaml, grader/exercises/gan/, and `files` (paths relative
    to tmp_path); chdir into tmp_path; return Path("questions")."""
    base = {
        "questions/vocabulary.yaml": VOCABULARY,
        "grader/exercises/gan/exercise.yaml": EXERCISE,
    }
    for name, text in {**base, **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return Path("questions")
