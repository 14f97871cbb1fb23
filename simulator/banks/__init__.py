"""Question banks: the YAML format, loading with clear errors, and drawing a round."""

from simulator.banks.loader import BankProblem, load_bank, load_banks, validate_bank_file
from simulator.banks.model import Bank, FollowUp, Question, RubricPoint

__all__ = [
    "Bank", "BankProblem", "FollowUp", "Question", "RubricPoint",
    "load_bank", "load_banks", "validate_bank_file",
]
