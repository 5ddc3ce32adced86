-- Effects: the fingerprint store serves any irreversible effect, not only the portal submission. A
-- fingerprint is the effect's name plus the fields the user chose (any, not record/entity/date); the key
-- is derived from them (src/contracts/effect.ts effectKey) and the fields are kept for people to read.
ALTER TABLE fingerprints ADD COLUMN effect TEXT;
ALTER TABLE fingerprints ADD COLUMN fields JSONB NOT NULL DEFAULT '{}'::jsonb;
UPDATE fingerprints SET effect = 'portal',
  fields = jsonb_build_object('recordId', record_id, 'entityId', entity_id, 'businessDate', business_date::text),
  key = 'portal:' || key;
ALTER TABLE fingerprints ALTER COLUMN effect SET NOT NULL;
ALTER TABLE fingerprints DROP COLUMN record_id, DROP COLUMN entity_id, DROP COLUMN business_date;
ALTER TABLE fingerprints RENAME COLUMN portal_received_at TO received_at;
CREATE INDEX fingerprints_effect ON fingerprints (effect, created_at);
