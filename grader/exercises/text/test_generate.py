"""generate with probe models whose next token the grader knows: it must call the model at every
step [T-g], read the last position, keep the prefix, and crop the context to block_size."""

import torch
from helpers import chain_model, simulate_window_max, window_max_model

from grader.testing import check, expect_tensor, fail, points


def call_generate(submission, model, prefix, n, temperature, top_k, block_size, g, device, V):
    got = submission.generate(model, prefix.to(device), n, temperature, top_k, block_size, g)
    B, T0 = prefix.shape
    what = f"generate(model, prefix of shape ({B}, {T0}), n={n}, ...)"
    out = expect_tensor(got, what, dtype=torch.int64)
    check(
        tuple(out.shape) == (B, T0 + n),
        f"generate: expected shape (B, T0 + n) = ({B}, {T0 + n}), got {tuple(out.shape)}: return "
        "the prefix followed by the n new tokens",
    )
    check(
        torch.equal(out[:, :T0], prefix),
        "generate: the first T0 columns of the output must be the prefix, unchanged",
    )
    check(bool(((out >= 0) & (out < V)).all()), f"generate: token ids outside 0 .. {V - 1}")
    return out


@points(3)
def test_generate_follows_the_model(submission, gen, device):
    """A model that puts all its mass on perm[last token]: the output must follow that chain [T-g]."""
    V = int(torch.randint(6, 14, (1,), generator=gen))
    model, perm = chain_model(submission, gen, V, device)
    B, T0, n = 5, int(torch.randint(1, 5, (1,), generator=gen)), 12
    prefix = torch.randint(V, (B, T0), generator=gen)
    g = submission.make("torch.Generator", device=device).manual_seed(0)
    out = call_generate(submission, model, prefix, n, 1.0, None, T0 + n, g, device, V)
    want = prefix
    for _ in range(n):
        want = torch.cat([want, perm[want[:, -1]][:, None]], dim=1)
    if torch.equal(out, want):
        return
    first_pos = prefix
    for _ in range(n):
        first_pos = torch.cat([first_pos, perm[first_pos[:, 0]][:, None]], dim=1)
    if torch.equal(out, first_pos):
        fail(
            "generate: the next token is sampled from logits[:, 0] (the first position); "
            "the prediction for the next token is at the last position, logits[:, -1, :]"
        )
    follows = (out[:, T0:] == perm[out[:, T0 - 1 : -1]]).double().mean().item()
    fail(
        f"[T-g] generate: with a model that gives probability ~1 to one next token, only "
        f"{follows:.0%} of the generated tokens are that token: call the model on the current "
        "sequence at every step and sample from its last-position logits (do not sample "
        "uniformly or from anything that ignores the model)"
    )


@points(2)
def test_generate_crops_the_context_to_block_size(submission, gen, device):
    """The model must see exactly the last block_size tokens: probe = perm[max(window)]."""
    V = int(torch.randint(6, 14, (1,), generator=gen))
    model, perm = window_max_model(submission, gen, V, device)
    B, block, n = 6, int(torch.randint(2, 5, (1,), generator=gen)), 10
    T0 = block + int(torch.randint(2, 5, (1,), generator=gen))
    prefix = torch.randint(V - 1, (B, T0), generator=gen)  # the largest token V-1 only at 0
    prefix[:, 0] = V - 1
    g = submission.make("torch.Generator", device=device).manual_seed(0)
    out = call_generate(submission, model, prefix, n, 1.0, None, block, g, device, V)
    want = simulate_window_max(prefix, perm, n, lambda s: s[:, -block:])
    if torch.equal(out, want):
        return
    variants = [
        (lambda s: s, "the model sees the whole sequence: crop it to idx[:, -block_size:]"),
        (
            lambda s: s[:, :block],
            "the model sees the FIRST block_size tokens; crop to the last "
            "ones, idx[:, -block_size:]",
        ),
        (lambda s: s[:, -(block + 1) :], "the model sees block_size + 1 tokens (off by one)"),
        (lambda s: s[:, -(block - 1) :], "the model sees block_size - 1 tokens (off by one)"),
    ]
    for crop, text in variants:
        if torch.equal(out, simulate_window_max(prefix, perm, n, crop)):
            fail(f"generate: {text}")
    fail(
        "generate: the generated tokens are not what the model predicts from the last "
        "block_size tokens"
    )


def test_generate_with_charlm_and_a_long_prefix(submission, gen, device):
    """Your CharLM with a small block_size and a prefix longer than it: generate must crop."""
    V, block = int(torch.randint(5, 12, (1,), generator=gen)), 4
    model = submission.CharLM(vocab_size=V, block_size=block).to(device)
    model.eval()
    prefix = torch.randint(V, (3, 3 * block), generator=gen)
    g = submission.make("torch.Generator", device=device).manual_seed(0)
    call_generate(submission, model, prefix, 6, 0.8, 3, block, g, device, V)
