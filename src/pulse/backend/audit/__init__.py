"""The audit trail of auth and admin events."""
