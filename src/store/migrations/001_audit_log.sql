-- Every action a person takes on a pipeline (resolve an escalation, clear a breaker, raise a budget),
-- and every refused attempt, so "who did what, when" never depends on logs.
CREATE TABLE audit_log (
  id          BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  accepted    BOOLEAN NOT NULL,
  detail      JSONB NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_target ON audit_log (target, at);
