-- A call of unknown outcome (timeout, lost response) is charged its worst case: the row says it is an estimate.
ALTER TABLE llm_calls ADD COLUMN cost_estimated BOOLEAN NOT NULL DEFAULT false;
