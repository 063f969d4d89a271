-- The Redis queue (ats worker) and several delivering processes share the outbox:
-- queued_at records when the relay last put a row on the Redis stream (a row queued
-- long ago and still undelivered is queued again: the stream may have been lost), and
-- lease_until is a delivery claim, so two processes never send the same row at once.
-- migrate:up
ALTER TABLE outbox ADD COLUMN queued_at timestamptz;
ALTER TABLE outbox ADD COLUMN lease_until timestamptz;

-- migrate:down
ALTER TABLE outbox DROP COLUMN lease_until;
ALTER TABLE outbox DROP COLUMN queued_at;
