-- Every escalation a run opened and how it ended, written by the human gate (behind a patch marker) as it
-- happens. Closed runs can no longer answer the `escalation` query without a worker replaying them: this
-- table lets `breakwater runs`, `explain` and the run viewer say in milliseconds what each run waited for,
-- how the wait ended (resolved by a person, a breaker cleared, a budget raised) and which runs share a cause.
CREATE TABLE run_escalations (
  workflow_id  TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  escalation   TEXT NOT NULL,
  pipeline     TEXT,
  kind         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  step         TEXT,
  opened_at    TIMESTAMPTZ NOT NULL,
  closed_at    TIMESTAMPTZ,
  -- resolved | condition (the awaited condition came true: breaker cleared, budget raised, …) | timeout
  ended        TEXT,
  decision     TEXT,
  decided_by   TEXT,
  reason_given TEXT,
  details      JSONB NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (workflow_id, run_id, escalation)
);
CREATE INDEX run_escalations_open ON run_escalations (kind, step) WHERE closed_at IS NULL;
CREATE INDEX run_escalations_opened ON run_escalations (opened_at);
