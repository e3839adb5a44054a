-- Sources beyond GitHub and Jira (issue 13): GitLab pipelines and pushed deployments as deployment sources,
-- and one table for incidents that come from an incident tool (PagerDuty, Opsgenie) or the push API.

ALTER TABLE deployments DROP CONSTRAINT deployments_source_check;
ALTER TABLE deployments ADD CONSTRAINT deployments_source_check
    CHECK (source IN ('deployment', 'workflow_run', 'release', 'pipeline', 'push'));

ALTER TABLE deployment_rules DROP CONSTRAINT deployment_rules_source_check;
ALTER TABLE deployment_rules ADD CONSTRAINT deployment_rules_source_check
    CHECK (source IN ('deployment', 'workflow_run', 'release', 'pipeline', 'push'));

-- An incident from an incident tool or pushed by a caller. `repository_id` is set when the source names the
-- repository (the push API); otherwise the per-integration service mapping attributes it.
CREATE TABLE incidents (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES clients (id),
    integration_id    bigint NOT NULL REFERENCES integrations (id),
    external_id       text NOT NULL,
    source            text NOT NULL CHECK (source IN ('pagerduty', 'opsgenie', 'push')),
    key               text NOT NULL,
    title             text NOT NULL DEFAULT '',
    status            text NOT NULL,
    severity          text,
    service_id        text,
    service_name      text,
    repository_id     bigint REFERENCES repositories (id),
    url               text,
    opened_at         timestamptz NOT NULL,
    resolved_at       timestamptz,
    source_updated_at timestamptz NOT NULL,
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_incidents_external UNIQUE (client_id, integration_id, external_id)
);
CREATE INDEX ix_incidents_client_opened ON incidents (client_id, opened_at);
CREATE INDEX ix_incidents_service ON incidents (client_id, integration_id, service_id);

ALTER TABLE metric_incidents DROP CONSTRAINT metric_incidents_source_check;
ALTER TABLE metric_incidents ADD CONSTRAINT metric_incidents_source_check
    CHECK (source IN ('github', 'jira', 'gitlab', 'pagerduty', 'opsgenie', 'push'));
