"""One candidate notebook in one sandboxed Jupyter kernel, driven by nbclient.

`KernelSession` starts the kernel, runs the notebook's cells, and then carries requests from
the trusted side (`request(payload, timeout)`), returning the kernel's raw answer bytes. A
kernel that hangs, dies or runs out of memory is restarted (and the notebook re-run) before
the next test; the request that broke it raises a `CandidateFault`.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grader.errors import CallTimeout, KernelDied, KernelStartFailed, NotebookBroken
from grader.sandbox import Sandbox

RUNTIME_SOURCE = Path(__file__).with_name("kernel_runtime.py").read_text()
ANSWER_MIME = "application/vnd.prep.answer+base64"
SKIP_TAG = "demo"  # cells that train or plot for the reader; grading does not need them
MAX_SKIPPED_CELLS = 3


class SandboxedKernelManager(AsyncKernelManager):
    """Starts ipykernel through the sandbox instead of from the kernelspec."""

    sandbox: Sandbox
    ipc_dir: Path

    request_dir: Path

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]
        kernel += ["--HistoryManager.enabled=False", "--IPKernelApp.trio_loop=False"]
        return self.sandbox.command(kernel, self.ipc_dir, self.request_dir)


@dataclass
class CellNote:
    """Something that went wrong while the notebook ran (shown in the report)."""

    cell: int  # 1-based position among all cells, as Jupyter shows them
    text: str


@dataclass
class KernelSession:
    notebook: nbformat.NotebookNode
    sandbox: Sandbox
    cell_timeout: float = 60.0
    startup_timeout: float = 60.0
    notes: list[CellNote] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.skipped: set[int] = set()
        self.client: NotebookClient | None = None
        self.broken = True  # no kernel yet
        self.kernel_start_s = 0.0
        self.notebook_s = 0.0
        self._timeout = self.cell_timeout

    # -- lifecycle --
    def start(self) -> None:
        """Start a kernel and run the notebook, skipping cells that hang or kill it."""
        while True:
            if self.client is None:
                self.launch()
            self._connect()
            failed_cell = self._run_cells()
            if failed_cell is None:
                self.broken = False
                return
            self.skipped.add(failed_cell)
            self.shutdown()
            if len(self.skipped) > MAX_SKIPPED_CELLS:
                raise NotebookBroken(
                    f"the notebook hung or crashed the kernel in {len(self.skipped)} cells"
                )

    def ensure_running(self) -> None:
        if self.broken:
            self.shutdown()
            self.start()

    def shutdown(self) -> None:
        if self.client is not None:
            try:
                self.client._cleanup_kernel()
            except Exception:  # a dead or wedged kernel must not stop the report
                pass
            self.client = None
        self.sandbox.cgroups.kill_all()
        for folder in ("_ipc_dir", "_request_dir"):
            shutil.rmtree(getattr(self, folder, ""), ignore_errors=True)

    def launch(self) -> None:
        """Start the kernel process; it boots while the caller does other work."""
        self._launched = time.perf_counter()
        self._ipc_dir = Path(tempfile.mkdtemp(prefix="prep-kernel-"))
        self._request_dir = Path(tempfile.mkdtemp(prefix="prep-requests-"))  # read-only inside
        nb = nbformat.from_dict(self.notebook)
        nb.cells.append(nbformat.v4.new_code_cell(""))  # scratch cell for requests
        km = SandboxedKernelManager(transport="ipc", ip=str(self._ipc_dir / "kernel"))
        km.sandbox, km.ipc_dir, km.request_dir = self.sandbox, self._ipc_dir, self._request_dir
        km.connection_file = str(self._ipc_dir / "connection.json")
        self.client = NotebookClient(
            nb,
            km=km,
            timeout_func=lambda cell: self._timeout,
            startup_timeout=int(self.startup_timeout),
            allow_errors=True,
            skip_cells_with_tag=SKIP_TAG,
            record_timing=False,
            shell_timeout_interval=1,
            iopub_timeout=2,
        )
        cwd = "/tmp" if self.sandbox.kind == "bubblewrap" else str(self._ipc_dir)
        env = self.sandbox.environment()
        if self.sandbox.kind == "none":
            env["HOME"] = env["XDG_CACHE_HOME"] = cwd
        # The kernel's own stdout/stderr never reach ours: `--json` output stays clean.
        with open(self._ipc_dir / "kernel.log", "wb") as log:
            self._guarded(
                lambda: self.client.start_new_kernel(
                    cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log
                )
            )

    def _connect(self) -> None:
        """Wait for the launched kernel and install the grader's runtime in it."""
        self._guarded(self.client.start_new_kernel_client)
        self._guarded(
            lambda: self._check_runtime(self._execute(RUNTIME_SOURCE, self.startup_timeout))
        )
        self.kernel_start_s = time.perf_counter() - self._launched

    def _guarded(self, step) -> None:
        try:
            step()
        except Exception as error:
            tail = (self._ipc_dir / "kernel.log").read_text(errors="replace").strip()[-300:]
            self.shutdown()
            raise KernelStartFailed(f"the kernel did not start: {error} {tail}".strip()) from error

    @staticmethod
    def _check_runtime(cell: nbformat.NotebookNode) -> None:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise RuntimeError(f"the grader's runtime failed: {output.get('evalue')}")

    def _run_cells(self) -> int | None:
        """Run every code cell; return the index of a cell that hung or killed the kernel."""
        started = time.perf_counter()
        self._timeout = self.cell_timeout
        for index, cell in enumerate(self.client.nb.cells[:-1]):
            if cell.cell_type != "code" or index in self.skipped:
                continue
            try:
                self.client.execute_cell(cell, index)
            except CellTimeoutError:
                self.notes.append(
                    CellNote(index + 1, f"ran past {self.cell_timeout:g} s and was skipped")
                )
                return index
            except DeadKernelError:
                self.notes.append(CellNote(index + 1, f"{self._death_reason()}; skipped"))
                return index
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    text = f"raised {output.get('ename', '?')}: {output.get('evalue', '')}"
                    self.notes.append(CellNote(index + 1, text))
        self.notebook_s = time.perf_counter() - started
        return None

    def _death_reason(self) -> str:
        if self.sandbox.cgroups.oom_killed():
            return f"the kernel ran out of memory (limit {self.sandbox.limits.memory_mb} MB)"
        return "the kernel died"

    # -- requests --
    def request(self, payload: bytes, timeout: float, what: str) -> bytes | None:
        """Run one request in the kernel; return its answer blob, or None if none came."""
        if timeout <= 0:
            raise CallTimeout(f"{what} was not called: the test's time was used up")
        path = self._request_dir / f"{secrets.token_hex(16)}.pt"
        # O_EXCL | O_NOFOLLOW: a planted file or symlink makes this fail instead of redirecting.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        try:
            cell = self._execute(f"__prep__({str(path)!r})", timeout)
        except CellTimeoutError:
            self.broken = True
            raise CallTimeout(f"{what} did not return within {timeout:.0f} s") from None
        except DeadKernelError:
            self.broken = True
            raise KernelDied(f"{self._death_reason()} while running {what}") from None
        finally:
            path.unlink(missing_ok=True)
        answers = [
            o["data"][ANSWER_MIME]
            for o in cell.get("outputs", [])
            if o.get("output_type") == "display_data" and ANSWER_MIME in o.get("data", {})
        ]
        if len(answers) != 1 or not isinstance(answers[0], str):
            return None
        try:
            return base64.b64decode(answers[0], validate=True)
        except ValueError:
            return None

    def _execute(self, source: str, timeout: float) -> nbformat.NotebookNode:
        self._timeout = timeout
        index = len(self.client.nb.cells) - 1
        cell = nbformat.v4.new_code_cell(source)
        return self.client.execute_cell(cell, index, store_history=False)
