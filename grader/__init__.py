"""Grade Jupyter notebook exercises in a sandboxed kernel with trusted reference tests.

Public surface: `grader.grading.grade_notebook(path, Options(...)) -> Report`; reference tests
import their helpers from `grader.testing`. (Nothing is imported here, so `grade` can start
the kernel before it imports torch.)
"""
