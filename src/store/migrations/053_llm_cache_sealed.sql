-- The LLM cache's answer text becomes JSONB, so that with the payload encryption keys configured it can hold
-- a sealed value (src/codec/sealed.ts) as `output` already could. Rows from before become JSON strings,
-- which open to themselves: they are served as they were.
ALTER TABLE llm_cache ALTER COLUMN content TYPE JSONB USING to_jsonb(content);
