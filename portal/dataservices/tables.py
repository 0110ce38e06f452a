"""Tables of the dataservices app."""
