"""Platform reference data (字典), holiday calendar, audit log."""
