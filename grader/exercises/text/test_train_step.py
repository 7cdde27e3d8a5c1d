"""lm_train_step, checked exactly on a probe model whose weights the grader knows (it replays two
SGD steps itself), then on the candidate's CharLM (the loss must go down)."""

import copy

import torch
from helpers import probe_lm, reference_sgd_step

from grader.testing import (
    check,
    expect_close,
    expect_float,
    expect_tensor,
    fail,
    points,
    same_state,
)

LR = 0.5


def replay(here, batches, zero_grad=True):
    model = copy.deepcopy(here)
    out = []
    for x, y in batches:
        loss = reference_sgd_step(model, LR, x, y, zero_grad=zero_grad)
        out.append((loss, {k: v.detach().clone() for k, v in model.net.state_dict().items()}))
    return out


@points(3)
def test_lm_train_step_is_one_optimizer_step(submission, gen, device):
    """Two steps with SGD match the grader's replay: zero_grad, backward on lm_loss, step."""
    V, E = int(torch.randint(5, 10, (1,), generator=gen)), 4
    model, here = probe_lm(submission, gen, V, E, device)
    opt = submission.make("torch.optim.SGD", model.parameters(), lr=LR)
    batches = [
        (torch.randint(V, (3, 5), generator=gen), torch.randint(V, (3, 5), generator=gen))
        for _ in range(2)
    ]
    want = replay(here, batches)
    for step, ((x, y), (want_loss, want_state)) in enumerate(zip(batches, want), 1):
        loss = expect_float(
            submission.lm_train_step(model, opt, x.to(device), y.to(device)),
            "lm_train_step(model, opt, x, y)",
        )
        state = model.state_dict()
        if not same_state(state, want_state):
            if step == 1 and same_state(state, dict(here.net.state_dict())):
                fail(
                    "lm_train_step: the weights did not change: call loss.backward() and then "
                    "opt.step() (zero the gradients before backward, not between backward and step)"
                )
            if step == 2 and same_state(state, replay(here, batches, zero_grad=False)[1][1]):
                fail(
                    "lm_train_step: gradients accumulate across steps: call opt.zero_grad() "
                    "before loss.backward()"
                )
            fail(
                f"lm_train_step (step {step}): the new weights are not one optimizer step on "
                "lm_loss(model(x), y)"
            )
        expect_close(
            loss,
            want_loss,
            "lm_train_step: the returned float is not lm_loss(model(x), y) "
            "computed before the step",
            atol=1e-4,
        )


def test_lm_train_step_lowers_the_loss_of_charlm(submission, gen, device):
    """30 AdamW steps on one fixed batch: your CharLM's loss goes down and its weights change."""
    V, block = int(torch.randint(5, 12, (1,), generator=gen)), 8
    model = submission.CharLM(vocab_size=V, block_size=block).to(device)
    before = model.state_dict()
    opt = submission.make("torch.optim.AdamW", model.parameters(), lr=3e-3)
    x = torch.randint(V, (8, block), generator=gen)
    y = torch.randint(V, (8, block), generator=gen)
    losses = submission.lm_train_step.map([(model, opt, x.to(device), y.to(device))] * 30)
    for i, loss in enumerate(losses):
        expect_float(loss, f"lm_train_step (call {i + 1})")
    after = model.state_dict()
    changed = any(
        type(after.get(k)) is torch.Tensor and not torch.equal(after[k], v)
        for k, v in before.items()
        if type(v) is torch.Tensor
    )
    check(changed, "lm_train_step: 30 steps did not change CharLM's weights")
    check(
        losses[-1] < losses[0] - 0.05,
        f"lm_train_step: 30 steps on one batch moved the loss from {losses[0]:.3f} to "
        f"{losses[-1]:.3f}: training does not reduce lm_loss",
    )
    model.eval()
    expect_tensor(
        model(x.to(device)),
        "CharLM(...)(x) after training",
        shape=(8, block, V),
        dtype=torch.float32,
        finite=True,
    )
