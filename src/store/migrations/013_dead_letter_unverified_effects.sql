-- The effect a dead letter's work left with a confirmation no look ever saw ({fingerprint, confirmation}),
-- so that `breakwater dlq replay` reopens that fingerprint — reconcile first, re-send only if absent —
-- instead of re-verifying the lost call. NULL for every other letter (their replay is unchanged).
ALTER TABLE dead_letters ADD COLUMN unverified_effect JSONB;
