ALTER TABLE metric_refresh_state DROP COLUMN requested_at;
ALTER TABLE metric_refresh_state DROP COLUMN built_version;
ALTER TABLE metric_refresh_state DROP COLUMN requested_version;
-- Rows of tenants never built meant "build before the first read" by their absence before this step.
DELETE FROM metric_refresh_state WHERE refreshed_at IS NULL;
ALTER TABLE metric_refresh_state ALTER COLUMN refreshed_at SET NOT NULL;
