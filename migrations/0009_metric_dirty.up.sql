-- Incremental metric facts (issue 12): every write to a source table the facts read records, in the same
-- transaction, which scope it touched and the earliest point from which an answer can move. The refresh
-- after a sync (pulse.analytics.refresh.refresh_pending) consumes these rows and recomputes only that.
--
-- Streams:
--   deployments   repository_id, since: production deployments, their changes and the incidents attributed
--                 across that repository from `since` on
--   changes       repository_id, since: the changes of that repository's deployments from `since` on
--   incidents     repository_id (GitHub issues), project_id (Jira work items) or integration_id (the
--                 `incidents` table: PagerDuty, Opsgenie, push), since: those incidents
--   pull_requests repository_id: some pull request row of the repository changed (for pull request facts)
--   work_items    project_id: some work item or transition of the project changed (for flow facts)
-- `since` = '-infinity' means "from the beginning" (a deactivation, a repository renamed).
--
-- Statement-level AFTER triggers with transition tables write them, so every writer (the connectors, the
-- push API, the demo loader) records what it touched without knowing about the facts, and one batch of
-- 1,000 upserted rows costs one small grouped INSERT. Updates that change no column a fact reads record
-- nothing, so a re-synced unchanged page costs nothing to refresh.

CREATE TABLE metric_dirty (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    stream          text NOT NULL
        CHECK (stream IN ('deployments', 'changes', 'incidents', 'pull_requests', 'work_items')),
    repository_id   bigint,
    project_id      bigint,
    integration_id  bigint,
    since           timestamptz NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(repository_id, project_id, integration_id) = 1)
);
CREATE INDEX ix_metric_dirty_client ON metric_dirty (client_id);

-- The refresh deletes one repository's facts from a point on.
CREATE INDEX ix_metric_deployments_repo_finished ON metric_deployments (repository_id, finished_at);
CREATE INDEX ix_metric_changes_repo_deployed ON metric_changes (repository_id, deployed_at);

-- deployments: which rows are production deployments, and from when the repository's answers move.
CREATE FUNCTION metric_dirty_deployments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT n.client_id, 'deployments', n.repository_id, min(n.finished_at)
        FROM new_rows n WHERE n.finished_at IS NOT NULL GROUP BY n.client_id, n.repository_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT x.client_id, 'deployments', x.repository_id, min(x.at)
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id, o.repository_id, o.finished_at),
                                   (n.client_id, n.repository_id, n.finished_at)) x (client_id, repository_id, at)
        WHERE x.at IS NOT NULL
          AND (o.active, o.status, o.finished_at, o.environment, o.sha, o.source, o.changes_computed, o.repository_id)
              IS DISTINCT FROM
              (n.active, n.status, n.finished_at, n.environment, n.sha, n.source, n.changes_computed, n.repository_id)
        GROUP BY x.client_id, x.repository_id;
    ELSE
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT o.client_id, 'deployments', o.repository_id, min(o.finished_at)
        FROM old_rows o WHERE o.finished_at IS NOT NULL GROUP BY o.client_id, o.repository_id;
    END IF;
    RETURN NULL;
END $$;

