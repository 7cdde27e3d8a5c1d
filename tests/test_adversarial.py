"""Attacks on the grader: each notebook is the GAN starter plus attack cells. Every one must
score 0, the grader must still write its report, and the machine must be left as it was."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from conftest import ROOT, grade_json, with_cells

STARTER = ROOT / "exercises" / "gan.ipynb"
MARKER = Path("/tmp/prep-adversarial-pwned")  # an attack that gets code run outside creates it
FAKE_REPORT = '{"exercise": "gan", "score": 25.0, "max_score": 25.0, "tests": []}'

# A cheat that defines every task so the fast unit tests reach the check, with fake answers.
FAKE_ANSWERS = """
import torch
def sample_noise(n, dim, generator=None): return torch.zeros(n, dim)
def discriminator_loss(r, f): return torch.tensor(0.0)
def generator_loss(f): return torch.tensor(0.0)
"""

ATTACKS = {
    "monkeypatch_torch_pytest_builtins": [
        FAKE_ANSWERS,
        """
import builtins, torch, numpy
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.Tensor.__eq__ = lambda *a: True
numpy.allclose = lambda *a, **k: True
builtins.isinstance = lambda *a: True
builtins.abs = lambda x: 0
try:
    import pytest
    pytest.fail = lambda *a, **k: None
except ImportError:
    pass
""",
    ],
    "fake_json_on_stdout": [
        f"""
import os, sys
print({FAKE_REPORT!r})
sys.__stdout__.write({FAKE_REPORT!r})
os.write(1, {FAKE_REPORT!r}.encode())
os.write(2, b"Error: everything passed")
"""
    ],
    "fake_results_files": [
        f"""
import os
for path in ["results.json", "../results.json", "/tmp/results.json", {str(ROOT / "results.json")!r},
             {str(ROOT / "exercises" / "results.json")!r}, os.path.expanduser("~/results.json")]:
    try:
        with open(path, "w") as f:
            f.write({FAKE_REPORT!r})
    except OSError:
        pass
"""
    ],
    "sys_exit_mid_notebook": ["import sys\nsys.exit(0)", FAKE_ANSWERS],
    "os_exit_mid_notebook": ["import os\nos._exit(0)"],
    "kill_parent_and_group": [
        """
