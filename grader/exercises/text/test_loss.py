"""lm_loss against the closed form (mean cross-entropy over B * T positions) and its gradient."""

import torch
import torch.nn.functional as F
from helpers import reference_lm_loss

from grader.testing import check, expect_close, expect_tensor, fail, points


def draw(gen):
    B = int(torch.randint(2, 6, (1,), generator=gen))
    T = B + int(torch.randint(1, 6, (1,), generator=gen))  # B != T: a transposed reshape shows
    V = int(torch.randint(5, 20, (1,), generator=gen))
    return 2 * torch.randn(B, T, V, generator=gen), torch.randint(V, (B, T), generator=gen)


def mistakes(logits, y):
    B, T, V = logits.shape
    lg = logits.double()
    flat = lg.reshape(-1, V)
    return [
        (
            F.cross_entropy(torch.softmax(flat, -1), y.reshape(-1)),
            "the logits go through a softmax before F.cross_entropy (double softmax): "
            "cross_entropy takes raw logits",
        ),
        (
            F.cross_entropy(flat, y.reshape(-1), reduction="sum"),
            "the loss is a sum over positions; take the mean over the B * T positions",
        ),
        (
            F.cross_entropy(lg.transpose(0, 1).reshape(-1, V), y.reshape(-1)),
            "the logits and the targets are flattened in different orders (wrong reshape)",
        ),
        (
            F.cross_entropy(lg[:, -1], y[:, -1]),
            "[T-e] only the last position is scored; every position t predicts y[:, t]",
        ),
        (
            F.nll_loss(flat, y.reshape(-1)),
            "the logits are used as log-probabilities (no log_softmax)",
        ),
    ]


@points(2)
def test_lm_loss_closed_form(submission, gen, device):
    """lm_loss = mean over b, t of -log softmax(logits[b, t])[y[b, t]]."""
    logits, y = draw(gen)
    got = submission.lm_loss(logits.to(device), y.to(device))
    expect_tensor(got, "lm_loss(logits, y)", shape=(), dtype=torch.float32, finite=True)
    want = reference_lm_loss(logits, y)
    if torch.allclose(got.double(), want, atol=1e-4, rtol=1e-4):
        return
    for value, text in mistakes(logits, y):
        if torch.allclose(got.double(), value, atol=1e-4, rtol=1e-4):
            fail(f"lm_loss: {text}")
    expect_close(
        got, want, "lm_loss: not the mean cross-entropy (nats) over the B * T positions", atol=1e-4
    )


def test_lm_loss_has_the_right_gradient(submission, gen, device):
    """d lm_loss / d logits = (softmax(logits) - onehot(y)) / (B * T)."""
    logits, y = draw(gen)
    _, (grad,) = submission.autograd("lm_loss", logits.to(device), y.to(device), wrt=(0,))
    check(
        grad is not None,
        "lm_loss: no gradient reaches the logits (no .item(), .detach(), numpy or no_grad)",
    )
    B, T, V = logits.shape
    want = (torch.softmax(logits.double(), -1) - F.one_hot(y, V).double()) / (B * T)
    expect_close(grad, want, "lm_loss: wrong gradient with respect to the logits", atol=1e-6)
