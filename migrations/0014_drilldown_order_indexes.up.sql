-- The DORA drill-downs' first pages (issue 12): the tenant-and-time indexes of the deployment and change
-- facts now run in each page's default order (newest first, NULLS LAST as the sort clause says, then the
-- tie-break), so page one is read off the index instead of sorting the whole period. Range scans for the
-- summaries and trends use the same indexes (backwards), so they replace the ascending ones.
DROP INDEX ix_metric_deployments_client_finished;
CREATE INDEX ix_metric_deployments_client_finished
    ON metric_deployments (client_id, finished_at DESC NULLS LAST, deployment_id DESC);
DROP INDEX ix_metric_changes_client_deployed;
CREATE INDEX ix_metric_changes_client_deployed
    ON metric_changes (client_id, deployed_at DESC NULLS LAST, pull_request_id DESC);
