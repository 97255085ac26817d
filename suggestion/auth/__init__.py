"""Staff accounts, roles and divisions."""
