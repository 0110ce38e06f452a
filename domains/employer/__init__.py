"""Employers (单位) and their agents."""
