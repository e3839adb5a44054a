-- Pre-aggregated metric facts per tenant, rebuilt by pulse.analytics.refresh after every sync and every
-- configuration change: the successful production deployments (by the tenant's rules), the changes each one
-- shipped with their lead time, and the incidents with the deployment each is attributed to.

CREATE TABLE metric_deployments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        bigint NOT NULL REFERENCES clients (id),
    deployment_id    bigint NOT NULL REFERENCES deployments (id),
    repository_id    bigint NOT NULL REFERENCES repositories (id),
    environment      text NOT NULL,
    sha              text NOT NULL,
    finished_at      timestamptz NOT NULL,
    changes_computed boolean NOT NULL,
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_metric_deployments_deployment ON metric_deployments (deployment_id);
CREATE INDEX ix_metric_deployments_client_finished ON metric_deployments (client_id, finished_at);

CREATE TABLE metric_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    deployment_id   bigint NOT NULL REFERENCES deployments (id),
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    deployed_at     timestamptz NOT NULL,
    started_at      timestamptz NOT NULL,
    lead_time_hours double precision NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_metric_changes_pull_request ON metric_changes (pull_request_id);
CREATE INDEX ix_metric_changes_client_deployed ON metric_changes (client_id, deployed_at);
CREATE INDEX ix_metric_changes_deployment ON metric_changes (deployment_id);

CREATE TABLE metric_incidents (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id              bigint NOT NULL REFERENCES clients (id),
    source                 text NOT NULL CHECK (source IN ('github', 'jira')),
    incident_id            bigint NOT NULL,
    key                    text NOT NULL,
    title                  text NOT NULL,
    opened_at              timestamptz NOT NULL,
    resolved_at            timestamptz,
    repo_ids               bigint[] NOT NULL,
    deployment_id          bigint REFERENCES deployments (id),
    deployment_finished_at timestamptz,
    active                 boolean NOT NULL DEFAULT true,
    created_at             timestamptz NOT NULL DEFAULT now(),
    last_updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_metric_incidents_source_incident ON metric_incidents (source, incident_id);
CREATE INDEX ix_metric_incidents_client_opened ON metric_incidents (client_id, opened_at);
CREATE INDEX ix_metric_incidents_deployment ON metric_incidents (deployment_id);

-- One row per tenant whose facts have been built; absent means "build before the first read".
CREATE TABLE metric_refresh_state (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    refreshed_at    timestamptz NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_metric_refresh_state_client ON metric_refresh_state (client_id);

-- Flow metrics look up recently updated work items of a tenant.
CREATE INDEX ix_work_items_client_updated ON work_items (client_id, source_updated_at);