import os, signal
for target in (os.getppid(), 1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
try:
    os.killpg(0, signal.SIGKILL)
except OSError:
    pass
"""
    ],
    "infinite_loop": ["while True:\n    pass"],
    "memory_bomb": ["hog = []\nwhile True:\n    hog.append(bytearray(50_000_000))"],
    "bounded_fork_bomb": [
        """
import os, time
children = []
for _ in range(600):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
print(len(children), "children")
"""
    ],
    "multi_gb_file": [
        """
import os
chunk = b"x" * (64 << 20)
for path in ["big.bin", "/tmp/big2.bin", "/dev/shm/big.bin"]:
    try:
        with open(path, "wb") as f:
            for _ in range(64):  # 4 GB
                f.write(chunk)
    except OSError as error:
        print(path, error)
"""
    ],
    "copy_answers_from_the_solution": [
        f"""
import json
source = json.load(open({str(ROOT / "solutions" / "gan.ipynb")!r}))
exec("\\n".join("".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"
               and "demo" not in c["metadata"].get("tags", [])))
"""
    ],
    "connect_to_a_listening_port": [],  # filled in by the test (needs the port)
    "reduce_runs_code_if_unpickled": [
        f"""
import os, torch
class Evil:
    def __reduce__(self):
        return (os.system, ("touch {MARKER}",))
def discriminator_loss(r, f): return Evil()
def generator_loss(f): return [Evil(), torch.tensor(0.0)]
__prep__.encode = lambda value: value      # bypass the runtime: pickle the object itself
"""
    ],
    "float_and_tensor_subclasses": [
        """
import torch
class Sly(float):
    def __eq__(self, other): return True
    def __repr__(self): return "0.6931"
    __hash__ = float.__hash__
class SlyTensor(torch.Tensor):
    def __eq__(self, other): return torch.tensor(True)
    def __repr__(self): return "tensor(0.6931)"
def discriminator_loss(r, f): return torch.zeros(()).as_subclass(SlyTensor)
def generator_loss(f): return Sly(0.69)
def sample_noise(n, dim, generator=None):
    return torch.randn(n, dim).as_subclass(SlyTensor)
def gan_train_step(*args):
    return {"d_loss": Sly(1.0), "g_loss": Sly(1.0)}
__prep__.encode = lambda value: value
"""
    ],
    "input_transformer_and_custom_exc": [
        """
ip = get_ipython()
ip.input_transformers_cleanup.append(lambda lines: ["print('score: 25/25')\\n"])
ip.set_custom_exc((BaseException,), lambda *a, **k: None)
"""
    ],
    "walk_frames_to_kernel_channels": [
        FAKE_ANSWERS,
        """
import base64, io, sys, torch
def forged_answer():
    buffer = io.BytesIO()
    torch.save({"ok": True, "value": torch.tensor(0.6931)}, buffer)
    return base64.b64encode(buffer.getvalue()).decode()
kernel = None
for frame in sys._current_frames().values():
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if type(candidate).__name__ == "IPythonKernel":
            kernel = candidate
        frame = frame.f_back
kernel = kernel or get_ipython().kernel
def discriminator_loss(r, f):
    for _ in range(3):  # flood iopub with forged answers, then a forged idle
        kernel.session.send(kernel.iopub_socket, "display_data",
                            {"data": {"application/vnd.prep.answer+base64": forged_answer()},
                             "metadata": {}}, parent=kernel.get_parent("shell"))
    return torch.tensor(0.6931)
""",
    ],
}


PLANTED = [
    ROOT / "results.json",
    ROOT / "exercises" / "results.json",
    Path("/tmp/results.json"),
    Path.home() / "results.json",
    Path("/tmp/big2.bin"),
    Path("/dev/shm/big.bin"),
    MARKER,
]


def planted() -> list[Path]:
    """Files the attacks try to leave where a person or a tool would look for results."""
    return [p for p in PLANTED if p.exists()]


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    received = []

    def accept():
        try:
            conn, _ = server.accept()
            received.append(conn.recv(100))
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    yield server.getsockname()[1], received
    thread.join()
    server.close()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_scores_zero_and_leaves_no_trace(attack, tmp_path, listener):
    port, received = listener
    cells = ATTACKS[attack] or [
        f"""
import socket
s = socket.socket()
try:
    s.connect(("127.0.0.1", {port}))
    s.sendall(b"score: 25/25")
except OSError as error:
    print("blocked:", error)
"""
    ]
    for path in planted():
        path.unlink()
    notebook = with_cells(STARTER, cells, tmp_path / f"{attack}.ipynb")
    report = grade_json(
        notebook, "-k", "not ring", "--cell-timeout", "5", "--timeout", "10", "--memory", "1024"
    )
    assert report["score"] == 0, [t for t in report["tests"] if t["status"] == "passed"]
    assert report["_exit_code"] == 1
    assert report["max_score"] > 0 and len(report["tests"]) >= 10
    assert not MARKER.exists(), "unpickling ran the candidate's code in the grader"
    assert received == [], "the kernel reached a port on the host's loopback"
    assert planted() == []
    assert not list(tmp_path.glob("*.json")) and not list(tmp_path.glob("*.bin"))


def test_crashing_and_hanging_cells_are_named_in_the_report(tmp_path):
    notebook = with_cells(
        STARTER, ["while True:\n    pass", "import os\nos._exit(3)"], tmp_path / "both.ipynb"
    )
    report = grade_json(notebook, "-k", "closed_form", "--cell-timeout", "3")
    notes = report["notebook_notes"]
    assert any("ran past 3 s and was skipped" in n for n in notes), notes
    assert any("the kernel died; skipped" in n for n in notes), notes


def test_memory_bomb_is_reported_as_out_of_memory(tmp_path):
    notebook = with_cells(STARTER, ATTACKS["memory_bomb"], tmp_path / "oom.ipynb")
    report = grade_json(notebook, "-k", "closed_form", "--memory", "512")
    assert any("out of memory (limit 512 MB)" in n for n in report["notebook_notes"]), report
