-- Pre-aggregated pull request and flow facts (issue 12), rebuilt per repository / Jira project by
-- pulse.analytics.pull_requests.facts and pulse.analytics.flow.facts. Repository, project and integration
-- deactivations and team memberships are applied when reading, so they are not baked in here; the tenant's
-- flow configuration (status mappings, flow steps, issue type mappings) is.

-- One row per active pull request: its stage timestamps, the production deployment that first shipped it
-- (from metric_changes) and every figure the pull request analytics take a median of.
CREATE TABLE metric_pull_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    number          integer NOT NULL,
    title           text NOT NULL,
    author          text,
    state           text NOT NULL,
    first_commit_at timestamptz,
    opened_at       timestamptz NOT NULL,
    first_review_at timestamptz,
    merged_at       timestamptz,
    closed_at       timestamptz,
    deployment_id   bigint REFERENCES deployments (id),
    deployed_at     timestamptz,
    coding_hours    double precision,
    pickup_hours    double precision,
    review_hours    double precision,
    deploy_hours    double precision,
    total_hours     double precision,
    lines           integer,
    files           integer,
    reviews         integer NOT NULL,
    comments        integer NOT NULL,
    review_cycles   integer NOT NULL,
    rework_commits  integer NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_metric_pull_requests_pull_request ON metric_pull_requests (pull_request_id);
-- In the drill-down's default order (newest first, NULLS LAST as the sort clause says), so its first page
-- is read off the index instead of sorting the whole period.
CREATE INDEX ix_metric_pull_requests_client_merged
    ON metric_pull_requests (client_id, merged_at DESC NULLS LAST, pull_request_id DESC);
CREATE INDEX ix_metric_pull_requests_repo_merged ON metric_pull_requests (client_id, repository_id, merged_at);

-- One row per active work item whose issue type is usable; `completed_at` is set only when the item counts
-- as completed (current status in a done step, every status it held resolving through active mappings).
CREATE TABLE metric_work_items (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES clients (id),
    work_item_id      bigint NOT NULL REFERENCES work_items (id),
    project_id        bigint NOT NULL REFERENCES jira_projects (id),
    key               text NOT NULL,
    summary           text NOT NULL,
    issue_type        text NOT NULL,
    status            text NOT NULL,
    opened_at         timestamptz NOT NULL,
    source_updated_at timestamptz NOT NULL,
    cycle_started_at  timestamptz,
    completed_at      timestamptz,
    cycle_time_hours  double precision,
    lead_time_hours   double precision,
    active_hours      numeric,
    reopened          boolean NOT NULL DEFAULT false,
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_metric_work_items_work_item ON metric_work_items (work_item_id);
CREATE INDEX ix_metric_work_items_client_completed
    ON metric_work_items (client_id, completed_at DESC NULLS LAST, work_item_id DESC);
CREATE INDEX ix_metric_work_items_project_completed ON metric_work_items (client_id, project_id, completed_at);

-- Time in step: per completed item and flow step (or unmapped status), the hours spent in it, summed over
-- visits. Carries the item's completion and project so a period's rows are read without a join.
CREATE TABLE metric_work_item_segments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES clients (id),
    work_item_id      bigint NOT NULL REFERENCES work_items (id),
    project_id        bigint NOT NULL REFERENCES jira_projects (id),
    completed_at      timestamptz NOT NULL,
    source_updated_at timestamptz NOT NULL,
    step              text NOT NULL,
    category          text NOT NULL,
    position          integer,
    hours             double precision NOT NULL,
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_metric_work_item_segments_client_completed ON metric_work_item_segments (client_id, completed_at);
CREATE INDEX ix_metric_work_item_segments_project_completed
    ON metric_work_item_segments (client_id, project_id, completed_at);

-- WIP: the intervals (started_at, ended_at] during which an item's status resolved to an active in-progress
-- step (-infinity / infinity at the open ends). WIP at an instant counts the intervals containing it.
CREATE TABLE metric_work_item_wip (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    work_item_id    bigint NOT NULL REFERENCES work_items (id),
    project_id      bigint NOT NULL REFERENCES jira_projects (id),
    opened_at       timestamptz NOT NULL,
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_metric_work_item_wip_client_ended ON metric_work_item_wip (client_id, ended_at);
CREATE INDEX ix_metric_work_item_wip_project_ended ON metric_work_item_wip (client_id, project_id, ended_at);
