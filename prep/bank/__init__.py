"""The question bank: questions/<topic>.yaml, validated as a whole, and tools over it.

    from prep.bank import load_bank, select_questions
    bank = load_bank()                  # raises BankError listing every problem
    picked = select_questions(bank.questions, topic="gan", count=5, seed=7)

Records are plain dicts as written in YAML (rubric keys as ints), plus `_file` and `_line`.
"""

from prep.bank.select import filter_questions, fnv1a32, seed_key, select_questions
from prep.bank.stats import statistics
from prep.bank.validate import Bank, BankError, Problem, load_bank, validate_bank

__all__ = [
    "Bank",
    "BankError",
    "Problem",
    "filter_questions",
    "fnv1a32",
    "load_bank",
    "seed_key",
    "select_questions",
    "statistics",
    "validate_bank",
]
