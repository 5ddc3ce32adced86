-- A dead letter's input as the run received it, kept for `breakwater dlq replay` and nothing else. `input`
-- stays the redacted copy people see (dlq list/show); redaction is for display and logs, never for what is
-- re-sent. Not encrypted: it holds what the run's own Temporal history and the effect's fingerprint row
-- (fingerprints.payload) already hold in clear, readable by the same database role. Letters filed before
-- this column have NULL here: a replay sends their stored copy only if redaction changed nothing in it.
ALTER TABLE dead_letters ADD COLUMN original_input JSONB;
