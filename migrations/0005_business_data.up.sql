-- Business data ingested from GitHub and Jira: one row per source object, unique per tenant and integration.

CREATE TABLE repositories (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    full_name       text NOT NULL,
    owner           text NOT NULL,
    name            text NOT NULL,
    default_branch  text,
    html_url        text,
    is_private      boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_repositories_external UNIQUE (client_id, integration_id, external_id)
);

CREATE TABLE pull_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    number          integer NOT NULL,
    title           text NOT NULL DEFAULT '',
    author_login    text,
    state           text NOT NULL CHECK (state IN ('open', 'closed', 'merged')),
    draft           boolean NOT NULL DEFAULT false,
    opened_at       timestamptz NOT NULL,
    source_updated_at timestamptz NOT NULL,
    closed_at       timestamptz,
    merged_at       timestamptz,
    merge_commit_sha text,
    head_ref        text,
    base_ref        text,
    additions       integer,
    deletions       integer,
    changed_files   integer,
    commits_count   integer,
    first_commit_at timestamptz,
    first_review_at timestamptz,
    review_cycles   integer NOT NULL DEFAULT 0,
    rework_commits  integer NOT NULL DEFAULT 0,
    reviews_count   integer NOT NULL DEFAULT 0,
    comments_count  integer NOT NULL DEFAULT 0,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_pull_requests_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_pull_requests_repo_merged ON pull_requests (client_id, repository_id, merged_at);
CREATE INDEX ix_pull_requests_merge_sha ON pull_requests (client_id, repository_id, merge_commit_sha);
CREATE INDEX ix_pull_requests_client_opened ON pull_requests (client_id, opened_at);
CREATE INDEX ix_pull_requests_repo_number ON pull_requests (client_id, repository_id, number);

