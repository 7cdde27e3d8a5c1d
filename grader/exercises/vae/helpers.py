"""Trusted helpers for the VAE reference tests: data, reference maths, and the grader's own
held-out negative ELBO (the candidate's encoder and decoder are black boxes; the grader draws
the noise and computes the KL and the Bernoulli NLL itself)."""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

from grader.testing import check, expect_float, expect_tensor, expect_tuple, fail

X_DIM = 64  # 8x8 digits
N_TEST = 360  # held-out digits; the other 1437 of the 1797 are the training split


# -- data --
@functools.cache
def _digits() -> torch.Tensor:
    from sklearn.datasets import load_digits  # ships with scikit-learn: no download

    pixels = torch.from_numpy(load_digits().data)  # (1797, 64) float64 in 0..16
    return (pixels >= 8).to(torch.float32)  # (1797, 64) in {0, 1}


def split_digits(gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, test): a split of the binarized digits drawn now with `gen`."""
    data = _digits()
    perm = torch.randperm(len(data), generator=gen)
    return data[perm[N_TEST:]].clone(), data[perm[:N_TEST]].clone()


def random_binary(gen: torch.Generator, rows: int, cols: int, p: float) -> torch.Tensor:
    return (torch.rand(rows, cols, generator=gen) < p).to(torch.float32)


# -- reference maths (float64) --
def kl_reference(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    mu, logvar = mu.double(), logvar.double()
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=-1)  # (B,)


def nll_reference(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    x, logits = x.double(), logits.double()
    return (F.softplus(logits) - x * logits).sum(dim=-1)  # (B,)


def independent_pixel_nll(train: torch.Tensor, test: torch.Tensor) -> float:
    """Held-out NLL of the baseline that fits one Bernoulli per pixel (add-one smoothing)."""
    p = (train.double().sum(0) + 1.0) / (len(train) + 2.0)  # (64,)
    test = test.double()
    return float(-(test * p.log() + (1 - test) * (1 - p).log()).sum(1).mean())


# -- naming the classic mistakes from a wrong answer --
def kl_mistakes(mu: torch.Tensor, logvar: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """What the usual wrong KL formulas give for these inputs, with the feedback for each."""
    mu, lv = mu.double(), logvar.double()
    d = mu.shape[-1]
    right = kl_reference(mu, lv)
    ignores_var = 0.5 * (mu.pow(2) - 1.0).sum(-1)
    invented = mu.pow(2) + lv.pow(2) - mu - 1.0
    log_std = 0.5 * (mu.pow(2) + (2 * lv).exp() - 1.0 - 2 * lv).sum(-1)
    v_d = (
        "[V-d] the KL ignores the variance: 1 + logvar - mu**2 - logvar cancels the "
        "sigma^2 term; it is 0.5 * sum(mu^2 + exp(logvar) - 1 - logvar)"
    )
    v_p = (
        "[V-p] this is the invented KL mean(mu^2 + logvar^2 - mu - 1); the closed form is "
        "0.5 * sum(mu^2 + exp(logvar) - 1 - logvar)"
    )
    v_j = (
        "[V-j] the KL is averaged over the latent dimensions: sum over them (a mean "
        f"reweights the KL by 1/{d} against the reconstruction term)"
    )
    return [
        (ignores_var, v_d),
        (ignores_var / d, v_d),
        (-ignores_var, v_d),
        (invented.mean(-1), v_p),
        (invented.sum(-1), v_p),
        (0.5 * invented.sum(-1), v_p),
        (0.5 * invented.mean(-1), v_p),
        (right / d, v_j),
        (-right, "the KL has the wrong sign: KL(q || p) >= 0"),
        (2 * right, "the KL is missing the factor 0.5"),
        (right / 2, "the KL has an extra factor 0.5"),
        (log_std, "the KL treats logvar as log(sigma): logvar is the log-variance log(sigma^2)"),
    ]


def nll_mistakes(x: torch.Tensor, logits: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    x, logits = x.double(), logits.double()
    d = x.shape[-1]
    right = nll_reference(x, logits)
    double_sigmoid = nll_reference(x, torch.sigmoid(logits))
    signed = nll_reference(2 * x - 1, logits)
    v_h = (
        "[V-h] double sigmoid: the logits went through a sigmoid and were then used as "
        "logits again; the inputs already are logits"
    )
    v_r = "[V-r] the targets were rescaled to [-1, 1]: Bernoulli targets are the 0/1 pixels"
    v_j = (
        "[V-j] the NLL is averaged over pixels: sum over them (a mean reweights the KL by "
        f"{d} against the reconstruction term and causes posterior collapse)"
    )
    return [
        (right / d, v_j),
        (double_sigmoid, v_h),
        (double_sigmoid / d, v_h),
        (signed, v_r),
        (signed / d, v_r),
        (-right, "the NLL has the wrong sign: -log p >= 0"),
    ]


def name_the_mistake(got: torch.Tensor, candidates: list[tuple[torch.Tensor, str]]) -> str | None:
    got = got.double()
    for value, message in candidates:
        if value.shape == got.shape and torch.allclose(got, value, rtol=1e-3, atol=1e-3):
            return message
    return None


def expect_per_row(got, what: str, rows: int, finite: bool = True) -> torch.Tensor:
    """A (rows,) float32 tensor, with a hint when the reduction is wrong."""
    expect_tensor(got, what, dtype=torch.float32)
    check(
        got.dim() != 0,
        f"{what} returned one number for the whole batch: return one value "
        f"per row, shape ({rows},) (no mean over the batch)",
    )
    check(
        got.dim() != 2,
        f"{what} returned shape {tuple(got.shape)}: sum over the last dimension "
        f"to get one value per row, shape ({rows},)",
    )
    return expect_tensor(got, what, shape=(rows,), dtype=torch.float32, finite=finite)


# -- calling the candidate's model --
def build_vae(submission, x_dim: int, z_dim: int, device: str):
    model = submission.VAE(x_dim=x_dim, z_dim=z_dim)
    return model.to(device)


def encode(model, x: torch.Tensor, z_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    out = expect_tuple(model.encode(x), "model.encode(x)", length=2)
    shape = (len(x), z_dim)
    mu = expect_tensor(
        out[0], "model.encode(x)[0] (mu)", shape=shape, dtype=torch.float32, finite=True
    )
    logvar = expect_tensor(
        out[1], "model.encode(x)[1] (logvar)", shape=shape, dtype=torch.float32, finite=True
    )
    return mu, logvar


def decode(model, z: torch.Tensor, x_dim: int) -> torch.Tensor:
    return expect_tensor(
        model.decode(z), "model.decode(z)", shape=(len(z), x_dim), dtype=torch.float32, finite=True
    )


def sample_z(mu, logvar, gen, draws: int) -> torch.Tensor:
    """(draws * B, z_dim) float32: z = mu + exp(0.5 logvar) eps, eps drawn by the grader."""
    eps = torch.randn(draws, *mu.shape, generator=gen, dtype=torch.float64)
    z = mu.double() + (0.5 * logvar.double()).exp() * eps  # (draws, B, z_dim)
    return z.reshape(-1, mu.shape[-1]).to(torch.float32)


def heldout_elbo(model, x: torch.Tensor, z_dim: int, gen, device: str, draws: int = 10) -> dict:
    """The grader's own negative ELBO of `x` under the candidate's encoder and decoder.

    Returns floats nelbo, rec, kl (batch means, rec averaged over `draws` noise draws) and the
    decoder's outputs `logits` of shape (draws * B, x_dim).
    """
    model.eval()
    mu, logvar = encode(model, x.to(device), z_dim)  # answers come back on the CPU
    kl = kl_reference(mu, logvar)  # (B,)
    logits = decode(model, sample_z(mu, logvar, gen, draws).to(device), x.shape[1])
    rec = nll_reference(x.cpu().repeat(draws, 1), logits).reshape(draws, len(x)).mean(0)  # (B,)
    model.train()
    return {
        "nelbo": float((rec + kl).mean()),
        "rec": float(rec.mean()),
        "kl": float(kl.mean()),
        "logits": logits,
    }


def train_vae(
    submission,
    model,
    train: torch.Tensor,
    gen,
    device: str,
    steps: int,
    batch_size: int,
    lr: float,
    chunk: int = 200,
) -> list[float]:
    """`steps` calls of the candidate's vae_train_step with Adam(lr), batches drawn by the grader."""
    opt = submission.make("torch.optim.Adam", model.parameters(), lr=lr)
    losses = []
    while len(losses) < steps:
        calls = [
            (model, opt, train[torch.randint(len(train), (batch_size,), generator=gen)].to(device))
            for _ in range(min(chunk, steps - len(losses)))
        ]
        losses += submission.vae_train_step.map(calls)
    check_losses(losses)
    return losses


