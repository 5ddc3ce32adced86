-- Submit-and-verify: the idempotency record of every irreversible submission, and the circuit breakers
-- that stop a failing step across all executions until a person clears them.

-- One row per fingerprint (recordId + entityId + businessDate). Written `pending` BEFORE the POST and
-- `done` with the portal's confirmation after it. While `pending`, `posted_at` set means a POST went out
-- whose outcome is unknown (crash, timeout, dropped connection): the next attempt must reconcile with the
-- portal before it may POST again. The lease stops two attempts from working one fingerprint at once.
CREATE TABLE fingerprints (
  key                 TEXT PRIMARY KEY,
  record_id           TEXT NOT NULL,
  entity_id           TEXT NOT NULL,
  business_date       DATE NOT NULL,
  status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  payload             JSONB NOT NULL DEFAULT '{}'::jsonb,
  confirmation        TEXT,
  portal_received_at  TIMESTAMPTZ,
  submitted_at        TIMESTAMPTZ,
  via                 TEXT CHECK (via IN ('posted', 'reconciled')),
  posted_at           TIMESTAMPTZ,
  post_count          INT NOT NULL DEFAULT 0,
  attempts            INT NOT NULL DEFAULT 0,
  last_error          TEXT,
  lease_owner         TEXT,
  lease_until         TIMESTAMPTZ,
  created_by          TEXT,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (status <> 'done' OR confirmation IS NOT NULL)
);
CREATE INDEX fingerprints_record ON fingerprints (record_id);
CREATE INDEX fingerprints_pending ON fingerprints (updated_at) WHERE status = 'pending';

-- One breaker per pipeline + step, shared by every execution. Opens at `threshold` consecutive failures;
-- a success while closed resets the count; only a person (or a resolution naming one) closes an open one.
CREATE TABLE circuit_breakers (
  pipeline              TEXT NOT NULL,
  step                  TEXT NOT NULL,
  state                 TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open')),
  consecutive_failures  INT NOT NULL DEFAULT 0,
  threshold             INT NOT NULL DEFAULT 2 CHECK (threshold >= 1),
  first_failure         JSONB,
  latest_failure        JSONB,
  opened_at             TIMESTAMPTZ,
  last_success_at       TIMESTAMPTZ,  -- last success seen while failures were counted or the breaker was open
  cleared_by            TEXT,
  cleared_at            TIMESTAMPTZ,
  clear_reason          TEXT,
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, step)
);

-- Every failure, reset, opening and clearing of a breaker: the history behind "who cleared it, when, and
-- what had failed".
CREATE TABLE circuit_breaker_events (
  id           BIGSERIAL PRIMARY KEY,
  at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  pipeline     TEXT NOT NULL,
  step         TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('failure', 'opened', 'success', 'reset', 'cleared')),
  actor        TEXT,
  workflow_id  TEXT,
  detail       JSONB NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX circuit_breaker_events_step ON circuit_breaker_events (pipeline, step, at);
