-- Row-level scopes for the pull request and flow facts (issue 12). A sync that writes 1 % new rows touches
-- every repository and project of a tenant, so rebuilding the PR and flow facts of each touched repository /
-- project rebuilt them all. `row_id` names the one pull request (stream `pull_requests`) or work item
-- (stream `work_items`) whose facts a write moved; NULL still means every row of the scope (a repository or
-- project deactivated, renamed, revived). Both facts are per row: a PR's reads its own row and its
-- deployment (metric_changes, whose moves the refresh tracks itself); an item's its own row and transitions.
-- The work item trigger also records a Jira incident's both projects from the earlier of its old and new
-- opening times (an item moved to another project with a later opening left its old fact behind).
ALTER TABLE metric_dirty ADD COLUMN row_id bigint;

CREATE OR REPLACE FUNCTION metric_dirty_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, repository_id, since)
        SELECT n.client_id, 'changes', n.repository_id, min(n.merged_at)
        FROM new_rows n WHERE n.merged_at IS NOT NULL GROUP BY n.client_id, n.repository_id;
        INSERT INTO metric_dirty (client_id, stream, repository_id, row_id, since)
        SELECT n.client_id, 'pull_requests', n.repository_id, n.id, '-infinity'::timestamptz FROM new_rows n;
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
        INSERT INTO metric_dirty (client_id, stream, repository_id, row_id, since)
        SELECT n.client_id, 'pull_requests', n.repository_id, n.id, '-infinity'::timestamptz
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE to_jsonb(o) - 'last_updated_at' IS DISTINCT FROM to_jsonb(n) - 'last_updated_at';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION metric_dirty_work_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO metric_dirty (client_id, stream, project_id, since)
        SELECT n.client_id, 'incidents', n.project_id, min(n.opened_at)
        FROM new_rows n GROUP BY n.client_id, n.project_id;
        INSERT INTO metric_dirty (client_id, stream, project_id, row_id, since)
        SELECT n.client_id, 'work_items', n.project_id, n.id, '-infinity'::timestamptz FROM new_rows n;
    ELSE
        INSERT INTO metric_dirty (client_id, stream, project_id, since)
        SELECT x.client_id, 'incidents', x.project_id, min(x.at)
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        -- Both projects from the earlier opening: the refresh finds a Jira incident's fact through the item's
        -- current project, and the fact still holds the old opening time.
        CROSS JOIN LATERAL (VALUES (o.client_id, o.project_id, least(o.opened_at, n.opened_at)),
                                   (n.client_id, n.project_id, least(o.opened_at, n.opened_at)))
            x (client_id, project_id, at)
        WHERE (o.active, o.issue_type, o.team, o.opened_at, o.resolved_at, o.key, o.summary, o.project_id)
              IS DISTINCT FROM
              (n.active, n.issue_type, n.team, n.opened_at, n.resolved_at, n.key, n.summary, n.project_id)
        GROUP BY x.client_id, x.project_id;
        INSERT INTO metric_dirty (client_id, stream, project_id, row_id, since)
        SELECT n.client_id, 'work_items', n.project_id, n.id, '-infinity'::timestamptz
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE to_jsonb(o) - 'last_updated_at' IS DISTINCT FROM to_jsonb(n) - 'last_updated_at';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION metric_dirty_mark_items(work_item_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO metric_dirty (client_id, stream, project_id, row_id, since)
    SELECT wi.client_id, 'work_items', wi.project_id, wi.id, '-infinity'::timestamptz
    FROM work_items wi WHERE wi.id = ANY(work_item_ids);
$$;
