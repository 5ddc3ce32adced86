-- Context shared by agents across workflows. Every object carries a version; an update names the version it
-- read and fails with a conflict when someone else wrote in between (no silent lost updates). Every accepted
-- change is kept as an event (who, when, diff), so a merged state can always be explained.
CREATE TABLE shared_objects (
  key         TEXT PRIMARY KEY,
  version     INT NOT NULL,
  data        JSONB NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_by  TEXT NOT NULL
);

CREATE TABLE shared_object_events (
  id          BIGSERIAL PRIMARY KEY,
  key         TEXT NOT NULL,
  version     INT NOT NULL,
  actor       TEXT NOT NULL,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  diff        JSONB NOT NULL,
  UNIQUE (key, version)
);

-- Conflicts are counted, not just thrown: contention is something to watch.
CREATE TABLE shared_object_conflicts (
  key         TEXT PRIMARY KEY,
  conflicts   BIGINT NOT NULL DEFAULT 0
);
