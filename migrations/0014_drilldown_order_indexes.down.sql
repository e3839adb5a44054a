DROP INDEX ix_metric_changes_client_deployed;
CREATE INDEX ix_metric_changes_client_deployed ON metric_changes (client_id, deployed_at);
DROP INDEX ix_metric_deployments_client_finished;
CREATE INDEX ix_metric_deployments_client_finished ON metric_deployments (client_id, finished_at);
