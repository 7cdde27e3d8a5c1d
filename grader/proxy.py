"""The trusted half of the submission proxy: what reference tests call.

A test calls `submission.NAME(...)`; the arguments travel to the kernel as a `torch.save`
blob, the kernel calls the candidate's `NAME`, and the answer comes back as another blob that
is read with `torch.load(weights_only=True)`: tensors, numbers, strings, lists, tuples and
dicts only, never arbitrary objects. Anything else stays in the kernel as a `Handle`.
"""

from __future__ import annotations

import io
import re
import time
from typing import Any

import numpy as np
import torch

from grader.errors import (
    CandidateRaised,
    MalformedAnswer,
    MissingName,
    NotImplementedYet,
)
from grader.kernel import KernelSession

MAX_ANSWER_BYTES = 512 * 1024 * 1024


def clean_text(value: Any, limit: int = 200) -> str:
    """Untrusted text from the kernel, made safe to print on one line."""
    text = value if isinstance(value, str) else repr(type(value))
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Submission:
    """The candidate's notebook as seen from a reference test."""

    def __init__(self, session: KernelSession):
        self._session = session
        self.deadline = time.monotonic() + 3600.0  # set per test by the grader

    def __getattr__(self, name: str) -> Remote:
        if name.startswith("_"):
            raise AttributeError(name)
        return Remote(self, name, None, name)

    def make(self, path: str, *args: Any, **kwargs: Any) -> Any:
        """Build `path` (e.g. "torch.optim.Adam") in the kernel from the given arguments."""
        return self._request({"op": "make", "path": path, "args": args, "kwargs": kwargs}, path)

    def autograd(
        self,
        target: str | Handle,
        *args: Any,
        wrt: tuple[int, ...] = (0,),
        output_index: int | None = None,
        **kwargs: Any,
    ) -> tuple[Any, list[torch.Tensor | None]]:
        """Call `target` with gradients on `args[i] for i in wrt`; return (output, grads)."""
        ref, what = (target._ref, target._what) if isinstance(target, Handle) else (target, target)
        request = {"op": "autograd", "target": ref, "args": args, "kwargs": kwargs}
        request |= {"wrt": list(wrt), "output_index": output_index}
        answer = self._request(request, what)
        if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], list)):
            raise MalformedAnswer(f"{what}: the gradient answer is malformed")
        grads = answer[1]
        if len(grads) != len(wrt) or any(
            g is not None and type(g) is not torch.Tensor for g in grads
        ):
            raise MalformedAnswer(f"{what}: the gradient answer is malformed")
        return answer[0], grads

    def seed_kernel(self, seed: int) -> None:
        """Seed the kernel's RNGs (repeatable initialisation; verdicts never rely on it)."""
        try:
            self._request({"op": "seed", "seed": seed}, "seeding the kernel")
        except MalformedAnswer:
            pass

    # -- transport --
    def _request(self, request: dict, what: str) -> Any:
        buffer = io.BytesIO()
        torch.save(_encode(request), buffer)
        timeout = self.deadline - time.monotonic()
        blob = self._session.request(buffer.getvalue(), timeout, what)
        if blob is None or len(blob) > MAX_ANSWER_BYTES:
            raise MalformedAnswer(f"{what} returned no answer the grader can read")
        try:
            reply = torch.load(io.BytesIO(blob), weights_only=True, map_location="cpu")
        except Exception:
            raise MalformedAnswer(f"{what} returned data the grader cannot read") from None
        if type(reply) is not dict or reply.get("ok") not in (True, False):
            raise MalformedAnswer(f"{what} returned data the grader cannot read")
        if reply["ok"] is True:
            return self._decode(reply.get("value"), what)
        raise _failure(reply, request, what)

    def _decode(self, x: Any, what: str) -> Any:
        if type(x) is dict and "__prep_handle__" in x:
            if type(x["__prep_handle__"]) is not int:
                raise MalformedAnswer(f"{what} returned data the grader cannot read")
            return Handle(self, x, f"{what}(...)", clean_text(x.get("type"), 60))
        if type(x) is dict and "__prep_ndarray__" in x:
            return _tensor(x["__prep_ndarray__"], what).numpy()
        if type(x) is dict and "__prep_npscalar__" in x:
            return _tensor(x["__prep_npscalar__"], what).numpy()[()]
        if type(x) in (list, tuple):
            return type(x)(self._decode(v, what) for v in x)
        if type(x) is dict:
            return {k: self._decode(v, what) for k, v in x.items()}
        if x is None or type(x) in (bool, int, float, str):
            return x
        return _tensor(x, what)


