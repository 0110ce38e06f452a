"""Labour-contract filing (劳动用工备案)."""