def check_losses(losses: list) -> None:
    """Python floats, finite, and >= 0: the negative ELBO of 0/1 pixels cannot be negative."""
    for i, loss in enumerate(losses):
        if type(loss) is float and loss < -1e-3:  # before any later nan, the likely cause
            fail(
                f"vae_train_step returned {loss:.4g} at call {i + 1}, but the negative ELBO of "
                "0/1 pixels is >= 0 (NLL >= 0, KL >= 0): check the targets ([V-r] no "
                "rescaling to [-1, 1]) and the signs of both terms"
            )
        expect_float(loss, f"vae_train_step (call {i + 1})")


# -- runs whose numbers the tests threshold (shared with bench/calibrate_vae.py) --
INTEGRATION = {"z_dim": 8, "steps": 600, "batch_size": 128, "lr": 3e-3, "draws": 10}
COLLAPSE = {"z_dim": 4, "steps": 400, "batch_size": 128, "lr": 3e-3, "draws": 1}
SHORT = {"z_dim": 4, "steps": 150, "batch_size": 128, "lr": 3e-3}
FIXED_BATCH = {"z_dim": 4, "steps": 40, "batch": 64, "lr": 3e-3, "draws": 20}


def integration_run(submission, gen, device: str, config: dict) -> dict:
    """Train the candidate's VAE on a split drawn now; measure it with the grader's maths."""
    train, test = split_digits(gen)
    model = build_vae(submission, X_DIM, config["z_dim"], device)
    train_vae(
        submission, model, train, gen, device, config["steps"], config["batch_size"], config["lr"]
    )
    result = heldout_elbo(model, test, config["z_dim"], gen, device, config["draws"])
    result["baseline"] = independent_pixel_nll(train, test)
    result["all_in_unit_interval"] = in_unit_interval(result["logits"])
    return result


