"""The pytest plugin that runs reference tests in the grader's trusted process.

It provides the fixtures (`submission`, `device`, `seed`, `gen`), gives every test its own
deadline, and turns each test's outcome into a verdict. A test passes only if pytest saw its
body run to the end; everything else scores 0.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import pytest
import torch

from grader.errors import CandidateFault
from grader.kernel import KernelSession
from grader.proxy import Submission, clean_text
from grader.report import TestResult
from grader.testing import GradeFailure


class OverallTimeout(Exception):
    pass


class GradingPlugin:
    def __init__(
        self,
        session: KernelSession,
        device: str,
        run_seed: int,
        test_timeout: float,
        overall_deadline: float,
        start_error: CandidateFault | None = None,
        on_result: Callable[[TestResult, int, int], None] | None = None,
    ):
        self.session = session
        self.submission = Submission(session)
        self.device = device
        self.run_seed = run_seed
        self.test_timeout = test_timeout
        self.overall_deadline = overall_deadline
        self.start_error = start_error
        self.on_result = on_result
        self.results: list[TestResult] = []
        self.collection_errors: list[str] = []
        self.grader_fault = ""
        self._failure: dict[str, tuple[str, str]] = {}
        self._started: dict[str, float] = {}
        self._total = 0

    # -- fixtures --
    @pytest.fixture(name="submission")
    def submission_fixture(self) -> Submission:
        return self.submission

    @pytest.fixture(name="device")
    def device_fixture(self) -> str:
        return self.device

    @pytest.fixture(name="seed")
    def seed_fixture(self, request: pytest.FixtureRequest) -> int:
        return self.seed_for(request.node.nodeid)

    @pytest.fixture(name="gen")
    def gen_fixture(self, seed: int) -> torch.Generator:
        return torch.Generator().manual_seed(seed)

    def seed_for(self, nodeid: str) -> int:
        digest = hashlib.sha256(f"{self.run_seed}:{nodeid.split('::')[-1]}".encode()).digest()
        return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF

    # -- hooks --
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): the test's weight")
        config.addinivalue_line("markers", "timeout_s(seconds): the test's time limit")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(f"{report.nodeid}: {text[-1] if text else 'error'}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._started[item.nodeid] = time.monotonic()
        if self.start_error is not None:
            raise self.start_error
        if time.monotonic() > self.overall_deadline:
            raise OverallTimeout("not run: grading ran past its overall time limit")
        self.session.ensure_running()
        marker = item.get_closest_marker("timeout_s")
        limit = float(marker.args[0]) if marker else self.test_timeout
        self.submission.deadline = min(time.monotonic() + limit, self.overall_deadline)
        self.submission.seed_kernel(self.seed_for(item.nodeid))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is not None and item.nodeid not in self._failure:
            self._failure[item.nodeid] = self._classify(item, call.excinfo)
        elif report.when == "call" and report.passed:
            self._failure.setdefault(item.nodeid, ("passed", ""))

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        item_points, name, description = self._items[nodeid]
        status, message = self._failure.get(nodeid, ("failed", "the test did not run"))
        duration = time.monotonic() - self._started.get(nodeid, time.monotonic())
        result = TestResult(
            name=name,
            score=item_points if status == "passed" else 0.0,
            max_score=item_points,
            status=status,
            message=message,
            duration_s=round(duration, 3),
            description=description,
        )
        self.results.append(result)
        if self.on_result:
            self.on_result(result, len(self.results), self._total)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        names = [item.name for item in session.items]
        self._total = len(names)
        self._items = {}
        for item in session.items:
            marker = item.get_closest_marker("points")
            item_points = float(marker.args[0]) if marker else 1.0
            name = item.name if names.count(item.name) == 1 else item.nodeid
            doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
            self._items[item.nodeid] = (item_points, name, doc[0] if doc else "")

    # -- verdicts --
    def _classify(self, item: pytest.Item, excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
        error = excinfo.value
        if isinstance(error, CandidateFault):
            return error.status, str(error)
        if isinstance(error, OverallTimeout):
            return "timeout", str(error)
        if isinstance(error, GradeFailure):
            return "failed", str(error)
        if isinstance(error, AssertionError):
            first = str(error).strip().splitlines()
            if first:
                return "failed", clean_text(first[0], 300)
            statement = str(excinfo.traceback[-1].statement).strip() if excinfo.traceback else ""
            return "failed", f"check failed: {statement}" if statement else "check failed"
        if isinstance(error, pytest.skip.Exception):
            return "failed", f"skipped: {error.msg}"
        where = excinfo.traceback[-1] if excinfo.traceback else None
        location = f" ({where.path.name}:{where.lineno + 1})" if where else ""
        fault = f"{item.name}: {type(error).__name__}: {error}{location}"
        self.grader_fault = self.grader_fault or fault
        return "error", f"grader fault, not the candidate's: {type(error).__name__}{location}"
