-- Each daily-cap reservation, with its expiry (the activity's start-to-close timeout): a worker that dies
-- holding one leaks it only until then, not until UTC midnight. llm_daily_spend.reserved_usd stays the sum
-- of the live ones (expired ones are reclaimed by the next reservation of the day).
CREATE TABLE llm_spend_reservations (
  id            BIGSERIAL PRIMARY KEY,
  day           DATE NOT NULL REFERENCES llm_daily_spend (day),
  estimate_usd  NUMERIC(20,9) NOT NULL CHECK (estimate_usd >= 0),
  reserved_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX llm_spend_reservations_day_expires ON llm_spend_reservations (day, expires_at);
