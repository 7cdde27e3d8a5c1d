"""Trusted helpers for the text (character-level LM) reference tests: reference maths, probe
models with known weights, the Markov source and its entropy rates, and the integration metric.

Everything here runs in the grader's process. The candidate's code is reached only through the
`submission` proxy; every value that comes back is type-checked before it is used.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from grader.testing import check, expect_float, expect_tensor

# ---------------------------------------------------------------- text drawn at grading time

ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"-()\n\t"
OTHER = "éüßñ—“”…，。！？、《》😀🙂"


def draw_text(gen: torch.Generator, length: int = 160) -> str:
    """A string mixing ASCII, other BMP letters, Chinese characters and two emoji, drawn now.

    Characters appear in scrambled order (never sorted), with repeats.
    """
    n_ascii = int(torch.randint(6, 14, (1,), generator=gen))
    n_cjk = int(torch.randint(5, 12, (1,), generator=gen))
    n_other = int(torch.randint(2, 6, (1,), generator=gen))
    chars = [ASCII[i] for i in torch.randperm(len(ASCII), generator=gen)[:n_ascii].tolist()]
    chars += [OTHER[i] for i in torch.randperm(len(OTHER), generator=gen)[:n_other].tolist()]
    cjk = torch.randint(0x4E00, 0x9FA6, (n_cjk,), generator=gen).tolist()
    chars += [chr(c) for c in cjk]
    chars = sorted(set(chars))
    # every character at least once, then random repeats, all shuffled
    picks = list(range(len(chars))) + torch.randint(len(chars), (length,), generator=gen).tolist()
    order = torch.randperm(len(picks), generator=gen).tolist()
    return "".join(chars[picks[i]] for i in order)


def reference_vocab(text: str) -> tuple[dict[str, int], list[str]]:
    itos = sorted(set(text))
    return {c: i for i, c in enumerate(itos)}, itos


# ---------------------------------------------------------------- reference maths


def reference_attention(q, k, v, scale="sqrt", mask=True, softmax_dim=-1):
    """Causal attention in float64; the keywords reproduce classic mistakes for diagnosis."""
    q, k, v = q.double(), k.double(), v.double()
    T, D = q.size(-2), q.size(-1)
    factor = {"sqrt": 1 / math.sqrt(D), "D": 1 / D, "none": 1.0}[scale]
    att = q @ k.transpose(-2, -1) * factor
    if mask:
        allowed = torch.ones(T, T, dtype=torch.bool)
        allowed = allowed.triu() if mask == "inverted" else allowed.tril()
        att = att.masked_fill(~allowed, float("-inf"))
    att = torch.softmax(att, dim=softmax_dim).nan_to_num(0.0)
    return att @ v


def reference_lm_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    V = logits.size(-1)
    return F.cross_entropy(logits.double().reshape(-1, V), y.reshape(-1))


def reference_probs(
    logits: torch.Tensor, temperature: float, top_k: int | None, renormalize: bool = True
) -> torch.Tensor:
    """softmax(logits / temperature) restricted to the top_k largest logits, in float64."""
    logits = logits.double() / temperature
    if top_k is not None and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]
        keep = logits >= kth
        if not renormalize:
            return torch.softmax(logits, dim=-1) * keep
        logits = logits.masked_fill(~keep, float("-inf"))
    return torch.softmax(logits, dim=-1)


def chi_square_pvalue(counts: torch.Tensor, probs: torch.Tensor) -> tuple[float, float]:
    """Pearson chi-square of `counts` against `probs` over the cells with probs > 0.

    Returns (statistic, p-value). Cells with zero probability must be checked separately.
    """
    n = counts.sum().double()
    keep = probs > 0
    expected = n * probs.double()[keep]
    stat = ((counts.double()[keep] - expected) ** 2 / expected).sum()
    df = int(keep.sum()) - 1
    if df < 1:
        return 0.0, 1.0
    p = torch.special.gammaincc(torch.tensor(df / 2, dtype=torch.float64), stat / 2)
    return float(stat), float(p)


# ---------------------------------------------------------------- probe models (known weights)

PROBE_MARGIN = 30.0  # logit gap: the runner-up has probability < 1e-12 at temperature 1


def chain_model(submission, gen, V, device):
    """Embedding(V, V) whose logits after token a put all the mass on perm[a].

    Returns (handle, perm). Length-agnostic: forward (B, T) -> (B, T, V).
    """
    perm = torch.randperm(V, generator=gen)
    weight = torch.zeros(V, V)
    weight[torch.arange(V), perm] = PROBE_MARGIN
    model = submission.make("torch.nn.Embedding", V, V).to(device)
    model.load_state_dict({"weight": weight})
    return model, perm


def window_max_model(submission, gen, V, device):
    """Logits depend on the whole window: next token = perm[max(window)].

    An EmbeddingBag(mode="max") over the window, unflattened to (B, 1, V) (only the last position
    is read by generate). Row a of the table has 30 * (a + 1) at column perm[a], so the largest
    token in the window wins by a margin of at least 30.
    """
    perm = torch.randperm(V, generator=gen)
    weight = torch.zeros(V, V)
    weight[torch.arange(V), perm] = PROBE_MARGIN * (torch.arange(V, dtype=torch.float32) + 1)
    bag = submission.make("torch.nn.EmbeddingBag", V, V, mode="max")
    model = submission.make(
        "torch.nn.Sequential", bag, submission.make("torch.nn.Unflatten", 1, (1, V))
    )
    model = model.to(device)
    model.load_state_dict({"0.weight": weight})
    return model, perm


def simulate_window_max(prefix: torch.Tensor, perm: torch.Tensor, n: int, crop) -> torch.Tensor:
    """What generate must produce with window_max_model; crop(seq) -> the window the model sees."""
    seq = prefix.clone()
    for _ in range(n):
        window = crop(seq)
        nxt = perm[window.max(dim=1).values]
        seq = torch.cat([seq, nxt[:, None]], dim=1)
    return seq


class ProbeLM(nn.Module):
    """Embedding -> Linear: (B, T) -> (B, T, V), built identically in the kernel (as a Sequential)."""

    def __init__(self, V: int, E: int):
        super().__init__()
        self.net = nn.Sequential(nn.Embedding(V, E), nn.Linear(E, V))

    def forward(self, idx):
        return self.net(idx)


def probe_lm(submission, gen, V, E, device):
    here = ProbeLM(V, E)
    for p in here.parameters():
        p.data = torch.randn(p.shape, generator=gen)
    model = submission.make(
        "torch.nn.Sequential",
        submission.make("torch.nn.Embedding", V, E),
        submission.make("torch.nn.Linear", E, V),
    ).to(device)
    model.load_state_dict(dict(here.net.state_dict()))
    return model, here


def reference_sgd_step(model: nn.Module, lr: float, x, y, zero_grad: bool = True) -> float:
    if zero_grad:
        model.zero_grad(set_to_none=True)
    loss = reference_lm_loss(model(x).float(), y).float()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return float(loss)


# ---------------------------------------------------------------- the Markov source

ORDER = 2  # the next symbol depends on the previous two


class MarkovSource:
    """An order-2 Markov chain over V symbols with Dirichlet(alpha) transition rows, drawn now.

    P[a, b, c] = p(x_t = c | x_{t-2} = a, x_{t-1} = b). Sequences start from the stationary
    distribution of pairs, so every position has the same conditional entropy.
    """

    def __init__(self, gen: torch.Generator, v_range=(5, 8), alpha=0.3, floor=1e-3):
        self.V = V = int(torch.randint(v_range[0], v_range[1], (1,), generator=gen))
        rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,), generator=gen)))
        P = torch.from_numpy(rng.dirichlet([alpha] * V, size=(V, V))) + floor
        self.P = P / P.sum(-1, keepdim=True)  # (V, V, V) float64
        # stationary distribution of the pair chain (a, b) -> (b, c)
        M = torch.zeros(V * V, V * V, dtype=torch.float64)
        a, b, c = torch.meshgrid(torch.arange(V), torch.arange(V), torch.arange(V), indexing="ij")
        M[(a * V + b).reshape(-1), (b * V + c).reshape(-1)] = self.P.reshape(-1)
        A = torch.cat(
            [
                (M.T - torch.eye(V * V, dtype=torch.float64)),
                torch.ones(1, V * V, dtype=torch.float64),
            ]
        )
        rhs = torch.zeros(V * V + 1, 1, dtype=torch.float64)
        rhs[-1] = 1.0
        pi = torch.linalg.lstsq(A, rhs).solution.reshape(V, V).clamp_min(0)
        self.pi2 = pi / pi.sum()  # (V, V): p(x_{t-2} = a, x_{t-1} = b)

    def entropy_rates(self) -> tuple[float, float, float]:
        """(H2, H1, H0) in nats: H(x_t | two previous), H(x_t | one previous), H(x_t)."""
        joint = self.pi2[:, :, None] * self.P  # p(a, b, c)
        H2 = float(-(joint * self.P.log()).sum())
        pbc = joint.sum(0)  # p(b, c)
        H1 = float(-(pbc * (pbc / pbc.sum(1, keepdim=True)).log()).sum())
        pc = pbc.sum(0)
        H0 = float(-(pc * pc.log()).sum())
        return H2, H1, H0

    def sample(self, n: int, length: int, gen: torch.Generator) -> torch.Tensor:
        """(n, length) int64 sequences started from the stationary pair distribution."""
        V = self.V
        s = torch.empty(n, length, dtype=torch.long)
        first = torch.multinomial(self.pi2.reshape(1, -1).expand(n, -1), 1, generator=gen)[:, 0]
        s[:, 0], s[:, 1] = first // V, first % V
        for t in range(2, length):
            s[:, t] = torch.multinomial(self.P[s[:, t - 2], s[:, t - 1]], 1, generator=gen)[:, 0]
        return s

    def true_nll(self, seqs: torch.Tensor) -> torch.Tensor:
        """(n, length - 2): -log p(x_t | x_{t-2}, x_{t-1}) for t >= 2, float64."""
        return -self.P.log()[seqs[:, :-2], seqs[:, 1:-1], seqs[:, 2:]]


# integration settings; thresholds from docs/calibration-text.md
MARKOV = dict(block_size=16, batch=32, steps=200, lr=3e-3, held_out=256)
FLOOR_EPS = 0.05  # nats below the source's empirical entropy that sampling noise may explain
CEILING_FRAC = 0.5  # allowed excess over the entropy rate, as a fraction of H1 - H2


def markov_run(submission, gen, device, chunk: int = 50) -> dict:
    """Train the candidate's CharLM on the source and measure its held-out loss ourselves.

    Returns a dict of floats: ce (the model's held-out loss, nats per character, positions with
    at least ORDER characters of context), h_emp (the true chain's loss on the same characters),
    and the entropy rates H2, H1, H0 of the source.
    """
    source = MarkovSource(gen)
    V, T = source.V, MARKOV["block_size"]
    model = submission.CharLM(vocab_size=V, block_size=T).to(device)
    opt = submission.make("torch.optim.AdamW", model.parameters(), lr=MARKOV["lr"])
    steps, B = MARKOV["steps"], MARKOV["batch"]
    losses = []
    for start in range(0, steps, chunk):
        data = source.sample(B * min(chunk, steps - start), T + 1, gen)
        calls = [
            (model, opt, d[:, :-1].contiguous().to(device), d[:, 1:].contiguous().to(device))
            for d in data.split(B)
        ]
        losses += submission.lm_train_step.map(calls)
    for i, loss in enumerate(losses):
        expect_float(loss, f"lm_train_step (step {i + 1})")
    held = source.sample(MARKOV["held_out"], T + 1, gen)
    model.eval()
    logits = expect_tensor(
        model(held[:, :-1].to(device)),
        "CharLM(...)(idx) after training",
        shape=(len(held), T, V),
        dtype=torch.float32,
        finite=True,
    )
    logp = torch.log_softmax(logits.detach().double(), dim=-1)  # (n, T, V)
    nll = -logp.gather(-1, held[:, 1:, None]).squeeze(-1)  # (n, T): position t predicts x_{t+1}
    ce = float(nll[:, ORDER - 1 :].mean())  # drop positions with less than ORDER characters seen
    h_emp = float(source.true_nll(held).mean())
    H2, H1, H0 = source.entropy_rates()
    return dict(
        V=V, ce=ce, h_emp=h_emp, H2=H2, H1=H1, H0=H0, first_loss=losses[0], last_loss=losses[-1]
    )


def check_markov(result: dict) -> None:
    ce, h = result["ce"], result["h_emp"]
    floor = h - FLOOR_EPS
    ceiling = h + CEILING_FRAC * (result["H1"] - result["H2"])
    check(
        ce >= floor,
        f"CharLM: after training, the held-out loss is {ce:.3f} nats per character, below the "
        f"source's own {h:.3f} (an order-{ORDER} Markov chain): no model can beat the source "
        "without seeing the future, so position t sees characters after t (missing or wrong "
        "causal mask?)",
    )
    check(
        ce <= ceiling,
        f"CharLM: after {MARKOV['steps']} training steps (AdamW, lr={MARKOV['lr']}) the held-out "
        f"loss is {ce:.3f} nats per character; the source's entropy rate is {h:.3f} and a model "
        f"that uses only the last character gets {result['H1']:.3f}, so the ceiling is "
        f"{ceiling:.3f}: the model does not learn to predict from the previous characters "
        "(check lm_loss, lm_train_step, and that attention mixes earlier positions)",
    )
