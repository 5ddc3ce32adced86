-- Plan–execute–review pipelines (issue 5).

-- Reference taxonomies a plan may use. The resource gate finds a `taxonomy` resource here (by name, with at
-- least one term); a taxonomy the planner made up is not here, so its plan never runs a step.
CREATE TABLE taxonomies (
  name        TEXT PRIMARY KEY,
  terms       TEXT[] NOT NULL,
  description TEXT,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (cardinality(terms) > 0)
);

-- Every value a planExecuteReview run wrote, with where it came from: source-system, agent-inferred
-- (role, model, confidence, reviewedBy) or human (by). `provenance_kind` is the column to filter on.
CREATE TABLE plan_output_values (
  workflow_id     TEXT NOT NULL,
  task_id         TEXT NOT NULL,
  record_id       TEXT NOT NULL,
  field           TEXT NOT NULL,
  value           TEXT,
  provenance_kind TEXT NOT NULL CHECK (provenance_kind IN ('source-system', 'agent-inferred', 'human')),
  provenance      JSONB NOT NULL,
  written_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, record_id, field)
);
CREATE INDEX plan_output_values_task ON plan_output_values (task_id, provenance_kind);

-- One row per run: how it ended, what the guards counted, the drift found and the coordination log.
CREATE TABLE plan_runs (
  workflow_id       TEXT PRIMARY KEY,
  task_id           TEXT NOT NULL,
  status            TEXT NOT NULL,
  plan_size         INT NOT NULL DEFAULT 0,
  executed_steps    INT NOT NULL DEFAULT 0,
  replans           INT NOT NULL DEFAULT 0,
  cost_usd          NUMERIC(20,9) NOT NULL DEFAULT 0,
  trip              JSONB,
  drift             JSONB NOT NULL DEFAULT '[]',
  coordination_log  JSONB NOT NULL DEFAULT '[]',
  finished_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
