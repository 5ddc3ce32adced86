-- A fingerprint's payload is only ever compared (is this the request the fingerprint was first submitted
-- with?), never read back. With the payload encryption keys configured, `payload` holds the request sealed
-- (src/codec/sealed.ts) and `payload_mac` its keyed digest (`<key id>:<HMAC>`), which the comparison uses
-- instead: a sealed value has a fresh IV each time and cannot be compared. Rows from before keep NULL here
-- and are compared by their clear payload, as they always were.
ALTER TABLE fingerprints ADD COLUMN payload_mac TEXT;
