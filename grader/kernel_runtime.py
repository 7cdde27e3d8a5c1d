"""Runs inside the candidate's kernel: the untrusted half of the submission proxy.

The grader sends this file's source to the kernel before the notebook runs. Each request is a
base64 `torch.save` blob; the answer goes back as one display_data output with a private MIME
type. Nothing here is trusted: the candidate can replace any of it. That is fine, because the
grader decodes answers with `torch.load(weights_only=True)` and checks every value itself;
a missing or mangled answer scores 0.
"""

import base64
import importlib
import io
import random


class PrepRuntime:
    MIME = "application/vnd.prep.answer+base64"

    def __init__(self, namespace):
        import torch
        from IPython.display import display

        self.ns = namespace
        self.torch = torch
        self.display = display
        self.handles = {}  # handle id -> object kept alive in the kernel

    # -- encoding: plain data goes back by value, anything else stays here as a handle --
    def handle_of(self, obj):
        for hid, kept in self.handles.items():
            if kept is obj:
                return {"__prep_handle__": hid, "type": type(obj).__qualname__}
        hid = len(self.handles) + 1
        self.handles[hid] = obj
        return {"__prep_handle__": hid, "type": type(obj).__qualname__}

    def encode(self, x):
        torch = self.torch
        if x is None or type(x) in (bool, int, float, str):
            return x
        if type(x) in (torch.Tensor, torch.nn.Parameter):
            return x.detach().as_subclass(torch.Tensor)
        kind = type(x).__module__.split(".")[0]
        if kind == "numpy" and type(x).__name__ == "ndarray" and x.dtype.kind in "biuf":
            return {"__prep_ndarray__": torch.from_numpy(x.copy())}
        if kind == "numpy" and hasattr(x, "dtype") and x.dtype.kind in "biuf" and x.ndim == 0:
            return {"__prep_npscalar__": torch.from_numpy(x.reshape(1).copy())[0]}
        if type(x) in (list, tuple):
            return type(x)(self.encode(v) for v in x)
        if type(x) is dict and all(type(k) is str for k in x):
            return {k: self.encode(v) for k, v in x.items()}
        if type(x).__name__ == "OrderedDict" and all(type(k) is str for k in x):
            return {k: self.encode(v) for k, v in x.items()}
        return self.handle_of(x)

    def decode(self, x):
        if type(x) is dict and "__prep_handle__" in x:
            return self.handles[x["__prep_handle__"]]
        if type(x) is dict and "__prep_ndarray__" in x:
            return x["__prep_ndarray__"].numpy()
        if type(x) in (list, tuple):
            return type(x)(self.decode(v) for v in x)
        if type(x) is dict:
            return {k: self.decode(v) for k, v in x.items()}
        return x

    # -- requests --
    def target(self, request):
        ref = request["target"]
        if type(ref) is str:
            if ref not in self.ns:
                raise LookupError(ref)
            obj = self.ns[ref]
        else:
            obj = self.decode(ref)
        return getattr(obj, request["attr"]) if request.get("attr") else obj

    def op_call(self, request):
        fn = self.target(request)
        return fn(*self.decode(request["args"]), **self.decode(request["kwargs"]))

    def op_getattr(self, request):
        return self.target(request)

    def op_map(self, request):
        fn = self.target(request)
        return [fn(*self.decode(args), **self.decode(kw)) for args, kw in request["calls"]]

    def op_make(self, request):
        module_name, _, attr = request["path"].rpartition(".")
        obj = getattr(importlib.import_module(module_name), attr)
        return obj(*self.decode(request["args"]), **self.decode(request["kwargs"]))

    def op_autograd(self, request):
        torch = self.torch
        fn = self.target(request)
        args = list(self.decode(request["args"]))
        for i in request["wrt"]:
            args[i] = args[i].detach().clone().requires_grad_(True)
        out = fn(*args, **self.decode(request["kwargs"]))
        picked = out if request["output_index"] is None else out[request["output_index"]]
        parts = picked if isinstance(picked, (tuple, list)) else [picked]
        total = sum(p.sum() for p in parts if isinstance(p, torch.Tensor) and p.requires_grad)
        if isinstance(total, torch.Tensor):
            total.backward()
        return out, [args[i].grad for i in request["wrt"]]

    def op_seed(self, request):
        self.torch.manual_seed(request["seed"])
        random.seed(request["seed"])
        try:
            import numpy

            numpy.random.seed(request["seed"] % 2**32)
        except ImportError:
            pass

    def answer(self, reply):
        buffer = io.BytesIO()
        self.torch.save(reply, buffer)
        blob = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.display({self.MIME: blob}, raw=True)

    def __call__(self, path):
        request = self.torch.load(path, weights_only=True)
        try:
            value = getattr(self, "op_" + request["op"])(request)
            reply = {"ok": True, "value": self.encode(value)}
        except LookupError as error:
            if type(error) is LookupError and request.get("target") == error.args[0]:
                reply = {"ok": False, "missing": error.args[0]}
            else:
                reply = self.failure(error)
        except BaseException as error:  # the candidate's code may raise anything
            reply = self.failure(error)
        self.answer(reply)

    def failure(self, error):
        message = str(error)
        oom = isinstance(error, MemoryError) or "out of memory" in message.lower()
        oom = oom or "can't allocate memory" in message
        return {
            "ok": False,
            "etype": type(error).__name__,
            "message": message[:400],
            "not_implemented": isinstance(error, NotImplementedError),
            "oom": oom,
        }


__prep__ = PrepRuntime(get_ipython().user_ns)  # noqa: F821 (defined in the kernel)
del PrepRuntime
