"""Units, users, API tokens, login and permissions."""
