-- Pull request facts, laid out for the medians (issue 12). A year of a large tenant is some 225,000 merged PRs
-- and eleven exact medians over them; two things make those medians cheaper to read:
--  * stage durations are whole microseconds (bigint, exact: PostgreSQL timestamps count microseconds) instead
--    of double hours. PostgreSQL sorts bigint several times faster than double precision, and the median of
--    integers is exact (`pulse.analytics.pull_requests.service` takes the two middle values);
--  * the columns every aggregate reads come first and the text columns last, so scanning a row stops before
--    its variable-width part.
-- The facts are derived data: the table is recreated empty and every tenant is marked pending, so the next
-- read queues the rebuild job (`pulse.analytics.rebuild_facts`) that fills it again.
DROP TABLE metric_pull_requests;
CREATE TABLE metric_pull_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id),
    pull_request_id bigint NOT NULL REFERENCES pull_requests (id),
    repository_id   bigint NOT NULL REFERENCES repositories (id),
    merged_at       timestamptz,
    reviews         integer NOT NULL,
    comments        integer NOT NULL,
    review_cycles   integer NOT NULL,
    rework_commits  integer NOT NULL,
    coding_us       bigint,
    pickup_us       bigint,
    review_us       bigint,
    deploy_us       bigint,
    total_us        bigint,
    lines           integer,
    files           integer,
    number          integer NOT NULL,
    deployment_id   bigint REFERENCES deployments (id),
    deployed_at     timestamptz,
    first_commit_at timestamptz,
    opened_at       timestamptz NOT NULL,
    first_review_at timestamptz,
    closed_at       timestamptz,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now(),
    state           text NOT NULL,
    author          text,
    title           text NOT NULL
);
CREATE UNIQUE INDEX uq_metric_pull_requests_pull_request ON metric_pull_requests (pull_request_id);
-- In the drill-down's default order (newest first, NULLS LAST as the sort clause says), so its first page
-- is read off the index instead of sorting the whole period.
CREATE INDEX ix_metric_pull_requests_client_merged
    ON metric_pull_requests (client_id, merged_at DESC NULLS LAST, pull_request_id DESC);
CREATE INDEX ix_metric_pull_requests_repo_merged ON metric_pull_requests (client_id, repository_id, merged_at);

UPDATE metric_refresh_state SET requested_version = requested_version + 1;
