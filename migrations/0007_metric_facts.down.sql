DROP INDEX ix_work_items_client_updated;
DROP TABLE metric_refresh_state;
DROP TABLE metric_incidents;
DROP TABLE metric_changes;
DROP TABLE metric_deployments;