-- pull_requests: a merge time decides the fallback deployment (which finished at or after it); a PR linked by
-- compare data belongs to that deployment; first commit / opened times give the lead time.
CREATE FUNCTION metric_dirty_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT n.client_id, 'changes', n.repository_id, min(n.merged_at)
        FROM new_rows n WHERE n.merged_at IS NOT NULL GROUP BY n.client_id, n.repository_id;
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT DISTINCT n.client_id, 'pull_requests', n.repository_id, '-infinity'::timestamptz FROM new_rows n;
    ELSE
        WITH changed AS (
            SELECT o.id, o.client_id, o.repository_id AS old_repo, n.repository_id AS new_repo,
                   o.merged_at AS old_merged, n.merged_at AS new_merged
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.active, o.merged_at, o.first_commit_at, o.opened_at, o.repository_id)
                  IS DISTINCT FROM (n.active, n.merged_at, n.first_commit_at, n.opened_at, n.repository_id)
        ),
        points AS (
            SELECT c.client_id, c.old_repo AS repository_id, c.old_merged AS at FROM changed c
            UNION ALL SELECT c.client_id, c.new_repo, c.new_merged FROM changed c
            UNION ALL
            SELECT d.client_id, d.repository_id, d.finished_at
            FROM changed c JOIN deployment_pull_requests dp ON dp.pull_request_id = c.id
            JOIN deployments d ON d.id = dp.deployment_id
        )
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT p.client_id, 'changes', p.repository_id, min(p.at) FROM points p WHERE p.at IS NOT NULL
        GROUP BY p.client_id, p.repository_id;
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT DISTINCT x.client_id, 'pull_requests', x.repository_id, '-infinity'::timestamptz
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id, o.repository_id), (n.client_id, n.repository_id))
            x (client_id, repository_id)
        WHERE to_jsonb(o) - 'last_updated_at' IS DISTINCT FROM to_jsonb(n) - 'last_updated_at';
    END IF;
    RETURN NULL;
END $$;

-- deployment_pull_requests: the deployments a link moves between, and the PR's own repository from its merge
-- (a linked PR leaves every fallback). A trigger's transition tables exist only for its own event, so each
-- event passes its rows to one marking function.
CREATE FUNCTION metric_dirty_mark_links(deployment_ids bigint[], pull_request_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    WITH points AS (
        SELECT d.client_id, d.repository_id, d.finished_at AS at
        FROM deployments d WHERE d.id = ANY(deployment_ids)
        UNION ALL
        SELECT pr.client_id, pr.repository_id, pr.merged_at
        FROM pull_requests pr WHERE pr.id = ANY(pull_request_ids)
    )
    INSERT INTO metric_dirty (client_id, stream, repository_id, since)
    SELECT p.client_id, 'changes', p.repository_id, min(p.at) FROM points p WHERE p.at IS NOT NULL
    GROUP BY p.client_id, p.repository_id;
$$;

CREATE FUNCTION metric_dirty_deployment_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM metric_dirty_mark_links(array_agg(n.deployment_id), array_agg(n.pull_request_id)) FROM new_rows n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM metric_dirty_mark_links(array_agg(o.deployment_id), array_agg(o.pull_request_id)) FROM old_rows o;
    END IF;
    RETURN NULL;
END $$;

-- workflow_runs: a run's name can make a deployment of its sha count, under a workflow-name rule. Only
-- tenants with such a rule pay the lookup (a new rule is a settings write: a full rebuild).
CREATE FUNCTION metric_dirty_mark_runs(repository_ids bigint[], shas text[]) RETURNS void LANGUAGE sql AS $$
    WITH runs AS (
        SELECT DISTINCT r.repository_id, r.sha FROM unnest(repository_ids, shas) r (repository_id, sha)
        WHERE r.sha IS NOT NULL
    )
    INSERT INTO metric_dirty (client_id, stream, repository_id, since)
    SELECT d.client_id, 'deployments', d.repository_id, min(d.finished_at)
    FROM runs r JOIN deployments d ON d.repository_id = r.repository_id AND d.sha = r.sha
    WHERE d.finished_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM deployment_rules dr WHERE dr.client_id = d.client_id AND dr.active
          AND dr.source = 'workflow_run' AND dr.workflow_name_pattern IS NOT NULL)
    GROUP BY d.client_id, d.repository_id;
$$;

CREATE FUNCTION metric_dirty_workflow_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM metric_dirty_mark_runs(array_agg(n.repository_id), array_agg(n.head_sha)) FROM new_rows n;
    ELSE
        PERFORM metric_dirty_mark_runs(array_agg(x.repository_id), array_agg(x.head_sha))
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.repository_id, o.head_sha), (n.repository_id, n.head_sha)) x (repository_id, head_sha)
        WHERE (o.active, o.name, o.head_sha, o.repository_id) IS DISTINCT FROM (n.active, n.name, n.head_sha, n.repository_id);
    END IF;
    RETURN NULL;
END $$;

