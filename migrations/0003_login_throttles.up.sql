-- Failed-login counters per email and per client IP, shared by every Backend replica.

CREATE TABLE login_throttles (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        bigint REFERENCES clients (id),
    scope            text NOT NULL CHECK (scope IN ('email', 'ip')),
    key              text NOT NULL,
    failures         integer NOT NULL CHECK (failures >= 0),
    first_failure_at timestamptz NOT NULL,
    last_failure_at  timestamptz NOT NULL,
    locked_until     timestamptz,
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_login_throttles_scope_key ON login_throttles (scope, key);
-- Lets a janitor drop counters that have gone quiet.
CREATE INDEX ix_login_throttles_last_failure_at ON login_throttles (last_failure_at);
