"""Judging answers against the rubric and choosing the follow-up."""
