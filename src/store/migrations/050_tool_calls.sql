-- Every tool call an agent asked for: run or refused (unknown tool, invalid arguments, over a cap, a person
-- said no), with its arguments redacted, outcome, latency and result size. A `write` or `irreversible` call
-- carries its fingerprint (effect primitive, `fingerprints` table); the row of the run that did the work
-- keeps the result, so a retry after a crash returns it instead of running the tool again.
CREATE TABLE tool_calls (
  id           BIGSERIAL PRIMARY KEY,
  workflow_id  TEXT,
  run_id       TEXT,
  activity_id  TEXT,
  attempt      INTEGER NOT NULL DEFAULT 1,
  agent_role   TEXT NOT NULL,
  turn         INTEGER NOT NULL,
  call_id      TEXT NOT NULL,
  tool         TEXT NOT NULL,
  effect       TEXT,
  -- ran | cached | refused | failed
  status       TEXT NOT NULL,
  -- for refused: unknown-tool | invalid-arguments | over-parallel-cap | over-total-cap | over-tool-cap | rejected-by-human
  reason       TEXT,
  arguments    JSONB,
  fingerprint  TEXT,
  result       JSONB,
  result_bytes INTEGER,
  latency_ms   INTEGER,
  approved_by  TEXT,
  error        TEXT,
  at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tool_calls_run ON tool_calls (workflow_id, id);
CREATE INDEX tool_calls_fingerprint ON tool_calls (fingerprint) WHERE fingerprint IS NOT NULL AND status = 'ran';
