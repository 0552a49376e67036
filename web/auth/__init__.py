"""Staff accounts, login and logout."""
