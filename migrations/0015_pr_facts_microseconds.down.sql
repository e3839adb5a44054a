-- Back to the double-hours layout of migration 0010, empty; every tenant is marked pending for a rebuild.
DROP TABLE metric_pull_requests;
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
CREATE INDEX ix_metric_pull_requests_client_merged
    ON metric_pull_requests (client_id, merged_at DESC NULLS LAST, pull_request_id DESC);
CREATE INDEX ix_metric_pull_requests_repo_merged ON metric_pull_requests (client_id, repository_id, merged_at);

UPDATE metric_refresh_state SET requested_version = requested_version + 1;