class Remote:
    """A function (or a handle's method) in the kernel, called by name."""

    def __init__(self, submission: Submission, target: Any, attr: str | None, what: str):
        self._submission, self._target, self._attr, self._what = submission, target, attr, what

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        request = {"op": "call", "target": self._target, "attr": self._attr}
        request |= {"args": args, "kwargs": kwargs}
        return self._submission._request(request, self._what)

    def map(self, calls: list[tuple], kwargs: dict | None = None) -> list:
        """Call once per argument tuple, all in one round trip; return the list of results."""
        request = {"op": "map", "target": self._target, "attr": self._attr}
        request["calls"] = [(tuple(args), kwargs or {}) for args in calls]
        results = self._submission._request(request, self._what)
        if type(results) is not list or len(results) != len(calls):
            raise MalformedAnswer(f"{self._what}: expected {len(calls)} results")
        return results


class Handle:
    """An object that lives in the kernel (a model, an optimizer): call it or its methods."""

    def __init__(self, submission: Submission, ref: dict, what: str, type_name: str):
        self._submission, self._ref, self._what, self.type_name = submission, ref, what, type_name

    def __getattr__(self, name: str) -> Remote:
        if name.startswith("_"):
            raise AttributeError(name)
        return Remote(self._submission, self._ref, name, f"{self._what}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return Remote(self._submission, self._ref, None, self._what)(*args, **kwargs)

    def get(self, name: str) -> Any:
        """The value of attribute `name` (plain data, or another handle)."""
        request = {"op": "getattr", "target": self._ref, "attr": name}
        return self._submission._request(request, f"{self._what}.{name}")

    def __repr__(self) -> str:
        return f"<Handle {self.type_name} from {self._what}>"


def _encode(x: Any) -> Any:
    if isinstance(x, Handle):
        return x._ref
    if isinstance(x, np.ndarray):
        return {"__prep_ndarray__": torch.from_numpy(np.ascontiguousarray(x))}
    if isinstance(x, (list, tuple)):
        return type(x)(_encode(v) for v in x)
    if isinstance(x, dict):
        return {k: _encode(v) for k, v in x.items()}
    if x is None or isinstance(x, (bool, int, float, str, torch.Tensor)):
        return x
    raise TypeError(f"cannot send a {type(x).__name__} to the kernel")


def _tensor(x: Any, what: str) -> torch.Tensor:
    if type(x) is not torch.Tensor:
        raise MalformedAnswer(f"{what} returned data the grader cannot read")
    return x


def _failure(reply: dict, request: dict, what: str) -> Exception:
    if reply.get("missing") == request.get("target") and isinstance(request.get("target"), str):
        return MissingName(f"{request['target']} is not defined in the notebook")
    if reply.get("not_implemented") is True:
        return NotImplementedYet(f"{what}: not implemented yet (it raises NotImplementedError)")
    if reply.get("oom") is True:
        return CandidateRaised(f"{what} ran out of memory")
    etype, message = clean_text(reply.get("etype"), 60), clean_text(reply.get("message"))
    return CandidateRaised(
        f"{what} raised {etype}: {message}" if message else f"{what} raised {etype}"
    )
