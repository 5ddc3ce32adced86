-- The agent layer (issue 4). Costs are exact decimals: every price is a whole number of nano-dollars per
-- token, so NUMERIC(20,9) holds Σ tokens × price without rounding.

-- Every HTTP request to a model (and every cache hit and daily-cap refusal): what the model saw, what it
-- answered, what it cost. Secrets are redacted before a row is written.
CREATE TABLE llm_calls (
  id                BIGSERIAL PRIMARY KEY,
  at                TIMESTAMPTZ NOT NULL DEFAULT now(),
  workflow_id       TEXT,
  run_id            TEXT,
  activity_id       TEXT,
  -- Temporal's activity attempt (1, 2, ...), and the repair round within it (0 = first answer).
  attempt           INT NOT NULL DEFAULT 1,
  repair            INT NOT NULL DEFAULT 0,
  agent_role        TEXT NOT NULL,
  model             TEXT NOT NULL,
  response_model    TEXT,
  schema_name       TEXT NOT NULL,
  -- ok | invalid-output | http-error | network-error | cache-hit | refused-daily-cap
  outcome           TEXT NOT NULL,
  cache_hit         BOOLEAN NOT NULL DEFAULT false,
  http_status       INT,
  request_messages  JSONB NOT NULL,
  response_content  TEXT,
  response_output   JSONB,
  input_tokens      INT NOT NULL DEFAULT 0,
  output_tokens     INT NOT NULL DEFAULT 0,
  -- Prices used for this row (USD per 1M tokens), so the cost can be re-derived from the row alone.
  input_usd_per_m   NUMERIC(20,9) NOT NULL DEFAULT 0,
  output_usd_per_m  NUMERIC(20,9) NOT NULL DEFAULT 0,
  cost_usd          NUMERIC(20,9) NOT NULL DEFAULT 0,
  latency_ms        INT,
  error             TEXT,
  provider_request_id TEXT
);
CREATE INDEX llm_calls_workflow ON llm_calls (workflow_id, at);
CREATE INDEX llm_calls_at ON llm_calls (at);

-- The global daily spend ledger (UTC days). A call reserves its worst-case cost before it is sent and
-- settles to the real cost after, so concurrent workers can never send a call that would cross the cap.
-- `cap_usd` overrides DAILY_SPEND_CAP_USD for that day (a person raising today's cap).
CREATE TABLE llm_daily_spend (
  day           DATE PRIMARY KEY,
  spent_usd     NUMERIC(20,9) NOT NULL DEFAULT 0,
  reserved_usd  NUMERIC(20,9) NOT NULL DEFAULT 0,
  cap_usd       NUMERIC(20,9),
  refusals      INT NOT NULL DEFAULT 0,
  CHECK (spent_usd >= 0 AND reserved_usd >= 0)
);

-- Opt-in response cache (temperature 0 only): identical model + messages + schema → the validated output.
CREATE TABLE llm_cache (
  key           TEXT PRIMARY KEY,
  model         TEXT NOT NULL,
  schema_name   TEXT NOT NULL,
  content       TEXT NOT NULL,
  output        JSONB NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  hits          INT NOT NULL DEFAULT 0,
  last_hit_at   TIMESTAMPTZ
);

-- The reference agentDecision pipeline's record of what it decided and who let it through: the next
-- step after an agent, and the source of truth (the agent's output was only a candidate).
CREATE TABLE agent_decisions (
  id            BIGSERIAL PRIMARY KEY,
  at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  workflow_id   TEXT NOT NULL,
  request_id    TEXT NOT NULL,
  action        TEXT NOT NULL,
  confidence    DOUBLE PRECISION NOT NULL,
  decided_by    TEXT NOT NULL,
  decision      JSONB NOT NULL,
  UNIQUE (workflow_id, request_id)
);
