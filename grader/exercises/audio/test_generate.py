"""generate_audio with probe models whose next code the grader knows: it must call the model at
every step and read the last position [A-e], keep the prime, honour the temperature (0.5 and 2),
and draw with the generator it is given."""

import torch
from helpers import chain_model, chi_square_pvalue, constant_model

from grader.testing import check, expect_tensor, fail, points

P_MIN = 1e-6  # a correct sampler fails a chi-square test with this probability


def call_generate(submission, model, prime, n, temperature, g, device, Q):
    got = submission.generate_audio(model, prime.to(device), n, temperature, g)
    B, T0 = prime.shape
    what = f"generate_audio(model, prime of shape ({B}, {T0}), n={n}, temperature={temperature}, generator)"
    out = expect_tensor(got, what, dtype=torch.int64)
    check(
        tuple(out.shape) == (B, T0 + n),
        f"generate_audio: expected shape (B, T0 + n) = ({B}, {T0 + n}), got "
        f"{tuple(out.shape)}: return the prime followed by the n new codes",
    )
    check(
        torch.equal(out[:, :T0], prime),
        "generate_audio: the first T0 columns of the output must be the prime, unchanged",
    )
    check(bool(((out >= 0) & (out < Q)).all()), f"generate_audio: codes outside 0 .. {Q - 1}")
    return out


@points(3)
def test_generate_audio_follows_the_model(submission, gen, device):
    """A model that gives probability ~1 to perm[current code]: the output follows that chain."""
    Q = int(torch.randint(6, 20, (1,), generator=gen))
    model, perm = chain_model(submission, gen, Q, device)
    B, T0, n = 5, int(torch.randint(1, 6, (1,), generator=gen)), 16
    prime = torch.randint(Q, (B, T0), generator=gen)
    g = submission.make("torch.Generator", device=device).manual_seed(0)
    out = call_generate(submission, model, prime, n, 1.0, g, device, Q)
    want = prime
    for _ in range(n):
        want = torch.cat([want, perm[want[:, -1]][:, None]], dim=1)
    if torch.equal(out, want):
        return
    first = prime
    for _ in range(n):
        first = torch.cat([first, perm[first[:, 0]][:, None]], dim=1)
    if T0 > 1 and torch.equal(out, first):
        fail(
            "generate_audio: the next code is drawn from the logits at the first position; "
            "the prediction for the next code is at the last one, model(seq)[:, :, -1]"
        )
    follows = (out[:, T0:] == perm[out[:, T0 - 1 : -1]]).double().mean().item()
    fail(
        f"[A-e] generate_audio: with a model that gives probability ~1 to one next code, only "
        f"{follows:.0%} of the generated codes are that code: call the model on the codes so far "
        "at every step and sample from its last position, model(seq)[:, :, -1] (logits are "
        "(B, Q, T)); do not sample uniformly, repeat the prime, or ignore the model"
    )


@points(3)
def test_generate_audio_honours_the_temperature(submission, gen, device):
    """12000 draws at temperatures 0.5 and 2 follow softmax(logits / temperature) (chi-square)."""
    Q = int(torch.randint(5, 10, (1,), generator=gen))
    logits = 1.5 * torch.randn(Q, generator=gen)
    model = constant_model(submission, logits, device)
    B, n = 4000, 3
    prime = torch.randint(Q, (B, 2), generator=gen)
    g = submission.make("torch.Generator", device=device).manual_seed(1)
    for temperature in (0.5, 2.0):
        out = call_generate(submission, model, prime, n, temperature, g, device, Q)
        counts = torch.bincount(out[:, 2:].reshape(-1), minlength=Q)
        want = torch.softmax(logits.double() / temperature, dim=0)
        stat, p = chi_square_pvalue(counts, want)
        if p > P_MIN:
            continue
        freq = [round(c / (B * n), 3) for c in counts.tolist()]
        hint = (
            f"observed frequencies {freq}, expected softmax(logits / {temperature}) = "
            f"{[round(x, 3) for x in want.tolist()]} (chi-square {stat:.0f}, p = {p:.1e})"
        )
        alternatives = [
            (logits * temperature, "the logits are multiplied by the temperature; divide them"),
            (logits, "the temperature is ignored; sample from softmax(logits / temperature)"),
        ]
        for alt, text in alternatives:
            if chi_square_pvalue(counts, torch.softmax(alt.double(), dim=0))[1] > P_MIN:
                fail(f"generate_audio(temperature={temperature}): {text}: {hint}")
        if int(counts.max()) == B * n:
            fail(
                f"generate_audio(temperature={temperature}): every draw is the most likely code "
                f"(greedy): sample with torch.multinomial: {hint}"
            )
        fail(
            f"generate_audio(temperature={temperature}): the codes do not follow "
            f"softmax(logits / temperature) over the Q codes (dim 1 of the (B, Q, T) logits): {hint}"
        )


def test_generate_audio_uses_the_generator(submission, gen, seed, device):
    Q = int(torch.randint(5, 10, (1,), generator=gen))
    model = constant_model(submission, 0.5 * torch.randn(Q, generator=gen), device)
    prime = torch.randint(Q, (50, 3), generator=gen)
    outs = []
    for _ in range(2):
        g = submission.make("torch.Generator", device=device).manual_seed(seed)
        outs.append(call_generate(submission, model, prime, 8, 1.0, g, device, Q))
    check(
        torch.equal(outs[0], outs[1]),
        "generate_audio: two generators with the same seed gave different codes: pass "
        "`generator` to torch.multinomial",
    )
    check(
        not bool((outs[0][:, 3:] == outs[0][:, 3:4]).all()),
        "generate_audio: with a flat-ish distribution every generated code is the same: sample, "
        "do not take the argmax",
    )