-- github_issues: an incident's labels, times, title or number (its key).
CREATE FUNCTION metric_dirty_github_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT n.client_id, 'incidents', n.repository_id, min(n.opened_at)
        FROM new_rows n GROUP BY n.client_id, n.repository_id;
    ELSE
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT x.client_id, 'incidents', x.repository_id, min(x.at)
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id, o.repository_id, o.opened_at),
                                   (n.client_id, n.repository_id, n.opened_at)) x (client_id, repository_id, at)
        WHERE (o.active, o.labels, o.opened_at, o.closed_at, o.state, o.title, o.number, o.repository_id)
              IS DISTINCT FROM (n.active, n.labels, n.opened_at, n.closed_at, n.state, n.title, n.number, n.repository_id)
        GROUP BY x.client_id, x.repository_id;
    END IF;
    RETURN NULL;
END $$;

-- work_items: a Jira incident's type, team, times, key or summary; any change for the flow facts.
CREATE FUNCTION metric_dirty_work_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, project_id, since)
        SELECT n.client_id, 'incidents', n.project_id, min(n.opened_at)
        FROM new_rows n GROUP BY n.client_id, n.project_id;
        INSERT INTO metric_dirty (client_id, stream, project_id, since)
        SELECT DISTINCT n.client_id, 'work_items', n.project_id, '-infinity'::timestamptz FROM new_rows n;
    ELSE
        INSERT INTO metric_dirty (client_id, stream, project_id, since)
        SELECT x.client_id, 'incidents', x.project_id, min(x.at)
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id, o.project_id, o.opened_at),
                                   (n.client_id, n.project_id, n.opened_at)) x (client_id, project_id, at)
        WHERE (o.active, o.issue_type, o.team, o.opened_at, o.resolved_at, o.key, o.summary, o.project_id)
              IS DISTINCT FROM
              (n.active, n.issue_type, n.team, n.opened_at, n.resolved_at, n.key, n.summary, n.project_id)
        GROUP BY x.client_id, x.project_id;
        INSERT INTO metric_dirty (client_id, stream, project_id, since)
        SELECT DISTINCT x.client_id, 'work_items', x.project_id, '-infinity'::timestamptz
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id, o.project_id), (n.client_id, n.project_id)) x (client_id, project_id)
        WHERE to_jsonb(o) - 'last_updated_at' IS DISTINCT FROM to_jsonb(n) - 'last_updated_at';
    END IF;
    RETURN NULL;
END $$;

-- incidents (incident tools and the push API): per integration, whose service mappings attribute them.
CREATE FUNCTION metric_dirty_tool_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, integration_id, since)
        SELECT n.client_id, 'incidents', n.integration_id, min(n.opened_at)
        FROM new_rows n GROUP BY n.client_id, n.integration_id;
    ELSE
        INSERT INTO metric_dirty (client_id, stream, integration_id, since)
        SELECT x.client_id, 'incidents', x.integration_id, min(x.at)
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id, o.integration_id, o.opened_at),
                                   (n.client_id, n.integration_id, n.opened_at)) x (client_id, integration_id, at)
        WHERE (o.active, o.source, o.key, o.title, o.opened_at, o.resolved_at, o.service_id, o.service_name,
               o.repository_id, o.integration_id)
              IS DISTINCT FROM
              (n.active, n.source, n.key, n.title, n.opened_at, n.resolved_at, n.service_id, n.service_name,
               n.repository_id, n.integration_id)
        GROUP BY x.client_id, x.integration_id;
    END IF;
    RETURN NULL;
END $$;

