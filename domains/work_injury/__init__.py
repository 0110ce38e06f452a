"""Work-injury reports and certificates."""
