"""CausalConv1d: length preserved, causal (no symmetric or right padding), dilation honoured, and
exactly a zero-left-padded dilated convolution; receptive_field against its closed form.

The grader does not read the candidate's parameters: it measures the layer's impulse responses
(a linear, time-invariant map is determined by them) and compares."""

import torch
import torch.nn.functional as F

from grader.testing import check, expect_int, expect_tensor, fail, points

FUTURE = (
    "CausalConv1d sees the future: output t changed when only inputs after t changed. Pad "
    "(kernel_size - 1) * dilation zeros on the LEFT only (padding='same' or right padding "
    "makes the model read the sample it must predict) [A-d]"
)


def build(submission, device, cin, cout, k, d):
    conv = submission.CausalConv1d(cin=cin, cout=cout, kernel_size=k, dilation=d)
    return conv.to(device)


def run(conv, x, device, cout, what):
    out = conv(x.to(device))
    B, _, T = x.shape
    return expect_tensor(out, what, shape=(B, cout, T), dtype=torch.float32, finite=True)


def test_causal_conv_preserves_length(submission, gen, device):
    cin, cout, k, d = (int(v) for v in torch.randint(1, 6, (4,), generator=gen))
    T = int(torch.randint(10, 40, (1,), generator=gen))
    conv = build(submission, device, cin, cout, k, d)
    x = torch.randn(3, cin, T, generator=gen)
    out = conv(x.to(device))
    what = f"CausalConv1d(cin={cin}, cout={cout}, kernel_size={k}, dilation={d})(x of shape (3, {cin}, {T}))"
    expect_tensor(out, what, dtype=torch.float32)
    check(
        tuple(out.shape) == (3, cout, T),
        f"{what}: expected shape (B, cout, T) = (3, {cout}, {T}), got {tuple(out.shape)}: pad "
        f"(kernel_size - 1) * dilation = {(k - 1) * d} zeros on the left so the length is kept",
    )


@points(2)
def test_causal_conv_is_causal(submission, gen, device):
    """Change the inputs from time t on: every output before t must stay the same."""
    for k, d in ((2, 1), (3, 2), (int(torch.randint(2, 5, (1,), generator=gen)), 3)):
        cin, cout = 2, 3
        T = 4 * (k - 1) * d + 8
        conv = build(submission, device, cin, cout, k, d)
        t = int(torch.randint((k - 1) * d + 1, T - (k - 1) * d, (1,), generator=gen))
        a = torch.randn(1, cin, T, generator=gen)
        b = a.clone()
        b[:, :, t:] += torch.randn(1, cin, T - t, generator=gen)
        what = f"CausalConv1d(cin={cin}, cout={cout}, kernel_size={k}, dilation={d})(x)"
        out = run(conv, torch.cat([a, b]), device, cout, what)
        changed = (out[0] - out[1]).abs().amax(dim=0) > 1e-6  # (T,)
        check(not bool(changed[:t].any()), f"{FUTURE} (kernel_size={k}, dilation={d})")
        check(
            bool(changed[t]),
            f"CausalConv1d: output t does not depend on input t (kernel_size={k}, "
            f"dilation={d}): the current sample is the last tap, x[t], not x[t - 1]",
        )


def impulse_responses(submission, gen, device, cin, cout, k, d):
    """Outputs for: zeros, a unit impulse at t0 in each input channel, and a random input."""
    t0 = (k - 1) * d + 2 + int(torch.randint(0, 4, (1,), generator=gen))
    T = t0 + 2 * (k - 1) * d + 3
    x = torch.zeros(cin + 2, cin, T)
    for c in range(cin):
        x[1 + c, c, t0] = 1.0
    x[-1] = torch.randn(cin, T, generator=gen)
    conv = build(submission, device, cin, cout, k, d)
    what = f"CausalConv1d(cin={cin}, cout={cout}, kernel_size={k}, dilation={d})(x)"
    out = run(conv, x, device, cout, what).double()
    return x.double(), out, t0


