-- The researchAgent reference pipeline's tables: notes its `saveNote` (write) tool saves and pages its
-- `publish` (irreversible) tool puts out, keyed by the tool call's idempotency key. `writes` counts every
-- time the tool's code reached the row: 1 means the call ran once.
CREATE TABLE research_notes (
  id              BIGSERIAL PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id     TEXT NOT NULL,
  title           TEXT NOT NULL,
  body            TEXT NOT NULL,
  source          TEXT NOT NULL,
  writes          INTEGER NOT NULL DEFAULT 1,
  at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE research_publications (
  id              BIGSERIAL PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id     TEXT NOT NULL,
  title           TEXT NOT NULL,
  summary         TEXT NOT NULL,
  writes          INTEGER NOT NULL DEFAULT 1,
  at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
