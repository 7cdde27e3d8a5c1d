"""The grading report and its output formats: table, JSON, Gradescope results.json, JUnit XML.

The JSON schema is documented in docs/grader.md; change both together.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field

STATUSES = ("passed", "failed", "error", "timeout")


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    status: str  # one of STATUSES
    message: str = ""
    duration_s: float = 0.0
    description: str = ""  # first line of the test's docstring


@dataclass
class Report:
    exercise: str
    notebook: str
    tests: list[TestResult]
    device: str
    sandbox: str
    duration_s: float
    seed: int
    warnings: list[str] = field(default_factory=list)
    notebook_notes: list[str] = field(default_factory=list)  # cells that raised, hung, died
    grader_fault: str = ""  # set when a reference test itself broke: the run exits 2
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def exit_code(self) -> int:
        if self.grader_fault:
            return 2
        return 0 if self.tests and all(t.status == "passed" for t in self.tests) else 1

    def to_dict(self) -> dict:
        data = {"exercise": self.exercise, "score": self.score, "max_score": self.max_score}
        data["tests"] = [asdict(t) for t in self.tests]
        data |= {k: v for k, v in asdict(self).items() if k not in ("exercise", "tests")}
        return data


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def to_gradescope(report: Report) -> str:
    """Gradescope's autograder results.json."""
    output = "\n".join(report.warnings + report.notebook_notes)
    tests = [
        {
            "name": t.name,
            "score": t.score,
            "max_score": t.max_score,
            "status": "passed" if t.status == "passed" else "failed",
            "output": t.message,
        }
        for t in report.tests
    ]
    data = {"score": report.score, "execution_time": round(report.duration_s, 2)}
    data |= {"output": output, "tests": tests}
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_junit(report: Report) -> str:
    suite = ET.Element(
        "testsuite",
        name=f"grade.{report.exercise}",
        tests=str(len(report.tests)),
        failures=str(sum(t.status == "failed" for t in report.tests)),
        errors=str(sum(t.status in ("error", "timeout") for t in report.tests)),
        time=f"{report.duration_s:.3f}",
    )
    for t in report.tests:
        case = ET.SubElement(
            suite, "testcase", classname=report.exercise, name=t.name, time=f"{t.duration_s:.3f}"
        )
        ET.SubElement(case, "properties").append(
            ET.Element("property", name="score", value=f"{t.score:g}/{t.max_score:g}")
        )
        if t.status == "failed":
            ET.SubElement(case, "failure", message=t.message, type="failed")
        elif t.status != "passed":
            ET.SubElement(case, "error", message=t.message, type=t.status)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def to_table(report: Report) -> str:
    rows = [
        (t.name, f"{t.score:g}/{t.max_score:g}", t.status.upper(), t.message) for t in report.tests
    ]
    name_w = max([len("test")] + [len(r[0]) for r in rows])
    lines = [f"{report.notebook}: exercise '{report.exercise}'"]
    lines += [f"warning: {w}" for w in report.warnings]
    lines += [f"notebook: {n}" for n in report.notebook_notes]
    lines.append(f"{'test':<{name_w}}  {'points':>7}  result")
    for name, pts, status, message in rows:
        line = f"{name:<{name_w}}  {pts:>7}  {status}"
        lines.append(line)
        if message and status != "PASSED":
            lines.append(" " * (name_w + 11) + message)
    if report.grader_fault:
        lines.append(f"grader fault: {report.grader_fault}")
    lines.append(
        f"total: {report.score:g}/{report.max_score:g}  ({report.device}, sandbox: "
        f"{report.sandbox}, {report.duration_s:.1f} s, seed {report.seed})"
    )
    return "\n".join(lines) + "\n"


FORMATS = {"table": to_table, "json": to_json, "gradescope": to_gradescope, "junit": to_junit}
