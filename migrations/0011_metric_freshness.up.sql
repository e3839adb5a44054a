-- Settings writes no longer rebuild the metric facts in their own transaction (issue 12): they bump
-- `requested_version` and queue a rebuild job; the job records the version its rebuild covered in
-- `built_version`. A tenant's facts are pending while requested_version > built_version.
-- A write may come before the tenant's first build, so the row can exist without a build: refreshed_at NULL.
ALTER TABLE metric_refresh_state ALTER COLUMN refreshed_at DROP NOT NULL;
ALTER TABLE metric_refresh_state ADD COLUMN requested_version bigint NOT NULL DEFAULT 0;
ALTER TABLE metric_refresh_state ADD COLUMN built_version bigint NOT NULL DEFAULT 0;
ALTER TABLE metric_refresh_state ADD COLUMN requested_at timestamptz;
