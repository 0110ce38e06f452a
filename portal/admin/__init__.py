"""Administration pages: staff users, roles, jurisdictions, dictionary, audit and login logs."""
