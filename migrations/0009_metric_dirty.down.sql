ALTER TABLE metric_deployments RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
ALTER TABLE metric_changes RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
ALTER TABLE metric_incidents RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);

DROP TRIGGER metric_dirty_upd ON integrations;
DROP TRIGGER metric_dirty_upd ON jira_projects;
DROP TRIGGER metric_dirty_upd ON repositories;
DROP TRIGGER metric_dirty_ins ON work_item_transitions;
DROP TRIGGER metric_dirty_upd ON work_item_transitions;
DROP TRIGGER metric_dirty_ins ON work_items;
DROP TRIGGER metric_dirty_upd ON work_items;
DROP TRIGGER metric_dirty_ins ON github_issues;
DROP TRIGGER metric_dirty_upd ON github_issues;
DROP TRIGGER metric_dirty_ins ON workflow_runs;
DROP TRIGGER metric_dirty_upd ON workflow_runs;
DROP TRIGGER metric_dirty_ins ON deployment_pull_requests;
DROP TRIGGER metric_dirty_upd ON deployment_pull_requests;
DROP TRIGGER metric_dirty_del ON deployment_pull_requests;
DROP TRIGGER metric_dirty_ins ON pull_requests;
DROP TRIGGER metric_dirty_upd ON pull_requests;
DROP TRIGGER metric_dirty_ins ON deployments;
DROP TRIGGER metric_dirty_upd ON deployments;
DROP TRIGGER metric_dirty_del ON deployments;

DROP FUNCTION metric_dirty_integrations();
DROP FUNCTION metric_dirty_jira_projects();
DROP FUNCTION metric_dirty_repositories();
DROP FUNCTION metric_dirty_work_item_transitions();
DROP FUNCTION metric_dirty_mark_items(bigint[]);
DROP FUNCTION metric_dirty_work_items();
DROP FUNCTION metric_dirty_github_issues();
DROP FUNCTION metric_dirty_workflow_runs();
DROP FUNCTION metric_dirty_mark_runs(bigint[], text[]);
DROP FUNCTION metric_dirty_deployment_pull_requests();
DROP FUNCTION metric_dirty_mark_links(bigint[], bigint[]);
DROP FUNCTION metric_dirty_pull_requests();
DROP FUNCTION metric_dirty_deployments();

DROP TABLE metric_dirty;
