-- Metrics configuration per tenant: flow steps and status mappings, issue type hierarchy, teams, and the
-- deployment and incident rules. Names are compared case-insensitively; uniqueness holds among active rows
-- only, so a deactivated record never blocks re-creating its name.

CREATE TABLE flow_steps (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id           bigint NOT NULL REFERENCES clients (id),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    position            integer NOT NULL,
    category            text NOT NULL CHECK (category IN ('to_do', 'in_progress', 'done', 'discarded')),
    is_commitment_point boolean NOT NULL DEFAULT false,
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_flow_steps_client_name ON flow_steps (client_id, lower(name)) WHERE active;
CREATE INDEX ix_flow_steps_client_id ON flow_steps (client_id);

CREATE TABLE status_mappings (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    status_name     text NOT NULL CHECK (length(btrim(status_name)) BETWEEN 1 AND 200),
    flow_step_id    bigint NOT NULL REFERENCES flow_steps (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_status_mappings_client_status ON status_mappings (client_id, lower(status_name)) WHERE active;
CREATE INDEX ix_status_mappings_client_id ON status_mappings (client_id);
CREATE INDEX ix_status_mappings_flow_step_id ON status_mappings (flow_step_id);

CREATE TABLE hierarchy_levels (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    level           integer NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_hierarchy_levels_client_name ON hierarchy_levels (client_id, lower(name)) WHERE active;
CREATE INDEX ix_hierarchy_levels_client_id ON hierarchy_levels (client_id);

-- work_item_type is the canonical kind an issue type counts as (Epic, Story, Task, Bug, Incident, ...);
-- incident rules name these kinds.
CREATE TABLE issue_type_mappings (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id          bigint NOT NULL REFERENCES clients (id),
    issue_type_name    text NOT NULL CHECK (length(btrim(issue_type_name)) BETWEEN 1 AND 200),
    work_item_type     text NOT NULL CHECK (length(btrim(work_item_type)) BETWEEN 1 AND 100),
    hierarchy_level_id bigint NOT NULL REFERENCES hierarchy_levels (id),
    active             boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_issue_type_mappings_client_type ON issue_type_mappings (client_id, lower(issue_type_name))
    WHERE active;
CREATE INDEX ix_issue_type_mappings_client_id ON issue_type_mappings (client_id);
CREATE INDEX ix_issue_type_mappings_hierarchy_level_id ON issue_type_mappings (hierarchy_level_id);

CREATE TABLE teams (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    description     text NOT NULL DEFAULT '',
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_teams_client_name ON teams (client_id, lower(name)) WHERE active;
CREATE INDEX ix_teams_client_id ON teams (client_id);

CREATE TABLE team_repositories (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    team_id         bigint NOT NULL REFERENCES teams (id),
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_team_repositories_team_repository ON team_repositories (team_id, repository_id);
CREATE INDEX ix_team_repositories_repository_id ON team_repositories (repository_id);

CREATE TABLE team_projects (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    team_id         bigint NOT NULL REFERENCES teams (id),
    project_id      bigint NOT NULL REFERENCES jira_projects (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_team_projects_team_project ON team_projects (team_id, project_id);
CREATE INDEX ix_team_projects_project_id ON team_projects (project_id);

-- A member is identified by a GitHub login and/or a Jira account name, as the sources spell them.
CREATE TABLE team_members (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    team_id         bigint NOT NULL REFERENCES teams (id),
    github_login    text,
    jira_account    text,
    email           text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (github_login IS NOT NULL OR jira_account IS NOT NULL OR email IS NOT NULL)
);
CREATE INDEX ix_team_members_team_id ON team_members (team_id);

-- scope: the tenant default (one active), an integration's override, or a team's override (most specific wins).
CREATE TABLE deployment_rules (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id             bigint NOT NULL REFERENCES clients (id),
    scope                 text NOT NULL CHECK (scope IN ('tenant', 'integration', 'team')),
    integration_id        bigint REFERENCES integrations (id),
    team_id               bigint REFERENCES teams (id),
    source                text NOT NULL DEFAULT 'deployment' CHECK (source IN ('deployment', 'workflow_run', 'release')),
    environment_pattern   text NOT NULL DEFAULT '^(prod|production)$',
    workflow_name_pattern text,
    active                boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'tenant' AND integration_id IS NULL AND team_id IS NULL)
        OR (scope = 'integration' AND integration_id IS NOT NULL AND team_id IS NULL)
        OR (scope = 'team' AND team_id IS NOT NULL AND integration_id IS NULL))
);
CREATE UNIQUE INDEX uq_deployment_rules_scope ON deployment_rules (client_id, scope, coalesce(integration_id, 0),
    coalesce(team_id, 0)) WHERE active;

CREATE TABLE incident_rules (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        bigint NOT NULL REFERENCES clients (id),
    scope            text NOT NULL CHECK (scope IN ('tenant', 'integration', 'team')),
    integration_id   bigint REFERENCES integrations (id),
    team_id          bigint REFERENCES teams (id),
    jira_issue_types text[] NOT NULL DEFAULT '{incident}',
    github_labels    text[] NOT NULL DEFAULT '{incident}',
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'tenant' AND integration_id IS NULL AND team_id IS NULL)
        OR (scope = 'integration' AND integration_id IS NOT NULL AND team_id IS NULL)
        OR (scope = 'team' AND team_id IS NOT NULL AND integration_id IS NULL))
);
CREATE UNIQUE INDEX uq_incident_rules_scope ON incident_rules (client_id, scope, coalesce(integration_id, 0),
    coalesce(team_id, 0)) WHERE active;
