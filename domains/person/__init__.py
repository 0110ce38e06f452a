"""Natural persons (个人)."""
