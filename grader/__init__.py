"""Grade Jupyter notebook exercises in a sandboxed kernel with trusted reference tests.

Public surface: `grade_notebook(path, Options(...)) -> Report`; reference tests import their
helpers from `grader.testing`.
"""

from grader.grading import Options, grade_notebook
from grader.report import Report, TestResult

__all__ = ["Options", "Report", "TestResult", "grade_notebook"]
