"""The kernel's cage: bubblewrap namespaces, cgroup limits and rlimits.

The kernel sees a read-only file system, a private /tmp (its working directory, size-capped),
no network, its own PID namespace, and none of the grader's secrets (reference tests,
solutions, hidden tests). Where bubblewrap cannot run, the kernel runs with the limits the OS
still allows and every report says `"sandbox": "none"`.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).with_name("launcher.py")
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for one kernel; every value is a named setting with a default."""

    memory_mb: int = 4096  # resident memory (cgroup), or address space where no cgroup
    processes: int = 256  # processes and threads
    file_size_mb: int = 256  # largest file the kernel may write
    tmp_size_mb: int = 512  # its private /tmp, which is also its working directory
    open_files: int = 1024
    cpu_seconds: int = 3600  # CPU time backstop; wall time is watched by the grader
    threads: int = 1  # intra-op threads: exercise models are small, and extra threads on a
    # busy 2-core machine made a GAN training step 20x slower (docs/grader.md)


@functools.cache
def bubblewrap_works() -> bool:
    """True when bwrap exists and can build the namespaces we need on this machine."""
    if not shutil.which("bwrap"):
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    probe += ["--unshare-all", "--die-with-parent", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class CgroupLimits:
    """A pids + memory cgroup for one kernel (cgroup v1 or v2), where we may create one."""

    def __init__(self, limits: Limits):
        self.dirs: dict[str, Path] = {}
        name = f"prep-grade-{uuid.uuid4().hex[:12]}"
        wanted = {
            "pids": [("pids.max", str(limits.processes))],
            "memory": [("memory.limit_in_bytes", str(limits.memory_mb * MiB))],
        }
        for controller, settings in wanted.items():
            base = self._controller_dir(controller)
            if base is None:
                continue
            if controller == "memory" and (base / "memory.max").exists():
                settings = [("memory.max", str(limits.memory_mb * MiB))]
            try:
                (base / name).mkdir()
                for file, value in settings:
                    (base / name / file).write_text(value)
                self.dirs[controller] = base / name
            except OSError:
                self._remove(base / name)

    @staticmethod
    def _controller_dir(controller: str) -> Path | None:
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return Path("/sys/fs/cgroup", controller) / path.lstrip("/")
            if controllers == "" and Path("/sys/fs/cgroup/cgroup.controllers").exists():
                unified = Path("/sys/fs/cgroup") / path.lstrip("/")
                if controller in (unified / "cgroup.controllers").read_text().split():
                    return unified
        return None

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs.values()]

    def oom_killed(self) -> bool:
        memory = self.dirs.get("memory")
        if memory is None:
            return False
        for events in ("memory.oom_control", "memory.events"):
            try:
                for line in (memory / events).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
            except OSError:
                continue
        return False

    def kill_all(self) -> None:
        """Kill whatever the kernel left behind (a daemonised child, a fork bomb's tail)."""
        for directory in self.dirs.values():
            try:
                pids = (directory / "cgroup.procs").read_text().split()
            except OSError:
                continue
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except OSError:
                    pass

    def remove(self) -> None:
        self.kill_all()
        for directory in self.dirs.values():
            self._remove(directory)

    @staticmethod
    def _remove(directory: Path) -> None:
        try:
            directory.rmdir()
        except OSError:
            pass


@dataclass
class Sandbox:
    """Builds the command line that starts one kernel inside its cage."""

    device: str  # "cpu" or "cuda"
    hidden: list[Path] = field(default_factory=list)  # paths the kernel must not read
    limits: Limits = field(default_factory=Limits)
    use_bubblewrap: bool = True

    def __post_init__(self) -> None:
        self.kind = "bubblewrap" if self.use_bubblewrap and bubblewrap_works() else "none"
        self.cgroups = CgroupLimits(self.limits)
        self.warnings: list[str] = []
        if self.kind == "none":
            self.warnings.append(
                "no sandbox: bubblewrap is missing or cannot run here, so the notebook ran "
                "with resource limits only (install bubblewrap, see README)"
            )
        if "pids" not in self.cgroups.dirs and os.geteuid() == 0:
            self.warnings.append("no process limit: the pids cgroup is not available")

    def command(self, kernel_argv: list[str], ipc_dir: Path, request_dir: Path) -> list[str]:
        """The kernel's command line; it may write to `ipc_dir` and only read `request_dir`."""
        spec = {"cgroup_procs": self.cgroups.procs_files, "rlimits": self._rlimits()}
        launcher = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(spec), "--"]
        if self.kind == "none":
            return launcher + kernel_argv
        return launcher + self._bubblewrap_args(ipc_dir, request_dir) + ["--"] + kernel_argv

    def environment(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": "/tmp",
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "XDG_CACHE_HOME": "/tmp/.cache",
            "OMP_NUM_THREADS": str(self.limits.threads),
            "MKL_NUM_THREADS": str(self.limits.threads),
        }
        if self.device != "cuda":
            env["CUDA_VISIBLE_DEVICES"] = ""  # a CPU grading run must not touch the GPU
        elif "CUDA_VISIBLE_DEVICES" in os.environ:
            env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
        return env

    def _rlimits(self) -> dict[str, int]:
        limits = {
            "fsize": self.limits.file_size_mb * MiB,
            "nofile": self.limits.open_files,
            "cpu": self.limits.cpu_seconds,
        }
        if "memory" not in self.cgroups.dirs and self.device != "cuda":
            limits["as"] = self.limits.memory_mb * MiB  # CUDA reserves huge address space
        if os.geteuid() != 0:
            limits["nproc"] = self.limits.processes  # the kernel is ignored for root
        return limits

    def _bubblewrap_args(self, ipc_dir: Path, request_dir: Path) -> list[str]:
        args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        args += ["--size", str(self.limits.tmp_size_mb * MiB), "--tmpfs", "/tmp"]
        for path in self.hidden:
            if path.is_dir():
                args += ["--tmpfs", str(path)]
            elif path.exists():
                args += ["--ro-bind", "/dev/null", str(path)]
        for path in self._needed_inside_hidden():
            args += ["--ro-bind", str(path), str(path)]
        args += [
            "--bind",
            str(ipc_dir),
            str(ipc_dir),
            "--ro-bind",
            str(request_dir),
            str(request_dir),
        ]
        if self.device == "cuda":
            for node in sorted(glob.glob("/dev/nvidia*")):
                args += ["--dev-bind", node, node]
        args += ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL"]
        args += ["--chdir", "/tmp", "--clearenv"]
        for key, value in self.environment().items():
            args += ["--setenv", key, value]
        return args

    def _needed_inside_hidden(self) -> list[Path]:
        """The Python installation, if it lives under a hidden folder (a venv in the repo)."""
        needed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.executable)}
        hidden = [p.resolve() for p in self.hidden]
        return sorted(n for n in needed if any(h in n.parents for h in hidden) and n.is_dir())

    def close(self) -> None:
        self.cgroups.remove()
