-- The push API (issue 13): one secret token per push integration, stored as its SHA-256 only, with a
-- fixed-window request counter so every ETL replica enforces the same rate limit. Each push is recorded as a
-- finished job run of its integration (trigger 'push'): the run history shows the pushes, and the metric
-- facts rebuild on the next read after one (as after a sync).

CREATE TABLE push_tokens (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES clients (id),
    integration_id    bigint NOT NULL REFERENCES integrations (id),
    token_hash        text NOT NULL,
    -- The token's first characters, shown so a user can tell which token a CI system holds.
    prefix            text NOT NULL,
    last_used_at      timestamptz,
    revoked_at        timestamptz,
    window_started_at timestamptz,
    window_count      integer NOT NULL DEFAULT 0 CHECK (window_count >= 0),
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_push_tokens_token_hash ON push_tokens (token_hash);
-- At most one live token per integration: rotation deactivates the old one in the same transaction.
CREATE UNIQUE INDEX uq_push_tokens_integration_active ON push_tokens (integration_id) WHERE active;
CREATE INDEX ix_push_tokens_client_id ON push_tokens (client_id);

ALTER TABLE job_runs DROP CONSTRAINT job_runs_trigger_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_trigger_check CHECK (trigger IN ('manual', 'schedule', 'push'));
-- `ensure_fresh` reads the tenant's latest finished run before every metric; pushes add many runs.
CREATE INDEX ix_job_runs_client_finished ON job_runs (client_id, finished_at);
