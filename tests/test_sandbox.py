"""The sandbox, probed from inside: a notebook reports what it could read, write, reach and
fork, and private tests (run with --tests) check those reports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, by_name, grade_json, with_cells

PROBES = textwrap.dedent(f'''
    import glob, os, socket

    def readable_secrets():
        """Reference tests, solutions and the project's tests the kernel can open."""
        found = []
        for pattern in [{str(ROOT / "grader" / "**" / "*.py")!r}, {str(ROOT / "solutions" / "*")!r},
                        {str(ROOT / "tests" / "**" / "*")!r}]:
            for path in glob.glob(pattern, recursive=True):
                try:
                    open(path).read(1)
                    found.append(path)
                except OSError:
                    pass
        return found

    def writable_places():
        ok = []
        for folder in [{str(ROOT)!r}, "/etc", "/root", "/usr", "/var/tmp", "/tmp", os.getcwd()]:
            try:
                with open(os.path.join(folder, "probe.txt"), "w") as f:
                    f.write("x")
                ok.append(folder)
            except OSError:
                pass
        return ok

    def network():
        reached = []
        for host, port in [("127.0.0.1", 22), ("127.0.0.1", 80), ("8.8.8.8", 53), ("::1", 22)]:
            s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
            s.settimeout(1)
            try:
                s.connect((host, port))
                reached.append(f"{{host}}:{{port}}")
            except OSError:
                pass  # refused by the sandbox's own empty loopback, or unreachable
            finally:
                s.close()
        return reached

    def max_children():
        import time
        pids = []
        try:
            for _ in range(1000):
                pid = os.fork()
                if pid == 0:
                    time.sleep(5)
                    os._exit(0)
                pids.append(pid)
        except OSError:
            pass
        return len(pids)

    def largest_file_mb():
        written = 0
        try:
            with open("big.bin", "wb") as f:
                for _ in range(2048):
                    f.write(b"x" * (1 << 20))
                    written += 1
        except OSError:
            pass
        return written

    def visible_commands():
        commands = []
        for pid in os.listdir("/proc"):
            try:
                commands.append(open(f"/proc/{{pid}}/cmdline").read().replace("\\0", " "))
            except OSError:
                pass
        return commands

    def user_and_caps():
        status = open("/proc/self/status").read()
        return [line for line in status.splitlines() if line.startswith("CapEff")][0].split()[1]
''')

PRIVATE_TESTS = """
def test_secrets_are_hidden(submission):
    assert submission.readable_secrets() == []

def test_only_tmp_is_writable(submission):
    places = submission.writable_places()
    assert "/tmp" in places and all(p == "/tmp" or p.startswith("/tmp/") for p in places), places

def test_no_network(submission):
    assert submission.network() == []

def test_fork_is_limited(submission):
    assert submission.max_children() < 256

def test_file_size_is_limited(submission):
    assert submission.largest_file_mb() <= 256

def test_processes_of_the_host_are_invisible(submission):
    commands = submission.visible_commands()
    ours = [c for c in commands if c == "" or c.startswith("bwrap ") or "ipykernel_launcher" in c]
    assert commands and ours == commands, [c[:80] for c in commands if c not in ours]

def test_capabilities_are_dropped(submission):
    assert submission.user_and_caps() == "0000000000000000"
"""


@pytest.fixture(scope="module")
def probe_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sandbox")
    notebook = with_cells(ROOT / "exercises" / "gan.ipynb", [PROBES], folder / "probe.ipynb")
    private = folder / "private"
    private.mkdir()
    (private / "test_probe.py").write_text(PRIVATE_TESTS)
    return grade_json(
        notebook, "--tests", str(private), "--tests-mode", "replace", "--timeout", "30"
    )


@pytest.mark.parametrize(
    "name",
    [
        "test_secrets_are_hidden",
        "test_only_tmp_is_writable",
        "test_no_network",
        "test_fork_is_limited",
        "test_file_size_is_limited",
        "test_processes_of_the_host_are_invisible",
        "test_capabilities_are_dropped",
    ],
)
def test_sandbox_property(probe_report, name):
    result = by_name(probe_report)[name]
    assert result["status"] == "passed", result["message"]
    assert probe_report["sandbox"] == "bubblewrap"


def test_writes_inside_the_sandbox_never_reach_the_host(probe_report):
    # The probe wrote probe.txt wherever it could; only its private /tmp took it.
    assert [p for p in (ROOT / "probe.txt", Path("/etc/probe.txt")) if p.exists()] == []
