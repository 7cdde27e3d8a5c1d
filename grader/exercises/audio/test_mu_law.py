"""mu_law_encode / mu_law_decode against the closed forms, at Q = 256 and at a Q drawn now:
dtypes, ranges, rounding, monotonicity, companding, and the round-trip error bound [A-a, A-e]."""

import torch
from helpers import mu_law_value, reference_decode, reference_encode, round_trip_bound

from grader.testing import check, expect_close, expect_tensor, fail, points


def draw_q(gen):
    """256 and a smaller Q drawn now (odd or even)."""
    return [256, int(torch.randint(5, 100, (1,), generator=gen))]


def draw_waveform(gen, n=3003):
    """Values across [-1, 1], many tiny ones, the exact ends, and a few beyond +-1 (clamped)."""
    x = torch.cat(
        [
            torch.rand(n, generator=gen) * 2 - 1,
            (torch.rand(n // 3, generator=gen) * 2 - 1) * 0.02,
            torch.tensor([-1.0, 1.0, 0.0]),
            torch.tensor([-1.7, 1.3, 2.5, -4.0]),
        ]
    )
    return x[torch.randperm(x.numel(), generator=gen)].reshape(-1, 1, 7)  # (573, 1, 7)


def codes_match(got: torch.Tensor, value: torch.Tensor) -> bool:
    """got == floor(value), allowing +-1 only where value is within 1e-4 of an integer."""
    lo, hi = (value - 1e-4).floor().long(), (value + 1e-4).floor().long()
    return bool(((got == lo) | (got == hi)).all())


@points(2)
def test_mu_law_encode_closed_form(submission, gen, device):
    x = draw_waveform(gen)
    for Q in draw_q(gen):
        got = submission.mu_law_encode(x.to(device), Q)
        what = f"mu_law_encode(x, Q={Q})"
        expect_tensor(got, what, shape=tuple(x.shape), dtype=torch.int64)
        if codes_match(got, mu_law_value(x, Q)):
            continue
        if codes_match(got, mu_law_value(x, Q, mu=Q)) or codes_match(
            got, mu_law_value(x, Q, mu=Q - 2)
        ):
            fail(f"{what}: wrong mu: use mu = Q - 1 = {Q - 1} (codes 0 .. Q - 1)")
        if codes_match(got, mu_law_value(x, Q, clamp=False)):
            fail(
                f"{what}: samples beyond [-1, 1] give codes from {int(got.min())} to "
                f"{int(got.max())}: clamp x to [-1, 1] before companding"
            )
        inside = (got >= 0) & (got < Q)
        if not bool(inside.all()):
            bad = got[~inside]
            fail(
                f"[A-a] {what}: codes must lie in 0 .. {Q - 1}, got values from {int(bad.min())} "
                f"to {int(bad.max())}: floats are not tokens; clamp x to [-1, 1], compand with "
                "mu-law and quantize (F + 1) / 2 * mu + 0.5 down to an integer"
            )
        if codes_match(got, mu_law_value(x, Q, companding=False)):
            fail(
                f"[A-a] {what}: the codes are a uniform quantization of x: apply the mu-law "
                "companding F = sign(x) ln(1 + mu|x|) / ln(1 + mu) before quantizing"
            )
        if codes_match(got, mu_law_value(x, Q) - 0.5):
            fail(
                f"{what}: the codes are truncated (floor without + 0.5); the convention rounds "
                "half up: floor((F + 1) / 2 * mu + 0.5)"
            )
        wrong = (got != reference_encode(x, Q)).double().mean().item()
        fail(
            f"{what}: {wrong:.1%} of the codes differ from floor((F + 1) / 2 * mu + 0.5) with "
            "F = sign(x) ln(1 + mu|x|) / ln(1 + mu), mu = Q - 1, x clamped to [-1, 1]"
        )


def test_mu_law_encode_is_monotone_and_uses_every_code(submission, gen, device):
    for Q in draw_q(gen):
        x = torch.linspace(-1, 1, 20001)
        got = submission.mu_law_encode(x.to(device), Q)
        what = f"mu_law_encode(torch.linspace(-1, 1, 20001), Q={Q})"
        expect_tensor(got, what, shape=(20001,), dtype=torch.int64)
        check(
            bool((got[1:] >= got[:-1]).all()),
            f"{what}: the codes are not non-decreasing in x (mu-law encoding is monotone)",
        )
        check(
            int(got[0]) == 0 and int(got[-1]) == Q - 1,
            f"{what}: -1 must map to code 0 and 1 to code {Q - 1}, got {int(got[0])} and "
            f"{int(got[-1])}",
        )
        used = torch.unique(got).numel()
        check(used == Q, f"{what}: only {used} of the {Q} codes are used")


def test_mu_law_encode_gives_small_amplitudes_more_codes(submission, device):
    """Companding: |x| <= 0.1 gets ~150 of 256 codes under mu-law, ~26 under a uniform grid."""
    x = torch.linspace(-0.1, 0.1, 20001)
    got = submission.mu_law_encode(x.to(device), 256)
    expect_tensor(got, "mu_law_encode(x, Q=256)", shape=(20001,), dtype=torch.int64)
    used, want = torch.unique(got).numel(), torch.unique(reference_encode(x, 256)).numel()
    check(
        used >= want - 2,
        f"[A-a] mu_law_encode: the amplitudes |x| <= 0.1 get {used} distinct codes of 256; "
        f"mu-law companding gives them {want} (a uniform quantizer only ~26): apply "
        "F = sign(x) ln(1 + mu|x|) / ln(1 + mu) before quantizing",
    )


@points(2)
def test_mu_law_decode_closed_form(submission, gen, device):
    for Q in draw_q(gen):
        q = torch.arange(Q)[torch.randperm(Q, generator=gen)].reshape(1, Q, 1).repeat(2, 1, 3)
        what = f"mu_law_decode(codes, Q={Q})"
        got = submission.mu_law_decode(q.to(device), Q)
        expect_tensor(got, what, shape=tuple(q.shape), dtype=torch.float32, finite=True)
        want = reference_decode(q, Q)
        if torch.allclose(got.double(), q.double()) or float(got.abs().max()) > 1 + 1e-5:
            fail(
                f"[A-e] {what} returns values from {float(got.min()):.3g} to "
                f"{float(got.max()):.3g}: it must return a waveform in [-1, 1], not the codes "
                "(F = 2 q / mu - 1, then expand with ((1 + mu)^|F| - 1) / mu)"
            )
        if torch.allclose(got.double(), 2 * q.double() / (Q - 1) - 1, atol=1e-5):
            fail(
                f"{what}: returns F = 2 q / mu - 1 without the mu-law expansion "
                "x = sign(F) ((1 + mu)^|F| - 1) / mu"
            )
        expect_close(
            got,
            want,
            f"{what}: should be sign(F) ((1 + mu)^|F| - 1) / mu with F = 2 q / mu - 1, mu = Q - 1",
            atol=2e-6,
        )


@points(2)
def test_mu_law_round_trip(submission, gen, device):
    """decode(encode(x)) is within half a code step of x; encode(decode(q)) == q exactly."""
    for Q in draw_q(gen):
        x = torch.cat(
            [torch.rand(2000, generator=gen) * 2 - 1, torch.randn(500, generator=gen) * 1e-3]
        )
        x = x.clamp(-1, 1)
        codes = submission.mu_law_encode(x.to(device), Q)
        expect_tensor(codes, f"mu_law_encode(x, Q={Q})", shape=(2500,), dtype=torch.int64)
        back = submission.mu_law_decode(codes.to(device), Q)
        expect_tensor(back, f"mu_law_decode(codes, Q={Q})", shape=(2500,), dtype=torch.float32)
        err = (back.double() - x.double()).abs()
        excess = err - (1.001 * round_trip_bound(x, Q) + 1e-6)
        worst = int(excess.argmax())
        check(
            bool((excess <= 0).all()),
            f"mu_law_decode(mu_law_encode(x, Q={Q}), Q={Q}) is off by {float(err[worst]):.3g} "
            f"at x = {float(x[worst]):.4g}, more than half a mu-law step "
            f"({float(round_trip_bound(x[worst : worst + 1], Q)):.3g}); decode must invert "
            "encode",
        )
        q = torch.arange(Q)
        wave = submission.mu_law_decode(q.to(device), Q)
        expect_tensor(wave, f"mu_law_decode(codes, Q={Q})", shape=(Q,), dtype=torch.float32)
        again = submission.mu_law_encode(wave.to(device), Q)
        expect_tensor(again, f"mu_law_encode(decoded, Q={Q})", shape=(Q,), dtype=torch.int64)
        check(
            torch.equal(again, q),
            f"mu_law_encode(mu_law_decode(q, Q={Q}), Q={Q}) != q for "
            f"{int((again != q).sum())} of the {Q} codes: decoding must return the centre of "
            "each code's interval",
        )
