DROP INDEX ix_job_runs_client_finished;
-- Push runs cannot exist without the 'push' trigger: remove them (and their events) first.
DELETE FROM job_events WHERE job_run_id IN (SELECT id FROM job_runs WHERE trigger = 'push');
UPDATE sync_checkpoints SET job_run_id = NULL WHERE job_run_id IN (SELECT id FROM job_runs WHERE trigger = 'push');
UPDATE sync_schedules SET last_job_run_id = NULL
    WHERE last_job_run_id IN (SELECT id FROM job_runs WHERE trigger = 'push');
DELETE FROM job_runs WHERE trigger = 'push';
ALTER TABLE job_runs DROP CONSTRAINT job_runs_trigger_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_trigger_check CHECK (trigger IN ('manual', 'schedule'));

DROP TABLE push_tokens;
