"""CharLM: the constructor contract, the (B, T, V) logits contract, and causality of the
candidate's own model (perturb future tokens, earlier logits must not move)."""

import torch

from grader.testing import check, expect_tensor, points


def build(submission, gen, device):
    V = int(torch.randint(5, 16, (1,), generator=gen))
    block = int(torch.randint(4, 13, (1,), generator=gen))
    model = submission.CharLM(vocab_size=V, block_size=block).to(device)
    model.eval()  # the grader's forward passes run without dropout
    return model, V, block


def test_charlm_returns_logits_of_shape_b_t_v(submission, gen, device):
    model, V, block = build(submission, gen, device)
    for T in sorted({1, int(torch.randint(1, block + 1, (1,), generator=gen)), block}):
        idx = torch.randint(V, (3, T), generator=gen)
        logits = model(idx.to(device))
        expect_tensor(
            logits,
            f"CharLM(vocab_size={V}, block_size={block})(idx of shape (3, {T}))",
            shape=(3, T, V),
            dtype=torch.float32,
            finite=True,
        )
        probabilities = bool((logits >= 0).all()) and torch.allclose(
            logits.double().sum(-1), torch.ones(3, T, dtype=torch.float64), atol=1e-4
        )
        check(
            not probabilities,
            "CharLM: forward returns probabilities (each row sums to 1); return raw logits "
            "and let the loss apply the (log-)softmax, otherwise it is applied twice",
        )


@points(3)
def test_charlm_does_not_see_the_future(submission, gen, device):
    """Row b is perturbed after position t_b: logits at positions <= t_b must not change."""
    model, V, block = build(submission, gen, device)
    B = 6
    idx = torch.randint(V, (B, block), generator=gen)
    cut = torch.randint(0, block - 1, (B,), generator=gen)  # last unchanged position per row
    future = torch.arange(block)[None, :] > cut[:, None]  # (B, T)
    shifted = (idx + torch.randint(1, V, (B, block), generator=gen)) % V  # differs everywhere
    idx2 = torch.where(future, shifted, idx)
    what = f"CharLM(vocab_size={V}, block_size={block})(idx)"
    logits = expect_tensor(
        model(idx.to(device)), what, shape=(B, block, V), dtype=torch.float32, finite=True
    )
    logits2 = expect_tensor(
        model(idx2.to(device)), what, shape=(B, block, V), dtype=torch.float32, finite=True
    )
    change = (logits - logits2).abs().amax(dim=-1)  # (B, T)
    leak = change.masked_fill(future, 0).max().item()
    b, t = divmod(int(change.masked_fill(future, 0).argmax()), block)
    check(
        leak <= 1e-4,
        f"CharLM: changing idx[{b}, {int(cut[b]) + 1}:] changed the logits at position {t} by "
        f"{leak:.3g}: the model sees the future. Every attention layer needs the causal mask "
        "(position t may attend only to positions <= t)",
    )
    check(
        change.masked_fill(~future, 0).max().item() > 1e-6,
        "CharLM: the logits do not change when the input tokens change: the model ignores idx",
    )
