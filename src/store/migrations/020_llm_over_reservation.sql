-- A call that cost more than it reserved (an endpoint that ignored the token limit): recorded at its real
-- cost, and flagged so it can be counted and found (llm/overReservation.ts).
ALTER TABLE llm_calls ADD COLUMN over_reservation BOOLEAN NOT NULL DEFAULT false;
