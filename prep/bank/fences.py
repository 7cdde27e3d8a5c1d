"""Run code blocks from the bank, each in its own process, with a time limit.

Starting a Python that imports torch costs seconds, and the bank has many small blocks that
import it. So one helper interpreter (`python -m prep.bank.fences`) imports the modules the
blocks import, once, and then forks a child per block: each child starts from that clean,
just-imported state (nothing another block did is visible), runs the block as `__main__`,
and is killed at the time limit. Children reseed `random` and numpy's global generator from
the OS, as a fresh interpreter would.

    results = run_blocks(["import torch; assert torch.ones(2).sum() == 2"], timeout=60)
    results[0].ok, results[0].output
"""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass

__all__ = ["BlockResult", "run_blocks"]


@dataclass(frozen=True)
class BlockResult:
    returncode: int | None  # None: killed at the time limit
    output: str  # stdout and stderr, interleaved

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def _imported_modules(codes: list[str]) -> list[str]:
    """Top-level modules the blocks import (those that parse), to import once up front."""
    names: dict[str, None] = {}
    for code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # the block's own run reports it
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(a.name.split(".")[0] for a in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module.split(".")[0]] = None
    return list(names)


def run_blocks(
    codes: list[str], *, timeout: float = 60, workers: int | None = None
) -> list[BlockResult]:
    """Run each code block in its own process; results in the same order."""
    if not codes:
        return []
    job = {
        "codes": codes,
        "preload": _imported_modules(codes),
        "timeout": timeout,
        "workers": workers or max(2, os.cpu_count() or 2),
    }
    # the helper's own limit: every block at its limit, one batch after another, plus start-up
    batches = -(-len(codes) // job["workers"])
    proc = subprocess.run(
        [sys.executable, "-m", "prep.bank.fences"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=batches * (timeout + 5) + 120,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the block runner failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return [BlockResult(r["returncode"], r["output"]) for r in json.loads(proc.stdout)]


# --- the helper interpreter ------------------------------------------------------------------


def _child(code: str, out_fd: int) -> None:
    """In the forked child: run `code` as __main__ with output to `out_fd`; never return."""
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "torch" in sys.modules:  # blocks run side by side: one thread each
        sys.modules["torch"].set_num_threads(1)
    sys.argv = ["-c"]
    status = 0
    try:
        exec(compile(code, "<block>", "exec"), {"__name__": "__main__"})  # noqa: S102
    except SystemExit as exc:
        if exc.code not in (None, 0):
            if not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
            status = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # the block's failure is the result being measured
        # from the block's own frames on (the first frame is this function)
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _serve() -> None:
    job = json.load(sys.stdin)
    real_stdout = os.dup(1)  # the results go here; anything else printed goes to stderr
    os.dup2(2, 1)
    for name in job["preload"]:
        try:
            __import__(name)
        except Exception:  # noqa: S112 (a block that needs it will fail on its own)
            continue
    codes, limit, workers = job["codes"], job["timeout"], job["workers"]
    results: list[dict | None] = [None] * len(codes)
    running: dict[int, tuple[int, float, int, str]] = {}  # pid -> (index, start, fd, path)
    killed: set[int] = set()
    pending = list(range(len(codes)))
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        while pending or running:
            while pending and len(running) < workers:
                i = pending.pop(0)
                fd, path = tempfile.mkstemp(dir=work)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    _child(codes[i], fd)
                running[pid] = (i, time.monotonic(), fd, path)
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                now = time.monotonic()
                for child, (_, start, _, _) in running.items():
                    if now - start > limit and child not in killed:
                        os.kill(child, signal.SIGKILL)
                        killed.add(child)
                time.sleep(0.01)
                continue
            i, _, fd, path = running.pop(pid)
            os.close(fd)
            with open(path, encoding="utf-8", errors="replace") as f:
                output = f.read()
            if pid in killed:
                results[i] = {"returncode": None, "output": output}
            else:
                results[i] = {"returncode": os.waitstatus_to_exitcode(status), "output": output}
    os.write(real_stdout, json.dumps(results).encode())


if __name__ == "__main__":
    _serve()
