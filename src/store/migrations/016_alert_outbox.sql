-- The alerts table becomes a transactional outbox. A row is recorded `pending` before any channel is tried
-- and becomes `delivered` only once every channel accepted it. A crash between recording and sending, or a
-- channel that is down, leaves it pending: the retry of the same activity (found by `outbox_key`) or the
-- worker's relay delivers it, at least once; receivers de-duplicate by the alert id. `claimed_until` keeps
-- the sender and the relay from sending one row at the same moment; `next_attempt_at` spaces out retries.
-- Rows from before this migration were sent (or tried) by the old code: they count as delivered.
ALTER TABLE alerts
  ADD COLUMN status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'suppressed')),
  ADD COLUMN outbox_key      TEXT,
  ADD COLUMN attempts        INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN last_error      TEXT,
  ADD COLUMN claimed_by      TEXT,
  ADD COLUMN claimed_until   TIMESTAMPTZ,
  ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  ADD COLUMN delivered_at    TIMESTAMPTZ;
UPDATE alerts SET status = CASE WHEN suppressed THEN 'suppressed' ELSE 'delivered' END;
CREATE UNIQUE INDEX alerts_outbox_key ON alerts (outbox_key);
CREATE INDEX alerts_pending ON alerts (next_attempt_at) WHERE status = 'pending';
