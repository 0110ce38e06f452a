"""Tables of the labor_inspection app."""