def in_unit_interval(logits: torch.Tensor) -> bool:
    return bool(((logits >= 0) & (logits <= 1)).all())


def short_training_run(submission, gen, device: str) -> dict:
    """150 steps, then decode the codes of 100 held-out digits: the logits of pixels that are on
    in < 1% of the training digits must be negative."""
    train, test = split_digits(gen)
    z_dim = SHORT["z_dim"]
    model = build_vae(submission, X_DIM, z_dim, device)
    train_vae(
        submission, model, train, gen, device, SHORT["steps"], SHORT["batch_size"], SHORT["lr"]
    )
    model.eval()
    mu, _ = encode(model, test[:100].to(device), z_dim)
    logits = decode(model, mu.to(device), X_DIM)
    rare = train.mean(0) < 0.01
    return {
        "all_in_unit_interval": in_unit_interval(logits),
        "rare_pixel_logit": float(logits[:, rare].mean()),
    }


def fixed_batch_run(submission, gen, device: str) -> dict:
    """Steps of the candidate's vae_train_step on one batch; the grader's NELBO before/after."""
    cfg = FIXED_BATCH
    z_dim = cfg["z_dim"]
    x = split_digits(gen)[0][: cfg["batch"]].to(device)
    model = build_vae(submission, X_DIM, z_dim, device)
    probe = torch.randn(16, z_dim, generator=gen).to(device)
    before = heldout_elbo(model, x, z_dim, gen, device, draws=cfg["draws"])["nelbo"]
    model.eval()
    mu0, out0 = encode(model, x, z_dim)[0], decode(model, probe, X_DIM)
    model.train()
    opt = submission.make("torch.optim.Adam", model.parameters(), lr=cfg["lr"])
    check_losses(submission.vae_train_step.map([(model, opt, x)] * cfg["steps"]))
    model.eval()
    mu1, out1 = encode(model, x, z_dim)[0], decode(model, probe, X_DIM)
    after = heldout_elbo(model, x, z_dim, gen, device, draws=cfg["draws"])["nelbo"]
    return {
        "before": before,
        "after": after,
        "encoder_moved": not torch.equal(mu0, mu1),
        "decoder_moved": not torch.equal(out0, out1),
    }


