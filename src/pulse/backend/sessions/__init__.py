"""Login sessions: listing and ending them, with revocation events."""
