"""The ETL Service: integrations, jobs, ingested data and analytics (port 8000)."""
