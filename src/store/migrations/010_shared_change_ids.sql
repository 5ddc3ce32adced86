-- Idempotent shared-state updates. A change carries an id (applySharedChange derives it from its workflow),
-- recorded with the change's event in the write's own transaction, once per object. A retry of a change
-- whose write committed but whose acknowledgement was lost finds the id and gets the recorded result (the
-- version it landed as and the object it wrote) instead of applying the change a second time.
-- Events written before this migration, and writes that name no id, have none (NULLs never collide).
ALTER TABLE shared_object_events ADD COLUMN change_id TEXT;
ALTER TABLE shared_object_events ADD COLUMN data JSONB;
CREATE UNIQUE INDEX shared_object_events_change_id ON shared_object_events (key, change_id);
