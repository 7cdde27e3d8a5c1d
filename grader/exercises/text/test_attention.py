"""causal_attention against its closed form on random (B, H, T, D) inputs, and a leakage test."""

import torch
from helpers import reference_attention

from grader.testing import check, expect_tensor, fail, points


def draw_qkv(gen, scale=2.0):
    B, H = (int(v) for v in torch.randint(1, 4, (2,), generator=gen))
    T = int(torch.randint(3, 10, (1,), generator=gen))
    D = int(torch.randint(4, 17, (1,), generator=gen))
    return [scale * torch.randn(B, H, T, D, generator=gen) for _ in range(3)]


MISTAKES = [
    (dict(mask=False), "there is no causal mask: position t attends to positions after t"),
    (
        dict(mask="inverted"),
        "the mask is inverted (triu instead of tril): position t attends "
        "to itself and the future instead of itself and the past",
    ),
    (dict(scale="D"), "the scores are scaled by 1/D instead of 1/sqrt(D)"),
    (dict(scale="none"), "the scores are not scaled by 1/sqrt(D)"),
    (
        dict(softmax_dim=-2),
        "the softmax runs over the query axis (dim=-2) instead of the key axis (dim=-1)",
    ),
    (dict(mask=False, softmax_dim=-2), "no causal mask, and the softmax runs over dim=-2"),
]


@points(2)
def test_causal_attention_closed_form(submission, gen, device):
    """out = softmax(q k^T / sqrt(D) + mask) v, softmax over the keys, mask s > t."""
    q, k, v = draw_qkv(gen)
    got = submission.causal_attention(q.to(device), k.to(device), v.to(device))
    expect_tensor(
        got, "causal_attention(q, k, v)", shape=tuple(q.shape), dtype=torch.float32, finite=True
    )
    want = reference_attention(q, k, v)
    if torch.allclose(got.double(), want, atol=1e-4, rtol=1e-4):
        return
    for mistake, text in MISTAKES:
        if torch.allclose(
            got.double(), reference_attention(q, k, v, **mistake), atol=1e-4, rtol=1e-4
        ):
            fail(f"causal_attention: {text}")
    worst = (got.double() - want).abs().max().item()
    fail(
        "causal_attention: does not equal softmax(q @ k^T / sqrt(D) with -inf above the diagonal, "
        f"dim=-1) @ v (largest difference {worst:.3g})"
    )


@points(2)
def test_causal_attention_does_not_see_the_future(submission, gen, device):
    """Changing q, k, v at positions after t leaves the outputs at positions <= t unchanged."""
    q, k, v = draw_qkv(gen)
    T = q.size(2)
    t = int(torch.randint(0, T - 1, (1,), generator=gen))
    q2, k2, v2 = (x.clone() for x in (q, k, v))
    for x in (q2, k2, v2):
        x[:, :, t + 1 :] = 3 * torch.randn(x[:, :, t + 1 :].shape, generator=gen)
    out = submission.causal_attention(q.to(device), k.to(device), v.to(device))
    out2 = submission.causal_attention(q2.to(device), k2.to(device), v2.to(device))
    for o in (out, out2):
        expect_tensor(
            o, "causal_attention(q, k, v)", shape=tuple(q.shape), dtype=torch.float32, finite=True
        )
    diff = (out[:, :, : t + 1] - out2[:, :, : t + 1]).abs().max().item()
    check(
        diff <= 1e-5,
        f"causal_attention: changing the inputs at positions > {t} changed the outputs at "
        f"positions <= {t} (by up to {diff:.3g}): the attention sees the future; mask the "
        "scores where key position s > query position t (with -inf, before the softmax)",
    )
    check(
        torch.allclose(out[:, :, 0].double(), v[:, :, 0].double(), atol=1e-5),
        "causal_attention: position 0 can only attend to itself, so out[..., 0, :] must equal "
        "v[..., 0, :]",
    )