-- work_item_transitions: the flow facts of the item's project.
CREATE FUNCTION metric_dirty_mark_items(work_item_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO metric_dirty (client_id, stream, project_id, since)
    SELECT DISTINCT wi.client_id, 'work_items', wi.project_id, '-infinity'::timestamptz
    FROM work_items wi WHERE wi.id = ANY(work_item_ids);
$$;

CREATE FUNCTION metric_dirty_work_item_transitions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM metric_dirty_mark_items(array_agg(DISTINCT n.work_item_id)) FROM new_rows n;
    ELSE
        PERFORM metric_dirty_mark_items(array_agg(DISTINCT n.work_item_id))
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE to_jsonb(o) - 'last_updated_at' IS DISTINCT FROM to_jsonb(n) - 'last_updated_at';
    END IF;
    RETURN NULL;
END $$;

-- repositories: deactivated (removed from the integration's settings), revived or renamed: all of it.
CREATE FUNCTION metric_dirty_repositories() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metric_dirty (client_id, stream, repository_id, since)
    SELECT n.client_id, s.stream, n.id, '-infinity'::timestamptz
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN (VALUES ('deployments'), ('incidents'), ('pull_requests')) s (stream)
    WHERE (o.active, o.integration_id, o.full_name) IS DISTINCT FROM (n.active, n.integration_id, n.full_name);
    RETURN NULL;
END $$;

-- jira_projects: deactivated or revived.
CREATE FUNCTION metric_dirty_jira_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metric_dirty (client_id, stream, project_id, since)
    SELECT n.client_id, s.stream, n.id, '-infinity'::timestamptz
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN (VALUES ('incidents'), ('work_items')) s (stream)
    WHERE (o.active, o.integration_id, o.key) IS DISTINCT FROM (n.active, n.integration_id, n.key);
    RETURN NULL;
END $$;

-- integrations: deactivating one hides all its repositories, projects and tool incidents.
CREATE FUNCTION metric_dirty_integrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH flipped AS (
        SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.active IS DISTINCT FROM n.active
    )
    INSERT INTO metric_dirty (client_id, stream, repository_id, project_id, since)
    SELECT r.client_id, s.stream, r.id, NULL, '-infinity'::timestamptz
    FROM repositories r JOIN flipped f ON f.id = r.integration_id
    CROSS JOIN (VALUES ('deployments'), ('incidents'), ('pull_requests')) s (stream)
    UNION ALL
    SELECT p.client_id, s.stream, NULL, p.id, '-infinity'::timestamptz
    FROM jira_projects p JOIN flipped f ON f.id = p.integration_id
    CROSS JOIN (VALUES ('incidents'), ('work_items')) s (stream);
    -- An incident tool's incidents follow its active flag and its settings (the service mappings).
    INSERT INTO metric_dirty (client_id, stream, integration_id, since)
    SELECT n.client_id, 'incidents', n.id, '-infinity'::timestamptz
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.active, o.settings) IS DISTINCT FROM (n.active, n.settings);
    RETURN NULL;
END $$;

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON deployments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_deployments();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON deployments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_deployments();
CREATE TRIGGER metric_dirty_del AFTER DELETE ON deployments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_deployments();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON pull_requests REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_pull_requests();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON pull_requests REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_pull_requests();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON deployment_pull_requests REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_deployment_pull_requests();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON deployment_pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_deployment_pull_requests();
CREATE TRIGGER metric_dirty_del AFTER DELETE ON deployment_pull_requests REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_deployment_pull_requests();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON workflow_runs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_workflow_runs();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON workflow_runs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_workflow_runs();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON github_issues REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_github_issues();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON github_issues REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_github_issues();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON work_items REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_work_items();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON work_items REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_work_items();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_tool_incidents();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_tool_incidents();

CREATE TRIGGER metric_dirty_ins AFTER INSERT ON work_item_transitions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_work_item_transitions();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON work_item_transitions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_work_item_transitions();

CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON repositories REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_repositories();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON jira_projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_jira_projects();
CREATE TRIGGER metric_dirty_upd AFTER UPDATE ON integrations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION metric_dirty_integrations();

-- The fact tables hold every tenant's rows: a refresh no longer runs ANALYZE on them (it took a lock and
-- sampled all tenants' rows after each tenant's rebuild). Autovacuum analyzes them once 2 % of the rows (at
-- least 500) changed instead of the default 10 %, so one large tenant's first build is analyzed within a
-- minute while a routine 1 % sync leaves the statistics alone. See docs/metrics.md.
ALTER TABLE metric_deployments SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE metric_changes SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE metric_incidents SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE metric_dirty SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
