"""make_pair: inputs and next-step targets, on batched and 1-D codes [T-d]."""

import torch

from grader.testing import expect_tensor, expect_tuple, fail


def test_make_pair_shifts_by_one(submission, gen, device):
    B, T = (int(v) for v in torch.randint(2, 30, (2,), generator=gen))
    Q = int(torch.randint(8, 300, (1,), generator=gen))
    for codes in (
        torch.randint(Q, (B, T + 1), generator=gen),
        torch.randint(Q, (T + 1,), generator=gen),
    ):
        shape = tuple(codes.shape)
        what = f"make_pair(codes of shape {shape})"
        x, y = expect_tuple(submission.make_pair(codes.to(device)), what, length=2)
        want = shape[:-1] + (T,)
        if (
            type(x) is torch.Tensor
            and type(y) is torch.Tensor
            and x.shape == y.shape == codes.shape
        ):
            if torch.equal(x, y):
                fail(
                    f"[T-d] {what}: the targets equal the inputs, so the model learns to copy "
                    "its input: x = codes[..., :-1], y = codes[..., 1:]"
                )
        expect_tensor(x, f"{what}[0] (the inputs)", shape=want, dtype=torch.int64)
        expect_tensor(y, f"{what}[1] (the targets)", shape=want, dtype=torch.int64)
        if torch.equal(x, codes[..., 1:]) and torch.equal(y, codes[..., :-1]):
            fail(
                f"{what}: inputs and targets are swapped: the target at t is the NEXT code, "
                "y = codes[..., 1:], x = codes[..., :-1]"
            )
        if not (torch.equal(x, codes[..., :-1]) and torch.equal(y, codes[..., 1:])):
            fail(
                f"[T-d] {what}: expected x = codes[..., :-1] and y = codes[..., 1:] (the "
                "target at t is the code at t + 1)"
            )
