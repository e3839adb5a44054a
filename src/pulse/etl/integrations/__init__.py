"""Integrations: a tenant's configured GitHub/Jira sources, with credentials encrypted at rest."""
