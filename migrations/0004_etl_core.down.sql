-- Undo 0004_etl_core.
DROP TABLE sync_schedules;
DROP TABLE sync_checkpoints;
DROP TABLE job_events;
DROP TABLE job_runs;
DROP TABLE integrations;
