"""Login, tokens, validation, logout, password changes and login throttling."""
