"""Loading source rows into the business tables: idempotent bulk upserts inside the caller's transaction."""
