-- Identity schema: tenants, users, sessions, permission overrides and the audit trail.

CREATE TABLE clients (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_clients_name ON clients (lower(name));

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    email           text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    password_hash   text,
    first_name      text NOT NULL DEFAULT '',
    last_name       text NOT NULL DEFAULT '',
    role            text NOT NULL CHECK (role IN ('admin', 'user', 'view')),
    is_admin        boolean NOT NULL DEFAULT false,
    auth_provider   text NOT NULL DEFAULT 'local' CHECK (auth_provider IN ('local')),
    last_login_at   timestamptz,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
-- Login knows only the email, so an email names one user across all tenants.
CREATE UNIQUE INDEX uq_users_email ON users (email);
CREATE INDEX ix_users_client_id ON users (client_id);

CREATE TABLE user_sessions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id        bigint NOT NULL REFERENCES clients (id),
    user_id          bigint NOT NULL REFERENCES users (id),
    token_hash       text NOT NULL,
    expires_at       timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    ip_address       text,
    user_agent       text,
    ended_at         timestamptz,
    end_reason       text CHECK (end_reason IN ('logout', 'terminated', 'user_deactivated', 'password_changed',
                                                'role_changed', 'permissions_changed', 'client_deactivated')),
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_user_sessions_token_hash ON user_sessions (token_hash);
CREATE INDEX ix_user_sessions_user_active ON user_sessions (user_id) WHERE active;
CREATE INDEX ix_user_sessions_client_active ON user_sessions (client_id) WHERE active;

CREATE TABLE user_permissions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    user_id         bigint NOT NULL REFERENCES users (id),
    resource        text NOT NULL CHECK (resource IN ('etl_jobs', 'integrations', 'dashboards', 'admin_panel',
                                                      'users', 'sessions', 'settings', 'logs')),
    action          text NOT NULL CHECK (action IN ('read', 'execute', 'delete', 'admin')),
    granted         boolean NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_user_permissions_user_resource_action ON user_permissions (user_id, resource, action);
CREATE INDEX ix_user_permissions_client_id ON user_permissions (client_id);

CREATE TABLE audit_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint REFERENCES clients (id),
    user_id         bigint REFERENCES users (id),
    actor_email     text,
    event_type      text NOT NULL,
    ip_address      text,
    user_agent      text,
    request_id      text,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_audit_events_client_created ON audit_events (client_id, created_at DESC);
