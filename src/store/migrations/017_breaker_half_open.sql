-- An opt-in half-open probe for circuit breakers (for steps whose call is safe to try again, e.g. reads).
-- By default an open breaker stays open until a person clears it: that is the design for irreversible
-- effects. A step that opts in records its cool-down here when it fails; once `half_open_after_ms` has
-- passed since `opened_at`, exactly one caller claims the probe (state 'half-open') under a lease, so a
-- crashed prober blocks the breaker only until `probe_lease_until`.
ALTER TABLE circuit_breakers DROP CONSTRAINT circuit_breakers_state_check;
ALTER TABLE circuit_breakers ADD CONSTRAINT circuit_breakers_state_check CHECK (state IN ('closed', 'open', 'half-open'));
ALTER TABLE circuit_breakers
  ADD COLUMN half_open_after_ms  BIGINT CHECK (half_open_after_ms > 0),  -- NULL: only a person closes it
  ADD COLUMN probe_owner         TEXT,         -- the attempt admitted as the probe (workflow/run/activity#attempt)
  ADD COLUMN probe_workflow_id   TEXT,
  ADD COLUMN probe_started_at    TIMESTAMPTZ,
  ADD COLUMN probe_lease_until   TIMESTAMPTZ,
  ADD CONSTRAINT circuit_breakers_probe_while_half_open CHECK ((state = 'half-open') = (probe_owner IS NOT NULL AND probe_lease_until IS NOT NULL));

-- 'probe': a caller was admitted as the probe; 'probe-released': it ended without reaching the system (the
-- probe is due again at once); 'reopened': a failure while half-open (a fresh cool-down). A probe's success
-- is a 'cleared' event with actor 'half-open-probe'.
ALTER TABLE circuit_breaker_events DROP CONSTRAINT circuit_breaker_events_kind_check;
ALTER TABLE circuit_breaker_events ADD CONSTRAINT circuit_breaker_events_kind_check
  CHECK (kind IN ('failure', 'opened', 'success', 'reset', 'cleared', 'probe', 'probe-released', 'reopened'));
