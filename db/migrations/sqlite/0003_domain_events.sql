-- Typed domain events, and the outbox as one delivery per channel of each event: a
-- service records the event, and each channel (mail now; webhooks next) gets its own
-- outbox row, claimed, retried and marked per channel. Rows written before this
-- migration have no event (event_id NULL) and are mail. (SQLite cannot add a composite
-- foreign key to an existing table; the repositories write both in one transaction.)
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('events', 0);
CREATE TABLE events (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor_id INTEGER,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_newest ON events (tenant_id, created_at DESC, id DESC);

ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'mail';
ALTER TABLE outbox ADD COLUMN event_id INTEGER;
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);

-- migrate:down
DROP INDEX outbox_by_event;
ALTER TABLE outbox DROP COLUMN event_id;
ALTER TABLE outbox DROP COLUMN channel;
DROP TABLE events;
DELETE FROM id_sequences WHERE name = 'events';
