"""build_vocab, encode, decode: a deterministic vocabulary and an exact round trip, on a string
with Chinese characters and emoji drawn at grading time."""

from helpers import draw_text, reference_vocab

from grader.testing import (
    check,
    expect_dict,
    expect_int,
    expect_list,
    expect_str,
    expect_tuple,
    points,
)


def candidate_vocab(submission, text):
    answer = expect_tuple(submission.build_vocab(text), "build_vocab(text)", length=2)
    stoi = expect_dict(answer[0], "build_vocab(text)[0] (stoi)")
    itos = expect_list(answer[1], "build_vocab(text)[1] (itos)")
    for ch in itos:
        expect_str(ch, "every item of itos")
    for ch, i in stoi.items():
        expect_int(i, f"stoi[{ch!r}]")
    return stoi, itos


@points(2)
def test_build_vocab_is_sorted_and_deterministic(submission, gen):
    """itos == sorted(set(text)) and stoi is its inverse [T-b]."""
    text = draw_text(gen)
    stoi, itos = candidate_vocab(submission, text)
    want_stoi, want_itos = reference_vocab(text)
    check(
        len(itos) == len(set(itos)) and set(itos) == set(want_itos),
        f"build_vocab: itos should hold each of the {len(want_itos)} distinct characters once, "
        f"got {len(itos)} items ({len(set(itos) & set(want_itos))} of them right)",
    )
    check(
        itos == want_itos,
        "[T-b] build_vocab: itos is not sorted(set(text)). The vocabulary order must be "
        "deterministic; an order taken from set(...) changes with PYTHONHASHSEED, so a model "
        "trained in one process decodes garbage in another. Sort the characters.",
    )
    check(
        stoi == want_stoi,
        "build_vocab: stoi is not the inverse of itos (stoi[itos[i]] == i for every i, and no "
        "other keys)",
    )
    # the same characters met in another order give the same vocabulary
    stoi2, itos2 = candidate_vocab(submission, text[::-1])
    check(
        itos2 == itos and stoi2 == stoi,
        "[T-b] build_vocab: the reversed text (same characters) gives a different vocabulary",
    )


@points(2)
def test_encode_decode_round_trip_with_chinese(submission, gen):
    """encode/decode match the documented vocabulary, one id per character, exact round trip."""
    text = draw_text(gen)
    stoi, itos = reference_vocab(text)
    want = [stoi[ch] for ch in text]
    ids = expect_list(submission.encode(text, stoi), "encode(text, stoi)")
    check(
        len(ids) == len(text),
        f"encode: expected one id per character ({len(text)} code points, Chinese and emoji "
        f"included), got {len(ids)} ids: iterate over the str itself, not over its UTF-8 bytes",
    )
    for i in ids:
        expect_int(i, "every id returned by encode")
    check(ids == want, "encode: ids do not match stoi (ids[i] must be stoi[text[i]])")
    back = expect_str(submission.decode(want, itos), "decode(ids, itos)")
    check(
        back == text,
        f"decode: decode(encode(text)) differs from text (got {len(back)} characters for "
        f"{len(text)}): join itos[i] for i in ids with no separator",
    )
    # the candidate's own vocabulary round-trips too
    stoi_c, itos_c = candidate_vocab(submission, text)
    ids_c = expect_list(submission.encode(text, stoi_c), "encode(text, stoi)")
    back_c = expect_str(submission.decode(ids_c, itos_c), "decode(ids, itos)")
    check(back_c == text, "decode(encode(text, stoi), itos) with your build_vocab is not text")
