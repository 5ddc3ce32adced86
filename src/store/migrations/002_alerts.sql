-- Every alert Breakwater raised, with what each channel did with it. The outbox of record: a channel
-- that was down is visible here, and `explain`/tests read alerts without a phone.
CREATE TABLE alerts (
  id           BIGSERIAL PRIMARY KEY,
  at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  dedupe_key   TEXT,
  workflow_id  TEXT,
  pipeline     TEXT,
  step         TEXT,
  title        TEXT NOT NULL,
  body         JSONB NOT NULL,
  deliveries   JSONB NOT NULL DEFAULT '[]'::jsonb,
  suppressed   BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX alerts_workflow ON alerts (workflow_id, at);
CREATE INDEX alerts_dedupe ON alerts (dedupe_key, at);