CREATE TABLE pull_request_commits (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    sha             text NOT NULL,
    author_login    text,
    authored_at     timestamptz,
    committed_at    timestamptz,
    message         text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_pull_request_commits_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_pull_request_commits_pr ON pull_request_commits (pull_request_id);

CREATE TABLE pull_request_reviews (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    reviewer_login  text,
    state           text NOT NULL,
    submitted_at    timestamptz,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_pull_request_reviews_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_pull_request_reviews_pr ON pull_request_reviews (pull_request_id);

CREATE TABLE pull_request_comments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    author_login    text,
    commented_at    timestamptz NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_pull_request_comments_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_pull_request_comments_pr ON pull_request_comments (pull_request_id);

CREATE TABLE pull_request_issue_keys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    key             text NOT NULL,
    found_in        text NOT NULL CHECK (found_in IN ('branch', 'title', 'body')),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_pull_request_issue_keys_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_pull_request_issue_keys_key ON pull_request_issue_keys (client_id, key);

CREATE TABLE commits (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    sha             text NOT NULL,
    author_login    text,
    authored_at     timestamptz,
    committed_at    timestamptz,
    message         text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_commits_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_commits_repo_sha ON commits (client_id, repository_id, sha);

CREATE TABLE deployments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    environment     text NOT NULL,
    sha             text NOT NULL,
    ref             text,
    source          text NOT NULL CHECK (source IN ('deployment', 'workflow_run', 'release')),
    status          text CHECK (status IN ('success', 'failure', 'error', 'pending', 'queued', 'in_progress')),
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    source_updated_at timestamptz NOT NULL,
    changes_computed boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_deployments_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_deployments_env_finished ON deployments (client_id, environment, finished_at);
CREATE INDEX ix_deployments_repo_finished ON deployments (client_id, repository_id, finished_at);

CREATE TABLE deployment_commits (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    deployment_id   bigint NOT NULL REFERENCES deployments (id),
    commit_id       bigint NOT NULL REFERENCES commits (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_deployment_commits_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_deployment_commits_deployment ON deployment_commits (deployment_id);
CREATE INDEX ix_deployment_commits_commit ON deployment_commits (commit_id);

CREATE TABLE deployment_pull_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    deployment_id   bigint NOT NULL REFERENCES deployments (id),
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_deployment_pull_requests_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_deployment_pull_requests_deployment ON deployment_pull_requests (deployment_id);
CREATE UNIQUE INDEX uq_deployment_pull_requests_pr ON deployment_pull_requests (pull_request_id);

CREATE TABLE releases (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    tag_name        text NOT NULL,
    name            text,
    target_commitish text,
    published_at    timestamptz,
    draft           boolean NOT NULL DEFAULT false,
    prerelease      boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_releases_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_releases_repo_published ON releases (client_id, repository_id, published_at);

CREATE TABLE workflow_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    workflow_id     bigint,
    name            text,
    head_sha        text,
    head_branch     text,
    event           text,
    status          text,
    conclusion      text,
    run_started_at  timestamptz,
    completed_at    timestamptz,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_workflow_runs_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_workflow_runs_repo_completed ON workflow_runs (client_id, repository_id, completed_at);

CREATE TABLE github_issues (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    number          integer NOT NULL,
    title           text NOT NULL DEFAULT '',
    state           text NOT NULL,
    labels          text[] NOT NULL DEFAULT '{}',
    author_login    text,
    opened_at       timestamptz NOT NULL,
    closed_at       timestamptz,
    source_updated_at timestamptz NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_github_issues_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_github_issues_repo_opened ON github_issues (client_id, repository_id, opened_at);
CREATE INDEX ix_github_issues_labels ON github_issues USING gin (labels);

CREATE TABLE jira_projects (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    key             text NOT NULL,
    name            text NOT NULL DEFAULT '',
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_jira_projects_external UNIQUE (client_id, integration_id, external_id)
);

CREATE TABLE jira_issue_types (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    name            text NOT NULL,
    hierarchy_level integer NOT NULL DEFAULT 0,
    subtask         boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_jira_issue_types_external UNIQUE (client_id, integration_id, external_id)
);

CREATE TABLE jira_statuses (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    name            text NOT NULL,
    category_key    text NOT NULL CHECK (category_key IN ('new', 'indeterminate', 'done')),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_jira_statuses_external UNIQUE (client_id, integration_id, external_id)
);

CREATE TABLE work_items (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    project_id      bigint NOT NULL REFERENCES jira_projects (id),
    key             text NOT NULL,
    summary         text NOT NULL DEFAULT '',
    issue_type      text NOT NULL,
    status          text NOT NULL,
    status_category text,
    priority        text,
    assignee        text,
    labels          text[] NOT NULL DEFAULT '{}',
    parent_key      text,
    story_points    numeric,
    team            text,
    opened_at       timestamptz NOT NULL,
    source_updated_at timestamptz NOT NULL,
    resolved_at     timestamptz,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_work_items_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_work_items_client_key ON work_items (client_id, key);
CREATE INDEX ix_work_items_project_resolved ON work_items (client_id, project_id, resolved_at);
CREATE INDEX ix_work_items_type_opened ON work_items (client_id, issue_type, opened_at);

CREATE TABLE work_item_transitions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    work_item_id    bigint NOT NULL REFERENCES work_items (id),
    from_status     text,
    to_status       text NOT NULL,
    transitioned_at timestamptz NOT NULL,
    author          text,
    seconds_in_from_status bigint,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_work_item_transitions_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_work_item_transitions_item_at ON work_item_transitions (client_id, work_item_id, transitioned_at);

CREATE TABLE work_item_pull_request_links (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    work_item_id    bigint NOT NULL REFERENCES work_items (id),
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    found_in        text NOT NULL CHECK (found_in IN ('branch', 'title', 'body')),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_work_item_pull_request_links_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_work_item_pr_links_item ON work_item_pull_request_links (work_item_id);
CREATE INDEX ix_work_item_pr_links_pr ON work_item_pull_request_links (pull_request_id);

CREATE TABLE http_cache (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    external_id     text NOT NULL,
    etag            text NOT NULL,
    link            text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_http_cache_external UNIQUE (client_id, integration_id, external_id)
);
