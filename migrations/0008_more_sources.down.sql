-- Facts are derived: clear them and let the next read rebuild them from what remains.
DELETE FROM metric_changes;
DELETE FROM metric_incidents;
DELETE FROM metric_deployments;
DELETE FROM metric_refresh_state;
ALTER TABLE metric_incidents DROP CONSTRAINT metric_incidents_source_check;
ALTER TABLE metric_incidents ADD CONSTRAINT metric_incidents_source_check CHECK (source IN ('github', 'jira'));

DROP TABLE incidents;

UPDATE deployment_rules SET source = 'deployment' WHERE source IN ('pipeline', 'push');
ALTER TABLE deployment_rules DROP CONSTRAINT deployment_rules_source_check;
ALTER TABLE deployment_rules ADD CONSTRAINT deployment_rules_source_check
    CHECK (source IN ('deployment', 'workflow_run', 'release'));

DELETE FROM deployment_pull_requests WHERE deployment_id IN (SELECT id FROM deployments WHERE source IN ('pipeline', 'push'));
DELETE FROM deployment_commits WHERE deployment_id IN (SELECT id FROM deployments WHERE source IN ('pipeline', 'push'));
DELETE FROM deployments WHERE source IN ('pipeline', 'push');
ALTER TABLE deployments DROP CONSTRAINT deployments_source_check;
ALTER TABLE deployments ADD CONSTRAINT deployments_source_check
    CHECK (source IN ('deployment', 'workflow_run', 'release'));
