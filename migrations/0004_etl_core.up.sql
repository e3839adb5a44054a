-- ETL core: integrations, job runs and their events, per-stream sync checkpoints, sync schedules.

CREATE TABLE integrations (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id             bigint NOT NULL REFERENCES clients (id),
    type                  text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]{0,31}$'),
    name                  text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    base_url              text NOT NULL,
    -- Fernet token (MultiFernet, newest key encrypts) of the JSON credentials; never returned.
    credentials_encrypted text,
    settings              jsonb NOT NULL DEFAULT '{}'::jsonb,
    active                boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_integrations_client_id ON integrations (client_id);

CREATE TABLE job_runs (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id          bigint NOT NULL REFERENCES clients (id),
    integration_id     bigint NOT NULL REFERENCES integrations (id),
    status             text NOT NULL DEFAULT 'PENDING'
                       CHECK (status IN ('PENDING', 'RUNNING', 'PAUSED', 'FINISHED', 'FAILED', 'CANCELLED')),
    trigger            text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'schedule')),
    -- What a user asked of a run a worker holds; the worker acts on it at its next check.
    requested_action   text CHECK (requested_action IN ('pause', 'resume', 'cancel')),
    step               text,
    percent            double precision CHECK (percent BETWEEN 0 AND 100),
    counts             jsonb NOT NULL DEFAULT '{}'::jsonb,
    attempt            integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts       integer NOT NULL CHECK (max_attempts >= 1),
    error              text,
    worker_id          text,
    not_before         timestamptz,
    created_by_user_id bigint REFERENCES users (id),
    started_at         timestamptz,
    finished_at        timestamptz,
    heartbeat_at       timestamptz,
    active             boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_updated_at    timestamptz NOT NULL DEFAULT now()
);
-- One live run per integration: the database refuses a second one, whatever the callers race.
CREATE UNIQUE INDEX uq_job_runs_integration_live ON job_runs (integration_id)
    WHERE status IN ('PENDING', 'RUNNING', 'PAUSED');
CREATE INDEX ix_job_runs_client_integration ON job_runs (client_id, integration_id, id);
CREATE INDEX ix_job_runs_running_heartbeat ON job_runs (heartbeat_at) WHERE status = 'RUNNING';

CREATE TABLE job_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    job_run_id      bigint NOT NULL REFERENCES job_runs (id),
    level           text NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error')),
    message         text NOT NULL,
    fields          jsonb NOT NULL DEFAULT '{}'::jsonb,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_job_events_run ON job_events (job_run_id, id);

CREATE TABLE sync_checkpoints (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    integration_id  bigint NOT NULL REFERENCES integrations (id),
    stream          text NOT NULL CHECK (length(stream) BETWEEN 1 AND 200),
    state           jsonb NOT NULL DEFAULT '{}'::jsonb,
    job_run_id      bigint REFERENCES job_runs (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_sync_checkpoints_integration_stream ON sync_checkpoints (integration_id, stream);
CREATE INDEX ix_sync_checkpoints_client_id ON sync_checkpoints (client_id);

CREATE TABLE sync_schedules (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        bigint NOT NULL REFERENCES clients (id),
    integration_id   bigint NOT NULL REFERENCES integrations (id),
    interval_minutes integer CHECK (interval_minutes > 0),
    cron             text,
    timezone         text NOT NULL DEFAULT 'UTC',
    next_run_at      timestamptz NOT NULL,
    last_fired_at    timestamptz,
    last_job_run_id  bigint REFERENCES job_runs (id),
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((interval_minutes IS NULL) <> (cron IS NULL))
);
CREATE UNIQUE INDEX uq_sync_schedules_integration ON sync_schedules (integration_id);
CREATE INDEX ix_sync_schedules_due ON sync_schedules (next_run_at) WHERE active;
CREATE INDEX ix_sync_schedules_client_id ON sync_schedules (client_id);
