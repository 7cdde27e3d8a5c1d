"""WaveNetLite: the constructor contract, (B, Q, T) logits, no leakage from future codes, use of
the current code, and a finite receptive field that matches its `receptive_field` attribute.
A convolution that sees the future trains to a great loss; only these tests reveal it."""

import torch

from grader.testing import check, expect_int, expect_tensor, fail, points

MIN_RF, MAX_RF = 32, 512


def build(submission, device, Q):
    model = submission.WaveNetLite(Q=Q).to(device)
    model.eval()
    return model


def logits_of(model, codes, device, Q, what="WaveNetLite(Q)(codes)"):
    B, T = codes.shape
    out = model(codes.to(device))
    expect_tensor(out, what, dtype=torch.float32)
    if tuple(out.shape) == (B, T, Q):
        fail(
            f"{what}: got shape (B, T, Q) = {tuple(out.shape)}; return (B, Q, T) = "
            f"{(B, Q, T)}, codes on dim 1 as F.cross_entropy expects (transpose(1, 2))"
        )
    return expect_tensor(out, what, shape=(B, Q, T), dtype=torch.float32, finite=True).double()


@points(2)
def test_wavenet_returns_logits_of_shape_b_q_t(submission, gen, device):
    Q = int(torch.randint(16, 80, (1,), generator=gen))
    T = Q + int(torch.randint(3, 30, (1,), generator=gen))
    model = build(submission, device, Q)
    codes = torch.randint(Q, (3, T), generator=gen)
    out = logits_of(model, codes, device, Q, f"WaveNetLite(Q={Q})(codes of shape (3, {T}))")
    probabilities = bool((out >= 0).all()) and torch.allclose(
        out.sum(dim=1), torch.ones(3, T, dtype=torch.float64), atol=1e-4
    )
    check(
        not probabilities,
        "WaveNetLite: the outputs are probabilities (non-negative, summing to 1 over the codes); "
        "return logits and let F.cross_entropy / the sampler apply the softmax",
    )
    check(
        float(out.std(dim=1).mean()) > 1e-6,
        "WaveNetLite: the logits are the same for every code",
    )


@points(3)
def test_wavenet_does_not_see_the_future(submission, gen, device):
    """Future codes never move earlier logits; the code at t always moves the logits at t.

    The logits at t predict code t + 1 from the codes <= t, the current one included."""
    Q = int(torch.randint(16, 64, (1,), generator=gen))
    T = 120
    model = build(submission, device, Q)
    base = torch.randint(Q, (T,), generator=gen)
    rows = [base]
    cuts = torch.randint(10, T - 10, (3,), generator=gen).tolist()
    for t in cuts:
        future = base.clone()
        future[t + 1 :] = (base[t + 1 :] + torch.randint(1, Q, (T - t - 1,), generator=gen)) % Q
        rows.append(future)
    for t in cuts:
        current = base.clone()
        current[t] = (base[t] + int(torch.randint(1, Q, (1,), generator=gen))) % Q
        rows.append(current)
    out = logits_of(model, torch.stack(rows), device, Q)
    scale = float(out[0].abs().max()) + 1e-12
    for i, t in enumerate(cuts):
        moved = (out[1 + i] - out[0]).abs().amax(dim=0) > 1e-6 * scale  # (T,)
        if bool(moved[: t + 1].any()):
            first = int(moved.nonzero()[0])
            fail(
                f"WaveNetLite leaks the future: changing the codes after position {t} changed "
                f"the logits at position {first} <= {t}. The logits at t predict code t + 1 and "
                "must depend only on codes <= t: a convolution sees the future ('same' or right "
                "padding, or a non-causal layer). The training loss cannot reveal this [A-d]"
            )
    for i, t in enumerate(cuts):
        moved = (out[1 + len(cuts) + i] - out[0]).abs().amax(dim=0) > 1e-6 * scale
        check(
            bool(moved[t]),
            f"WaveNetLite: the logits at position {t} do not depend on the code at {t}: they "
            "predict code t + 1 and must use every code <= t, the current one included (is the "
            "input shifted twice?)",
        )


@points(2)
def test_wavenet_receptive_field_is_finite_and_declared(submission, gen, device):
    """Measured by perturbing one code: the farthest logits it moves define the receptive field."""
    Q = int(torch.randint(16, 64, (1,), generator=gen))
    s, T = 4, 4 + MAX_RF + 40
    model = build(submission, device, Q)
    base = torch.randint(Q, (T,), generator=gen)
    rows = [base]
    for _ in range(2):
        other = base.clone()
        other[s] = (base[s] + int(torch.randint(1, Q, (1,), generator=gen))) % Q
        rows.append(other)
    out = logits_of(model, torch.stack(rows), device, Q)
    scale = float(out[0].abs().max()) + 1e-12
    # the last codes of the window move the logits by ~1e-6 of their scale: only exact zeros
    # (what a causal computation gives outside its window) count as "not moved"
    moved = ((out[1:] - out[:1]).abs().amax(dim=(0, 1)) > 1e-9 * scale).nonzero().flatten()
    check(moved.numel() > 0, "WaveNetLite: changing one code changed no logits at all")
    check(
        int(moved.min()) >= s,
        "WaveNetLite leaks the future: changing one code moved earlier logits [A-d]",
    )
    measured = int(moved.max()) - s + 1
    check(
        measured <= MAX_RF,
        f"WaveNetLite: changing the code at position {s} still moves the logits {measured - 1} "
        f"positions later: the receptive field must be finite and at most {MAX_RF} (a stack of "
        "causal convolutions; no recurrence or global pooling)",
    )
    check(
        measured >= MIN_RF,
        f"WaveNetLite: the measured receptive field is {measured} codes; it must be at least "
        f"{MIN_RF} (stack dilated causal convolutions, e.g. dilations 1, 2, 4, ..., 32): check "
        "that each layer's dilation is honoured",
    )
    declared = expect_int(model.get("receptive_field"), "WaveNetLite(Q).receptive_field")
    check(
        declared == measured,
        f"WaveNetLite: receptive_field is {declared} but the logits at t depend on the last "
        f"{measured} codes (measured): it should be 1 + (kernel_size - 1) * sum(dilations) "
        "of the causal stack",
    )
