-- The shared resource broker: one limiter per external API for every workflow and every worker.
-- broker_buckets holds each API's quota (written from config by the workers) and a shared pause set when
-- the provider answers 429 anyway; broker_calls is the ledger of every call: its granted slot (the
-- rolling-window "token"), how long it queued, and what the API answered. The ledger is also where
-- `breakwater broker status` and the metrics read admitted-per-minute, queued time and 429s.
CREATE TABLE broker_buckets (
  api            TEXT PRIMARY KEY,
  limit_per_window INT NOT NULL CHECK (limit_per_window > 0),
  window_ms      INT NOT NULL CHECK (window_ms > 0),
  margin_ms      INT NOT NULL DEFAULT 0 CHECK (margin_ms >= 0),
  -- Set from a 429's Retry-After: no slot is granted before this time, for any caller.
  paused_until   TIMESTAMPTZ,
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE broker_calls (
  id             BIGSERIAL PRIMARY KEY,
  api            TEXT NOT NULL,
  -- 'rolling-window' (admitted by the bucket) or 'off' (broker disabled: recorded, not limited).
  limiter        TEXT NOT NULL,
  requested_at   TIMESTAMPTZ NOT NULL,
  slot_at        TIMESTAMPTZ NOT NULL,
  queued_ms      INT NOT NULL,
  finished_at    TIMESTAMPTZ,
  -- pending | ok | rate-limited | error
  outcome        TEXT NOT NULL DEFAULT 'pending',
  http_status    INT,
  retry_after_ms INT,
  workflow_id    TEXT,
  activity_id    TEXT,
  -- host:pid of the worker process that made the call.
  worker         TEXT,
  attempt        INT
);
CREATE INDEX broker_calls_api_slot ON broker_calls (api, slot_at);
