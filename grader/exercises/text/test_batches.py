"""get_batch: shapes, the one-step shift between inputs and targets, the range of offsets, and
the use of the generator. The ids are a permutation, so each row's offset can be read back."""

import torch
from helpers import chi_square_pvalue

from grader.testing import check, expect_tensor, expect_tuple, points


def draw_ids(gen):
    n = int(torch.randint(20, 60, (1,), generator=gen))
    block = int(torch.randint(3, 9, (1,), generator=gen))
    return torch.randperm(n, generator=gen), block


def call_get_batch(submission, ids, block, batch, generator, device):
    answer = submission.get_batch(ids.to(device), block, batch, generator)
    what = f"get_batch(ids, block_size={block}, batch_size={batch}, generator)"
    x, y = expect_tuple(answer, what, length=2)
    expect_tensor(x, what + "[0] (x)", shape=(batch, block), dtype=torch.int64)
    expect_tensor(y, what + "[1] (y)", shape=(batch, block), dtype=torch.int64)
    return x, y


def offsets_of(ids, x):
    """Offset of every row of x in ids (ids is a permutation of 0..N-1), checking contiguity."""
    where = torch.empty(len(ids), dtype=torch.long)
    where[ids] = torch.arange(len(ids))
    check(bool(((x >= 0) & (x < len(ids))).all()), "get_batch: x holds values that are not in ids")
    starts = where[x[:, 0]]
    T = x.size(1)
    windows = starts[:, None] + torch.arange(T)
    check(
        bool((windows < len(ids)).all()) and torch.equal(ids[windows.clamp_max(len(ids) - 1)], x),
        "get_batch: the rows of x are not contiguous windows ids[i : i + block_size]",
    )
    return starts


def test_get_batch_shapes_and_dtypes(submission, gen, device):
    ids, block = draw_ids(gen)
    batch = int(torch.randint(1, 9, (1,), generator=gen))
    g = submission.make("torch.Generator", device="cpu").manual_seed(1)
    call_get_batch(submission, ids, block, batch, g, device)


@points(2)
def test_get_batch_targets_are_shifted_by_one(submission, gen, device):
    """y[b, t] = ids[i + t + 1] where x[b, t] = ids[i + t] [T-d]."""
    ids, block = draw_ids(gen)
    g = submission.make("torch.Generator", device="cpu").manual_seed(2)
    x, y = call_get_batch(submission, ids, block, 64, g, device)
    starts = offsets_of(ids, x)
    check(
        not torch.equal(x, y),
        "[T-d] get_batch: the targets equal the inputs (y == x). A language model predicts the "
        "NEXT character: y = ids[i + 1 : i + block_size + 1]",
    )
    want = ids[(starts[:, None] + torch.arange(block) + 1).clamp_max(len(ids) - 1)]
    check(
        bool((starts + block < len(ids)).all()) and torch.equal(y, want),
        "[T-d] get_batch: y is not x shifted by one (y[b, t] must be ids[i + t + 1] where "
        "x[b, t] = ids[i + t])",
    )


@points(2)
def test_get_batch_offsets_cover_every_window(submission, gen, device):
    """Offsets are uniform over 0 .. N - block_size - 1: the last window is reachable, none overruns."""
    ids, block = draw_ids(gen)
    n_windows = len(ids) - block
    batch = 40 * n_windows
    g = submission.make("torch.Generator", device="cpu").manual_seed(3)
    x, y = call_get_batch(submission, ids, block, batch, g, device)
    starts = offsets_of(ids, x)
    check(
        bool((starts <= n_windows - 1).all()),
        f"get_batch: an offset past N - block_size - 1 = {n_windows - 1}: its targets would "
        "run past the end of ids",
    )
    counts = torch.bincount(starts, minlength=n_windows)
    check(
        bool(counts[-1] > 0),
        f"get_batch: in {batch} draws the last valid window (offset N - block_size - 1 = "
        f"{n_windows - 1}) never appeared: off-by-one in the offsets' range (torch.randint's "
        "high is exclusive: use high = len(ids) - block_size)",
    )
    check(
        bool((counts > 0).all()),
        f"get_batch: offsets {torch.nonzero(counts == 0).flatten().tolist()} never appeared in "
        f"{batch} draws: draw offsets uniformly from 0 .. N - block_size - 1",
    )
    _, p = chi_square_pvalue(counts, torch.full((n_windows,), 1.0 / n_windows))
    check(
        p > 1e-6,
        f"get_batch: the offsets are not uniform over the {n_windows} windows "
        f"(chi-square p = {p:.1e})",
    )


def test_get_batch_uses_the_generator(submission, gen, seed, device):
    ids, block = draw_ids(gen)
    draws = []
    for _ in range(2):
        g = submission.make("torch.Generator", device="cpu").manual_seed(seed)
        draws.append(call_get_batch(submission, ids, block, 16, g, device))
    check(
        torch.equal(draws[0][0], draws[1][0]) and torch.equal(draws[0][1], draws[1][1]),
        "get_batch: two generators with the same seed gave different batches: pass `generator` "
        "to torch.randint",
    )