@points(2)
def test_causal_conv_honours_the_dilation(submission, gen, device):
    """An impulse at time t moves exactly the outputs t, t + d, ..., t + (k - 1) d."""
    k = int(torch.randint(2, 4, (1,), generator=gen))
    d = int(torch.randint(2, 5, (1,), generator=gen))
    cin, cout = 2, 3
    _, out, t0 = impulse_responses(submission, gen, device, cin, cout, k, d)
    response = (out[1 : 1 + cin] - out[:1]).abs().amax(dim=(0, 1))  # (T,)
    got = set((response > 1e-6).nonzero().flatten().tolist())
    want = {t0 + j * d for j in range(k)}
    if got == want:
        return
    moved = sorted(t - t0 for t in got)
    if any(t < t0 for t in got):
        fail(f"{FUTURE}: an impulse at t moved the outputs at offsets {moved}")
    if got == {t0 + j for j in range(k)}:
        fail(
            f"CausalConv1d(kernel_size={k}, dilation={d}): an impulse at t moved the outputs "
            f"at offsets {moved}, not {[j * d for j in range(k)]}: the dilation is ignored "
            "(pass dilation= to nn.Conv1d)"
        )
    fail(
        f"CausalConv1d(kernel_size={k}, dilation={d}): an impulse at time t moved the outputs "
        f"at offsets {moved}; a dilated causal convolution moves exactly "
        f"{[j * d for j in range(k)]}"
    )


def test_causal_conv_is_a_zero_padded_convolution(submission, gen, device):
    """The layer equals conv1d(pad(x, ((k-1) d, 0)), W, b, dilation=d), W and b measured."""
    cin, cout = (int(v) for v in torch.randint(1, 4, (2,), generator=gen))
    k = int(torch.randint(1, 4, (1,), generator=gen))
    d = int(torch.randint(1, 4, (1,), generator=gen))
    x, out, t0 = impulse_responses(submission, gen, device, cin, cout, k, d)
    bias = out[0, :, -1]  # (cout,)
    check(
        torch.allclose(out[0], bias[:, None].expand_as(out[0]), atol=1e-5),
        "CausalConv1d: on an all-zero input the output changes along time: the layer must be "
        "a plain convolution with zero padding (no activation, no other padding mode)",
    )
    weight = torch.zeros(cout, cin, k, dtype=torch.float64)
    for c in range(cin):
        for j in range(k):
            weight[:, c, k - 1 - j] = out[1 + c, :, t0 + j * d] - bias
    want = F.conv1d(F.pad(x[-1:], ((k - 1) * d, 0)), weight, bias, dilation=d)
    check(
        torch.allclose(out[-1:], want, atol=1e-4, rtol=1e-4),
        f"CausalConv1d(kernel_size={k}, dilation={d}) is not a linear dilated convolution with "
        "zero left padding: y[t] = b + sum_j W[:, :, j] x[t - (k - 1 - j) d], with x = 0 before "
        "the first sample",
    )


@points(2)
def test_receptive_field_closed_form(submission, gen):
    cases = [(2, [1, 2, 4, 8, 16, 32]), (3, [1, 2, 4]), (2, [1])]
    for _ in range(3):
        k = int(torch.randint(2, 6, (1,), generator=gen))
        n = int(torch.randint(1, 7, (1,), generator=gen))
        cases.append((k, torch.randint(1, 20, (n,), generator=gen).tolist()))
    for k, dilations in cases:
        got = expect_int(
            submission.receptive_field(k, dilations), f"receptive_field({k}, {dilations})"
        )
        want = 1 + (k - 1) * sum(dilations)
        if got == want:
            continue
        hint = "1 + (kernel_size - 1) * sum(dilations)"
        if got == want - 1:
            fail(
                f"receptive_field({k}, {dilations}) = {got}, off by one: the current sample "
                f"counts too, so it is {hint} = {want}"
            )
        fail(f"receptive_field({k}, {dilations}) = {got}, expected {hint} = {want}")
