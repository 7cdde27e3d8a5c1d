"""Trusted helpers for the GAN reference tests: data, reference maths, probe models."""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def reference_d_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-logits_real).mean() + F.softplus(logits_fake).mean()


def reference_g_loss(logits_fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-logits_fake).mean()


def ring_of_gaussians(n, rotation, gen, modes=8, radius=2.0, std=0.05):
    """(n, 2) points from `modes` Gaussians on a circle, the first at angle `rotation`."""
    k = torch.randint(modes, (n,), generator=gen)
    angle = rotation + 2 * math.pi * k / modes
    centers = radius * torch.stack([angle.cos(), angle.sin()], dim=1)
    return centers + std * torch.randn(n, 2, generator=gen)


def ring_centers(rotation, modes=8, radius=2.0):
    angle = rotation + 2 * math.pi * torch.arange(modes) / modes
    return radius * torch.stack([angle.cos(), angle.sin()], dim=1)  # (modes, 2)


def mode_statistics(samples, rotation, std=0.05, modes=8):
    """(number of modes holding >= 1% of the samples nearby, fraction of samples within 4 std)."""
    distances = torch.cdist(samples.double(), ring_centers(rotation, modes).double())  # (N, modes)
    nearest, which = distances.min(dim=1)
    good = nearest < 4 * std
    counts = torch.bincount(which[good], minlength=modes)
    covered = int((counts >= 0.01 * len(samples)).sum())
    return covered, float(good.double().mean())


def probe_discriminator(in_dim: int, hidden: int) -> nn.Sequential:
    """A small critic built identically in the kernel and here: (N, in_dim) -> (N,)."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1), nn.Flatten(0))


def probe_models(submission, gen, z_dim=3, data_dim=2, hidden=5):
    """A linear G and a tanh-MLP D, in the kernel (handles) and here (modules), same weights."""
    G_here = nn.Linear(z_dim, data_dim)
    D_here = probe_discriminator(data_dim, hidden)
    for p in list(G_here.parameters()) + list(D_here.parameters()):
        p.data = torch.randn(p.shape, generator=gen) * 0.7
    G = submission.make("torch.nn.Linear", z_dim, data_dim)
    layers = [
        submission.make("torch.nn.Linear", data_dim, hidden),
        submission.make("torch.nn.Tanh"),
        submission.make("torch.nn.Linear", hidden, 1),
        submission.make("torch.nn.Flatten", 0),
    ]
    D = submission.make("torch.nn.Sequential", *layers)
    G.load_state_dict(G_here.state_dict())
    D.load_state_dict(D_here.state_dict())
    return G, D, G_here, D_here


def reference_step(G, D, lr, real, z_d, z_g, *, detach=True, zero_grad=True, g_uses_new_d=True):
    """One D then one G SGD step on modules G, D in place; returns the two losses.

    The keyword switches reproduce classic mistakes, so the tests can name them.
    """
    if zero_grad:
        for p in list(G.parameters()) + list(D.parameters()):
            p.grad = None
    old_d = {k: v.clone() for k, v in D.state_dict().items()}
    fake = G(z_d)
    d_loss = reference_d_loss(D(real), D(fake.detach() if detach else fake))
    d_loss.backward()
    with torch.no_grad():
        for p in D.parameters():
            p -= lr * p.grad
    if zero_grad:
        for p in D.parameters():
            p.grad = None
        if detach:
            for p in G.parameters():
                p.grad = None
    if not g_uses_new_d:
        new_d = {k: v.clone() for k, v in D.state_dict().items()}
        D.load_state_dict(old_d)
    g_loss = reference_g_loss(D(G(z_g)))
    g_loss.backward()
    with torch.no_grad():
        for p in G.parameters():
            p -= lr * p.grad
    if not g_uses_new_d:
        D.load_state_dict(new_d)
    return d_loss.item(), g_loss.item()
