"""Tables of the social_insurance app."""
