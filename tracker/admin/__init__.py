"""The admin pages: users, jurisdictions, deadline rules."""
