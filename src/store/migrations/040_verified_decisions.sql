-- Who may decide is proven, not claimed: every audit row says whom the worker verified (a signature by the
-- approver's key, the inbox vouching for a logged-in approver, or nobody: development mode, refused).
ALTER TABLE audit_log ADD COLUMN verified_by TEXT;
ALTER TABLE audit_log ADD COLUMN verification TEXT;
-- A signed decision is used once: a copied signature (the same bytes replayed) is refused.
CREATE TABLE used_decision_signatures (
  signature  TEXT PRIMARY KEY,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  used_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
