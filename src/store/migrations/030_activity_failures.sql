-- Every failed activity attempt, written by the worker's activity interceptor as it happens. Temporal's
-- history keeps only the last failure of a step (and the one before it), so the first error of a step
-- that failed three times differently is lost there; `explain` and the run viewer read it here.
CREATE TABLE activity_failures (
  id           BIGSERIAL PRIMARY KEY,
  at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  workflow_id  TEXT NOT NULL,
  run_id       TEXT,
  activity_id  TEXT NOT NULL,
  activity     TEXT NOT NULL,
  attempt      INT NOT NULL,
  error_type   TEXT NOT NULL,
  -- Redacted before it is written, cut to 2000 characters.
  message      TEXT NOT NULL,
  duration_ms  INT
);
CREATE INDEX activity_failures_workflow ON activity_failures (workflow_id, at);
