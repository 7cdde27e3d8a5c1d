"""The VAE exercise through the real `grade` CLI: the solution gets full marks on 5 seeds, the
starter gets 0 with "not implemented" everywhere, and every mutant (tests/mutants/vae.yaml, one
per classic mistake) fails each of the tests it targets."""

from __future__ import annotations

import pytest
from conftest import ROOT, by_name, grade_json, mutant_notebook, mutants, with_cells

from prep.notebooks import out_of_date

EXERCISE = "vae"
SOLUTION = ROOT / "solutions" / f"{EXERCISE}.ipynb"
STARTER = ROOT / "exercises" / f"{EXERCISE}.ipynb"
MUTANTS = mutants(EXERCISE)

# Other correct implementations (appended to the solution as a last cell that redefines the
# tasks): the reference tests must give them full marks too. bench/calibrate_vae.py measures
# their margins.
ALTERNATIVES = {
    # torch.distributions everywhere, a one-hidden-layer tanh MLP with one head split in two,
    # sums divided by the batch size, model.zero_grad(), float(loss)
    "distributions-small-mlp": """
import torch.distributions as D


def reparameterize(mu, logvar):
    return D.Normal(mu, torch.exp(logvar / 2)).rsample()


def kl_standard_normal(mu, logvar):
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    prior = D.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return D.kl_divergence(q, prior).sum(-1)


def bernoulli_nll(x, logits):
    return -D.Bernoulli(logits=logits).log_prob(x).sum(-1)


class VAE(nn.Module):
    def __init__(self, x_dim, z_dim, hidden=64):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(x_dim, hidden), nn.Tanh(), nn.Linear(hidden, 2 * z_dim))
        self.dec = nn.Sequential(nn.Linear(z_dim, hidden), nn.Tanh(), nn.Linear(hidden, x_dim))

    def encode(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        return self.dec(z)

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar)), mu, logvar


def negative_elbo(model, x):
    logits, mu, logvar = model(x)
    n = x.shape[0]
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
    kl = kl_standard_normal(mu, logvar).sum() / n
    return rec + kl, rec, kl


def vae_train_step(model, opt, x):
    model.zero_grad()
    loss = negative_elbo(model, x)[0]
    loss.backward()
    opt.step()
    return float(loss.detach())
""",
    # a convolutional encoder and decoder on the 8x8 image, eps drawn with torch.randn(shape)
    "conv": """
def reparameterize(mu, logvar):
    eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device)
    return eps.mul(logvar.mul(0.5).exp()).add(mu)


class VAE(nn.Module):
    def __init__(self, x_dim, z_dim, channels=16):
        super().__init__()
        self.side = int(round(x_dim**0.5))  # 8
        half = (self.side + 1) // 2  # 4
        self.enc = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
        )
        self.heads = nn.Linear(channels * half * half, 2 * z_dim)
        self.dec = nn.Sequential(
            nn.Linear(z_dim, channels * half * half), nn.ReLU(),
            nn.Unflatten(1, (channels, half, half)),
            nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(channels, 1, 3, padding=1), nn.Flatten(),
        )

    def encode(self, x):
        h = self.enc(x.view(-1, 1, self.side, self.side))  # (B, C * 4 * 4)
        mu, logvar = self.heads(h).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        return self.dec(z)  # (B, 64) logits

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar)), mu, logvar
""",
}


def test_starter_is_derived_from_the_solution():
    assert out_of_date(ROOT, EXERCISE) == []


@pytest.mark.parametrize("seed", [11, 22, 33, 44, 55])
def test_solution_gets_full_marks(seed):
    report = grade_json(SOLUTION, "--seed", str(seed))
    failed = {t["name"]: t["message"] for t in report["tests"] if t["status"] != "passed"}
    assert not failed, f"seed {seed}: {failed}"
    assert report["score"] == report["max_score"] > 0
    assert report["_exit_code"] == 0
    assert not report["grader_fault"]
    assert len(report["tests"]) >= 15


def test_starter_gets_zero_with_not_implemented():
    report = grade_json(STARTER, "--seed", "7")
    assert report["score"] == 0 and report["max_score"] > 0
    assert report["_exit_code"] == 1
    assert not report["grader_fault"]
    for test in report["tests"]:
        assert test["status"] == "failed", test
        assert "not implemented" in test["message"], test


def test_every_mutant_has_targets_that_exist():
    names = set(by_name(grade_json(STARTER, "--seed", "7")))
    ids = [m["id"] for m in MUTANTS]
    assert len(ids) == len(set(ids)), "duplicate mutant ids"
    for mutant in MUTANTS:
        assert mutant["targets"] and mutant["description"], mutant["id"]
        assert set(mutant["targets"]) <= names, (mutant["id"], set(mutant["targets"]) - names)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_mutant_fails_its_targets(mutant, tmp_path):
    notebook = mutant_notebook(EXERCISE, mutant["id"], tmp_path)
    select = " or ".join(mutant["targets"])
    report = grade_json(notebook, "--seed", "3", "-k", select)
    assert not report["grader_fault"], report["grader_fault"]
    results = by_name(report)
    for target in mutant["targets"]:
        assert target in results, f"{mutant['id']}: {target} did not run"
        assert results[target]["status"] != "passed", f"{mutant['id']} passes {target}"


@pytest.mark.parametrize("name", sorted(ALTERNATIVES))
def test_other_correct_implementations_get_full_marks(name, tmp_path):
    notebook = with_cells(SOLUTION, [ALTERNATIVES[name]], tmp_path / f"vae-{name}.ipynb")
    report = grade_json(notebook, "--seed", "5")
    failed = {t["name"]: t["message"] for t in report["tests"] if t["status"] != "passed"}
    assert not failed, f"{name}: {failed}"
    assert report["score"] == report["max_score"] > 0
