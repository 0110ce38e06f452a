"""Tables of the work_injury app."""
