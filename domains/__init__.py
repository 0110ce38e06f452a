"""Business domains, each a thin Piccolo app on top of portal/."""
