"""Helpers for reference tests: points, time limits, and exact checks of untrusted answers.

Every `expect_*` checks the exact type first (no subclasses: a `float` subclass or a `Tensor`
subclass with a permissive `__eq__` is rejected), then shape and dtype, and only then values.
Each failure is a `GradeFailure` whose text is the one line the candidate sees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import torch


class GradeFailure(AssertionError):
    """A check failed; the message is shown to the candidate as is."""


def points(n: float):
    """Weight of a test (default 1)."""
    return pytest.mark.points(n)


def timeout(seconds: float):
    """Time limit of a test, instead of the run's default `--timeout`."""
    return pytest.mark.timeout_s(seconds)


def fail(message: str):
    raise GradeFailure(message)


def check(condition: Any, message: str) -> None:
    """Fail with `message` unless `condition` is True (a bool, or a true 1-element bool tensor).

    Conditions are computed by the test itself, never taken from the kernel.
    """
    if type(condition) is torch.Tensor:
        ok = condition.dtype == torch.bool and condition.numel() == 1 and bool(condition.item())
    else:
        ok = isinstance(condition, (bool, np.bool_)) and bool(condition)
    if not ok:
        fail(message)


def describe(x: Any) -> str:
    if type(x) is torch.Tensor:
        return f"a {str(x.dtype).removeprefix('torch.')} tensor of shape {tuple(x.shape)}"
    return f"a {type(x).__module__}.{type(x).__qualname__}".replace("builtins.", "")


def expect_tensor(
    x: Any,
    what: str,
    shape: Sequence[int | None] | None = None,
    dtype: torch.dtype | None = None,
    finite: bool = False,
) -> torch.Tensor:
    if type(x) is not torch.Tensor:
        fail(f"{what} should return a torch.Tensor, got {describe(x)}")
    if shape is not None:
        ok = x.dim() == len(shape) and all(w is None or w == g for w, g in zip(shape, x.shape))
        if not ok:
            want = tuple("*" if s is None else s for s in shape)
            fail(f"{what} should have shape {want}, got {tuple(x.shape)}")
    if dtype is not None and x.dtype != dtype:
        fail(f"{what} should have dtype {dtype}, got {x.dtype}")
    if finite and x.is_floating_point() and not bool(torch.isfinite(x).all()):
        fail(f"{what} contains inf or nan")
    return x


def expect_float(x: Any, what: str) -> float:
    if type(x) is not float:
        fail(f"{what} should return a Python float, got {describe(x)}")
    if not math.isfinite(x):
        fail(f"{what} returned {x}")
    return x


def expect_int(x: Any, what: str) -> int:
    if type(x) is not int:
        fail(f"{what} should return a Python int, got {describe(x)}")
    return x


def expect_str(x: Any, what: str) -> str:
    if type(x) is not str:
        fail(f"{what} should return a str, got {describe(x)}")
    return x


def expect_list(x: Any, what: str, length: int | None = None) -> list:
    if type(x) is not list:
        fail(f"{what} should return a list, got {describe(x)}")
    if length is not None and len(x) != length:
        fail(f"{what} should have {length} items, got {len(x)}")
    return x


def expect_tuple(x: Any, what: str, length: int | None = None) -> tuple:
    if type(x) is not tuple:
        fail(f"{what} should return a tuple, got {describe(x)}")
    if length is not None and len(x) != length:
        fail(f"{what} should return {length} values, got {len(x)}")
    return x


def expect_dict(x: Any, what: str, keys: Sequence[str] | None = None) -> dict:
    if type(x) is not dict:
        fail(f"{what} should return a dict, got {describe(x)}")
    if keys is not None and sorted(x) != sorted(keys):
        fail(f"{what} should have keys {sorted(keys)}, got {sorted(map(str, x))}")
    return x


def same_state(
    got: Any, want: dict[str, torch.Tensor], atol: float = 1e-5, rtol: float = 1e-4
) -> bool:
    """True if `got` (an untrusted state dict) has exactly `want`'s keys, shapes and values."""
    return (
        type(got) is dict
        and set(got) == set(want)
        and all(
            type(got[k]) is torch.Tensor
            and got[k].shape == want[k].shape
            and torch.allclose(got[k], want[k], atol=atol, rtol=rtol)
            for k in want
        )
    )


def expect_close(
    got: torch.Tensor | float,
    want: torch.Tensor | float,
    message: str,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """`got` (already type-checked) equals `want` within tolerance; NaN never matches."""
    got_t = torch.as_tensor(got, dtype=torch.float64)
    want_t = torch.as_tensor(want, dtype=torch.float64)
    if got_t.shape != want_t.shape:
        fail(f"{message} (shape {tuple(got_t.shape)}, expected {tuple(want_t.shape)})")
    if not torch.allclose(got_t, want_t, atol=atol, rtol=rtol, equal_nan=False):
        worst = (got_t - want_t).abs().nan_to_num(float("inf")).max().item()
        fail(f"{message} (largest difference {worst:.3g})")