def sgd_step_lengths(submission, gen, device: str) -> tuple[float, float]:
    """Lengths of two consecutive SGD steps of vae_train_step on one batch (weight space)."""
    model = build_vae(submission, X_DIM, 4, device)
    x = split_digits(gen)[0][:256].to(device)
    opt = submission.make("torch.optim.SGD", model.parameters(), lr=1e-4)
    states = [model.state_dict()]
    for _ in range(2):
        submission.vae_train_step(model, opt, x)
        states.append(model.state_dict())
    for state in states:
        check(
            type(state) is dict and all(type(v) is torch.Tensor for v in state.values()),
            "model.state_dict() returned something other than tensors",
        )

    def length(a, b):
        return (
            sum(
                float((b[k].double() - a[k].double()).pow(2).sum())
                for k in a
                if a[k].is_floating_point()
            )
            ** 0.5
        )

    return length(states[0], states[1]), length(states[1], states[2])


def rec_expectation(
    submission, gen, device: str, calls: int = 64, draws: int = 256, batch: int = 32
) -> dict:
    """negative_elbo's rec averaged over `calls` calls (the candidate's noise) against the
    grader's Monte-Carlo E_q[bernoulli_nll(x, decode(z))] (the grader's noise), on a fresh model,
    with the values the usual mistakes would give."""
    z_dim = int(torch.randint(2, 9, (1,), generator=gen))
    model = build_vae(submission, X_DIM, z_dim, device)
    model.eval()
    x = random_binary(gen, batch, X_DIM, 0.3)
    outs = submission.negative_elbo.map([(model, x.to(device))] * calls)
    got = torch.stack([unpack_nelbo(out)[1] for out in outs]).double()
    mu, logvar = encode(model, x.to(device), z_dim)
    logits = decode(model, sample_z(mu, logvar, gen, draws).to(device), X_DIM)  # (draws*B, 64)
    xs = x.repeat(draws, 1)

    def per_draw(values):  # (draws * B,) -> batch mean per draw, (draws,)
        return values.reshape(draws, batch).mean(dim=1)

    want = per_draw(nll_reference(xs, logits))
    se = math.sqrt(float(got.var()) / calls + float(want.var()) / draws)
    return {
        "got": float(got.mean()),
        "want": float(want.mean()),
        "tol": 6 * se + 1e-3 * abs(float(want.mean())) + 1e-3,
        "alternatives": [
            (
                float(want.mean()) / X_DIM,
                "[V-j] rec is averaged over pixels: sum over pixels, then average over the batch",
            ),
            (float(want.mean()) * batch, "rec is summed over the batch: return the batch mean"),
            (
                float(per_draw(nll_reference(xs, torch.sigmoid(logits))).mean()),
                "[V-h] double sigmoid: the decoder's logits went through a sigmoid before the NLL",
            ),
            (
                float(per_draw(nll_reference(2 * xs - 1, logits)).mean()),
                "[V-r] the targets were rescaled to [-1, 1]: the Bernoulli targets are the 0/1 "
                "pixels",
            ),
            (
                float(nll_reference(x, decode(model, mu.to(device), X_DIM)).mean()),
                "rec decodes mu without sampling: draw z = reparameterize(mu, logvar)",
            ),
        ],
    }


def unpack_nelbo(out):
    out = expect_tuple(out, "negative_elbo(model, x)", length=3)
    for value, name in zip(out, ("nelbo", "rec", "kl")):
        expect_tensor(
            value, f"negative_elbo(model, x) ({name})", shape=(), dtype=torch.float32, finite=True
        )
    return out
