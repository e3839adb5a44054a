"""Read-back routes over the ingested business data (repositories, pull requests, deployments, work items)."""
