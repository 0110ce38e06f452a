"""Social-insurance records and personnel changes."""
