"""Tables of the sandbox app."""
