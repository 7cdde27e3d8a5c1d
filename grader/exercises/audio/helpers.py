"""Trusted helpers for the audio (WaveNet) reference tests: reference μ-law maths, probe models
with known weights, the tone the integration test draws, and its spectral metric.

Everything here runs in the grader's process. The candidate's code is reached only through the
`submission` proxy; every value that comes back is type-checked before it is used.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from grader.testing import check, expect_float, expect_tensor

# ---------------------------------------------------------------- reference μ-law (float64)


def mu_law_value(
    x: torch.Tensor, Q: int, companding: bool = True, clamp: bool = True, mu: int | None = None
) -> torch.Tensor:
    """(F + 1) / 2 * mu + 0.5 in float64, before the floor; the switches reproduce mistakes
    (F = x without companding, no clamp to [-1, 1], another mu)."""
    mu = Q - 1 if mu is None else mu
    x = x.double().clamp(-1, 1) if clamp else x.double()
    f = torch.sign(x) * torch.log1p(mu * x.abs()) / math.log1p(mu) if companding else x
    return (f + 1) / 2 * mu + 0.5


def reference_encode(x: torch.Tensor, Q: int) -> torch.Tensor:
    return mu_law_value(x, Q).floor().long()


def reference_decode(q: torch.Tensor, Q: int) -> torch.Tensor:
    """float64 waveform of codes q."""
    mu = Q - 1
    f = 2 * q.double() / mu - 1
    return torch.sign(f) * ((1 + mu) ** f.abs() - 1) / mu


def round_trip_bound(x: torch.Tensor, Q: int) -> torch.Tensor:
    """Largest |decode(encode(x)) - x| the μ-law grid allows (half a code step at the wider side).

    With g(F) = ((1 + mu)^F - 1) / mu and |F - F_code| <= 1 / mu, the error is at most
    g'(|F| + 1 / mu) / mu = ln(1 + mu) (1 + mu)^(1 / mu) (1 + mu |x|) / mu^2.
    """
    mu = Q - 1
    x = x.double().clamp(-1, 1)
    return math.log1p(mu) * (1 + mu) ** (1 / mu) * (1 + mu * x.abs()) / mu**2


# ---------------------------------------------------------------- probe models (known weights)
#
# Each probe maps int64 codes (B, T) to logits (B, Q, T). It is an nn.Sequential of standard
# modules built in the kernel with submission.make and loaded with the grader's weights:
# Embedding gives (B, T, Q); Unflatten(1, (1, -1)) makes it (B, 1, T, Q) and Unfold with a
# (1, Q) kernel returns (B, Q, T): a transpose made of standard modules.

PROBE_MARGIN = 30.0  # logit gap: the runner-up has probability < 1e-12 at temperature 1


def _to_channels_first(submission, Q):
    return [
        submission.make("torch.nn.Unflatten", 1, (1, -1)),
        submission.make("torch.nn.Unfold", kernel_size=(1, Q)),
    ]


def table_model(submission, table: torch.Tensor, device):
    """Logits at t are table[q_t] (a (Q, Q) table): the model only reads the current code."""
    Q = table.size(0)
    emb = submission.make("torch.nn.Embedding", Q, Q)
    model = submission.make("torch.nn.Sequential", emb, *_to_channels_first(submission, Q))
    model = model.to(device)
    model.load_state_dict({"0.weight": table.float()})
    return model


def chain_model(submission, gen, Q, device):
    """A model that puts all its mass on perm[current code]. Returns (handle, perm)."""
    perm = torch.randperm(Q, generator=gen)
    table = torch.zeros(Q, Q)
    table[torch.arange(Q), perm] = PROBE_MARGIN
    return table_model(submission, table, device), perm


def constant_model(submission, logits: torch.Tensor, device):
    """A model whose logits are `logits` (Q,) at every position, whatever the codes."""
    Q = logits.numel()
    return table_model(submission, logits[None, :].expand(Q, Q).contiguous(), device)


class ProbeNet(nn.Module):
    """Embedding -> Linear -> (B, Q, T); built identically in the kernel as a Sequential."""

    def __init__(self, Q: int, E: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Embedding(Q, E), nn.Linear(E, Q), nn.Unflatten(1, (1, -1)), nn.Unfold((1, Q))
        )

    def forward(self, q):
        return self.net(q)


def probe_net(submission, gen, Q, E, device):
    here = ProbeNet(Q, E)
    for p in here.parameters():
        p.data = torch.randn(p.shape, generator=gen)
    model = submission.make(
        "torch.nn.Sequential",
        submission.make("torch.nn.Embedding", Q, E),
        submission.make("torch.nn.Linear", E, Q),
        *_to_channels_first(submission, Q),
    ).to(device)
    model.load_state_dict(dict(here.net.state_dict()))
    return model, here


def reference_loss(logits: torch.Tensor, y: torch.Tensor, variant: str = "right"):
    """Cross-entropy of (B, Q, T) logits against (B, T) targets; variants reproduce mistakes."""
    Q = logits.size(1)
    if variant == "flat-without-transpose":  # logits.reshape(-1, Q): mixes positions
        return F.cross_entropy(logits.reshape(-1, Q), y.reshape(-1))
    if variant == "bce-one-hot":  # [A-c] a sigmoid per code instead of a softmax over codes
        target = F.one_hot(y, Q).transpose(1, 2).float()
        return F.binary_cross_entropy_with_logits(logits, target)
    return F.cross_entropy(logits, y)


def reference_sgd_step(model, lr, x, y, zero_grad=True, variant="right") -> float:
    if zero_grad:
        model.zero_grad(set_to_none=True)
    loss = reference_loss(model(x), y, variant)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return float(loss)


def chi_square_pvalue(counts: torch.Tensor, probs: torch.Tensor) -> tuple[float, float]:
    """Pearson chi-square of `counts` against `probs` (all > 0); returns (statistic, p)."""
    n = counts.sum().double()
    expected = n * probs.double()
    stat = ((counts.double() - expected) ** 2 / expected).sum()
    df = counts.numel() - 1
    p = torch.special.gammaincc(torch.tensor(df / 2, dtype=torch.float64), stat / 2)
    return float(stat), float(p)


# ---------------------------------------------------------------- the tone (integration)

# settings and thresholds from docs/calibration-audio.md
TONE = dict(Q=64, steps=150, batch=8, length=64, lr=5e-3, chunk=75)
GEN = dict(rows=4, prime=96, n=256, temperature=1.0)
MIN_IN_BAND = 0.6  # fraction of the generated power within one bin of f0 and 2 f0


def draw_tone(gen: torch.Generator) -> dict:
    """The tone's parameters, drawn now: an integer period of 8 to 32 samples, the amplitude of
    the fundamental, and the phase of the second harmonic (0.3 times the fundamental)."""
    period = int(torch.randint(8, 33, (1,), generator=gen))
    a1 = 0.5 + 0.2 * float(torch.rand(1, generator=gen))
    phase2 = 2 * math.pi * float(torch.rand(1, generator=gen))
    return dict(period=period, a1=a1, a2=0.3 * a1, phase2=phase2)


def tone_windows(params: dict, rows: int, length: int, gen: torch.Generator) -> torch.Tensor:
    """(rows, length) float64 windows of the tone, each starting at a random phase."""
    P = params["period"]
    start = torch.rand(rows, 1, generator=gen, dtype=torch.float64) * P
    t = torch.arange(length, dtype=torch.float64) + start
    w = 2 * math.pi / P
    return params["a1"] * torch.sin(w * t) + params["a2"] * torch.sin(2 * w * t + params["phase2"])


def spectrum_metrics(codes: torch.Tensor, Q: int, period: int) -> dict:
    """Decode generated codes (rows, n) ourselves and measure the pitch.

    Uses the last N = period * floor(n / period) samples of each row, so the tone's frequency is
    exactly bin k = N / period. Returns the peak bin of the row-averaged power spectrum (DC
    removed), k, and the fraction of that power within one bin of k and of 2k.
    """
    n = codes.size(1)
    N = period * (n // period)
    k = N // period
    x = reference_decode(codes[:, -N:], Q)
    x = x - x.mean(dim=1, keepdim=True)
    power = (torch.fft.rfft(x).abs() ** 2).mean(dim=0)  # (N // 2 + 1,)
    power[0] = 0.0
    band = torch.zeros_like(power, dtype=torch.bool)
    for centre in (k, 2 * k):
        band[max(centre - 1, 1) : centre + 2] = True
    total = float(power.sum())
    in_band = float(power[band].sum()) / total if total > 0 else 0.0
    return dict(peak=int(power.argmax()), k=k, in_band=in_band)


def tone_run(submission, gen, device) -> dict:
    """Train the candidate's WaveNetLite on the tone and measure its continuation ourselves."""
    params = draw_tone(gen)
    Q, T, B = TONE["Q"], TONE["length"], TONE["batch"]
    model = submission.WaveNetLite(Q=Q).to(device)
    opt = submission.make("torch.optim.Adam", model.parameters(), lr=TONE["lr"])
    losses = []
    for start in range(0, TONE["steps"], TONE["chunk"]):
        calls = []
        for _ in range(min(TONE["chunk"], TONE["steps"] - start)):
            codes = reference_encode(tone_windows(params, B, T + 1, gen), Q)
            x, y = codes[:, :-1].contiguous(), codes[:, 1:].contiguous()
            calls.append((model, opt, x.to(device), y.to(device)))
        losses += submission.wavenet_train_step.map(calls)
    for i, loss in enumerate(losses):
        expect_float(loss, f"wavenet_train_step (step {i + 1})")
    model.eval()
    rows, T0, n = GEN["rows"], GEN["prime"], GEN["n"]
    prime = reference_encode(tone_windows(params, rows, T0, gen), Q)
    g = submission.make("torch.Generator", device=device).manual_seed(0)
    out = submission.generate_audio(model, prime.to(device), n, GEN["temperature"], g)
    out = expect_tensor(
        out,
        "generate_audio(trained WaveNetLite, prime, n, ...)",
        shape=(rows, T0 + n),
        dtype=torch.int64,
    )
    check(
        bool(((out >= 0) & (out < Q)).all()),
        f"generate_audio: codes outside 0 .. {Q - 1}",
    )
    metrics = spectrum_metrics(out[:, T0:], Q, params["period"])
    return dict(
        period=params["period"], first_loss=losses[0], last_loss=sum(losses[-10:]) / 10, **metrics
    )


def check_tone(result: dict) -> None:
    k, peak, period = result["k"], result["peak"], result["period"]
    steps, lr = TONE["steps"], TONE["lr"]
    check(
        abs(peak - k) <= 1,
        f"after {steps} training steps (Adam, lr={lr}) on a tone with a period of {period} "
        f"samples, the generated continuation peaks at FFT bin {peak}, not at the tone's bin {k}: "
        "the model did not learn the pitch, or generate_audio does not sample from it [A-e] "
        f"(training loss {result['first_loss']:.2f} -> {result['last_loss']:.2f})",
    )
    check(
        result["in_band"] >= MIN_IN_BAND,
        f"after {steps} training steps on a tone with a period of {period} samples, only "
        f"{result['in_band']:.0%} of the generated signal's power lies within one FFT bin of the "
        f"tone and its harmonic (need {MIN_IN_BAND:.0%}): the continuation is noisy "
        f"(training loss {result['first_loss']:.2f} -> {result['last_loss']:.2f})",
    )
