"""Tables of the labor_contract app."""
