-- Work that exhausted its retry and repair budgets, with everything needed to understand and replay it.
CREATE TABLE dead_letters (
  id            BIGSERIAL PRIMARY KEY,
  at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  pipeline      TEXT NOT NULL,
  workflow_type TEXT NOT NULL,
  workflow_id   TEXT NOT NULL,
  run_id        TEXT NOT NULL,
  task_queue    TEXT NOT NULL,
  step          TEXT,
  input         JSONB NOT NULL,
  -- every error, first to last: the first is usually the root cause, the last only what it became
  errors        JSONB NOT NULL,
  cost_usd      NUMERIC(12, 6) NOT NULL DEFAULT 0,
  provenance    JSONB,
  link          TEXT,
  replays       JSONB NOT NULL DEFAULT '[]'::jsonb,
  UNIQUE (workflow_id, run_id, step)
);
CREATE INDEX dead_letters_at ON dead_letters (at DESC);
