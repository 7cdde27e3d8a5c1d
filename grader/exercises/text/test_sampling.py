"""next_token_probs (temperature != 1, top-k) against closed forms; sample_next's empirical
frequencies against the grader's probabilities (chi-square), top-k support, and the generator."""

import torch
from helpers import chi_square_pvalue, reference_probs

from grader.testing import check, expect_close, expect_tensor, fail, points

P_MIN = 1e-6  # a correct sampler fails a chi-square test with this probability


def draw_logits(gen, rows=None):
    B = rows or int(torch.randint(3, 9, (1,), generator=gen))
    V = int(torch.randint(6, 16, (1,), generator=gen))
    return 1.5 * torch.randn(B, V, generator=gen)


def call_probs(submission, logits, temperature, top_k, device):
    got = submission.next_token_probs(logits.to(device), temperature, top_k)
    what = f"next_token_probs(logits, temperature={temperature}, top_k={top_k})"
    return expect_tensor(got, what, shape=tuple(logits.shape), dtype=torch.float32, finite=True)


@points(2)
def test_next_token_probs_temperature(submission, gen, device):
    """softmax(logits / temperature) at temperatures 0.5 and 2.0 (and 1.0)."""
    logits = draw_logits(gen)
    for temperature in (0.5, 2.0, 1.0):
        got = call_probs(submission, logits, temperature, None, device).double()
        want = reference_probs(logits, temperature, None)
        if torch.allclose(got, want, atol=1e-5):
            continue
        hint = "divide the logits by the temperature before the softmax"
        if torch.allclose(got, torch.softmax(logits.double() * temperature, -1), atol=1e-5):
            fail(f"next_token_probs: the logits are multiplied by the temperature: {hint}")
        if torch.allclose(got, torch.softmax(logits.double(), -1) / temperature, atol=1e-5):
            fail(
                f"next_token_probs: the temperature divides the probabilities after the softmax "
                f"(rows no longer sum to 1): {hint}"
            )
        if temperature != 1.0 and torch.allclose(
            got, torch.softmax(logits.double(), -1), atol=1e-5
        ):
            fail(f"next_token_probs: the temperature is ignored: {hint}")
        expect_close(
            got,
            want,
            f"next_token_probs: at temperature {temperature}, not softmax(logits / temperature)",
        )


@points(2)
def test_next_token_probs_top_k(submission, gen, device):
    """Zero outside the k largest logits, renormalized; k = 1 is greedy, k >= V keeps all."""
    logits = draw_logits(gen)
    V = logits.size(1)
    k = int(torch.randint(2, V - 1, (1,), generator=gen))
    for temperature, top_k in ((0.7, k), (1.6, 1), (1.3, V), (0.8, k + 1)):
        got = call_probs(submission, logits, temperature, top_k, device).double()
        want = reference_probs(logits, temperature, top_k)
        if torch.allclose(got, want, atol=1e-5):
            continue
        kept = (got > 0).sum(dim=1)
        if top_k < V and torch.allclose(
            got, reference_probs(logits, temperature, top_k, False), atol=1e-5
        ):
            fail(
                f"next_token_probs: with top_k={top_k} the kept probabilities are not "
                "renormalized (rows sum to less than 1): divide by their sum, or mask the "
                "logits with -inf before the softmax"
            )
        if top_k < V and bool((kept != min(top_k, V)).all()):
            fail(
                f"next_token_probs: with top_k={top_k} each row keeps {kept.tolist()} tokens "
                f"(off by one?): keep exactly the {top_k} largest logits"
            )
        expect_close(
            got,
            want,
            f"next_token_probs: wrong probabilities at temperature {temperature}, top_k={top_k}",
        )


def draw_counts(submission, logits_row, temperature, top_k, n, gen_handle, device):
    logits = logits_row[None, :].expand(n, -1).contiguous()
    got = submission.sample_next(logits.to(device), temperature, top_k, gen_handle)
    what = (
        f"sample_next(logits of shape ({n}, {logits.size(1)}), {temperature}, {top_k}, generator)"
    )
    draws = expect_tensor(got, what, shape=(n,), dtype=torch.int64)
    V = logits.size(1)
    check(
        bool(((draws >= 0) & (draws < V)).all()),
        f"sample_next: drew token ids outside 0 .. {V - 1}",
    )
    return draws, torch.bincount(draws, minlength=V)


@points(3)
def test_sample_next_follows_next_token_probs(submission, gen, device):
    """20000 draws per setting match the grader's probabilities (chi-square, p > 1e-6)."""
    row = draw_logits(gen, rows=1)[0]
    V = row.numel()
    k = int(torch.randint(2, V - 1, (1,), generator=gen))
    g = submission.make("torch.Generator", device=device).manual_seed(5)
    for temperature, top_k in ((0.6, None), (2.0, k)):
        _, counts = draw_counts(submission, row, temperature, top_k, 20000, g, device)
        want = reference_probs(row[None], temperature, top_k)[0]
        outside = int(counts[want == 0].sum())
        check(
            outside == 0,
            f"sample_next: with top_k={top_k}, {outside} of 20000 draws fell outside the top "
            f"{top_k} tokens",
        )
        stat, p = chi_square_pvalue(counts, want)
        freq = [round(c / 20000, 3) for c in counts.tolist()]
        check(
            p > P_MIN,
            f"sample_next(temperature={temperature}, top_k={top_k}): the draws do not follow "
            f"next_token_probs: observed frequencies {freq}, expected "
            f"{[round(x, 3) for x in want.tolist()]} (chi-square {stat:.0f}, p = {p:.1e}); "
            "sample with torch.multinomial(probs, 1)",
        )


def test_sample_next_uses_the_generator(submission, gen, seed, device):
    row = draw_logits(gen, rows=1)[0]
    draws = []
    for _ in range(2):
        g = submission.make("torch.Generator", device=device).manual_seed(seed)
        draws.append(draw_counts(submission, row, 1.0, None, 200, g, device)[0])
    check(
        torch.equal(draws[0], draws[1]),
        "sample_next: two generators with the same seed gave different draws: pass "
        "`generator` to torch.multinomial",
    )
