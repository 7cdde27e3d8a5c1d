"""wavenet_train_step, checked exactly: the grader hands it a small model whose weights it knows
(codes -> (B, Q, T) logits), replays two SGD steps itself, and compares the weights."""

import copy

import torch
from helpers import probe_net, reference_sgd_step

from grader.testing import expect_close, expect_float, fail, points, same_state

LR = 0.5


def replay(here, batches, **mistake):
    model = copy.deepcopy(here)
    out = []
    for x, y in batches:
        loss = reference_sgd_step(model, LR, x, y, **mistake)
        out.append((loss, {k: v.detach().clone() for k, v in model.net.state_dict().items()}))
    return out


@points(3)
def test_wavenet_train_step_is_one_optimizer_step(submission, gen, device):
    """Two SGD steps match the grader's replay: zero_grad, cross-entropy over (B, Q, T), step."""
    Q, E = int(torch.randint(5, 12, (1,), generator=gen)), 4
    model, here = probe_net(submission, gen, Q, E, device)
    opt = submission.make("torch.optim.SGD", model.parameters(), lr=LR)
    T = Q + 3  # T != Q, so a wrong reshape cannot line up by chance
    batches = [
        (torch.randint(Q, (3, T), generator=gen), torch.randint(Q, (3, T), generator=gen))
        for _ in range(2)
    ]
    want = replay(here, batches)
    for step, ((x, y), (want_loss, want_state)) in enumerate(zip(batches, want), 1):
        loss = expect_float(
            submission.wavenet_train_step(model, opt, x.to(device), y.to(device)),
            "wavenet_train_step(model, opt, x, y)",
        )
        state = model.state_dict()
        if not same_state(state, want_state):
            if step == 1 and same_state(state, dict(here.net.state_dict())):
                fail(
                    "wavenet_train_step: the weights did not change: call loss.backward() and "
                    "then opt.step()"
                )
            if step == 2 and same_state(state, replay(here, batches, zero_grad=False)[1][1]):
                fail(
                    "wavenet_train_step: gradients accumulate across steps: call "
                    "opt.zero_grad() before loss.backward()"
                )
            if same_state(
                state, replay(here, batches, variant="flat-without-transpose")[step - 1][1]
            ):
                fail(
                    "wavenet_train_step: the logits (B, Q, T) were flattened with "
                    "reshape(-1, Q), which pairs codes with the wrong positions: pass them to "
                    "F.cross_entropy(logits, y) as they are, or transpose(1, 2) first"
                )
            if same_state(state, replay(here, batches, variant="bce-one-hot")[step - 1][1]):
                fail(
                    "[A-c] wavenet_train_step: a sigmoid / binary cross-entropy per code is not "
                    "a distribution over the Q codes: use the softmax cross-entropy "
                    "F.cross_entropy(logits, y)"
                )
            fail(
                f"wavenet_train_step (step {step}): the new weights are not one optimizer step "
                "on F.cross_entropy(model(x), y)"
            )
        expect_close(
            loss,
            want_loss,
            "wavenet_train_step: the returned float is not F.cross_entropy(model(x), y) "
            "computed before the step",
            atol=1e-4,
        )
