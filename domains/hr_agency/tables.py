"""Tables of the hr_agency app."""
