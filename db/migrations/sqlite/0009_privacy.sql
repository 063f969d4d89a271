-- Privacy: an event names the application it is about (events.application_id), so
-- anonymizing a person finds the events that name them by index instead of by scanning
-- payloads; and tenant_tasks holds each tenant's scheduled maintenance (the daily
-- retention sweep): when it is next due and who holds it now, so that every replica may
-- look and exactly one runs it (a lease in the database, not a timer per process).
-- migrate:up
ALTER TABLE events ADD COLUMN application_id INTEGER;
UPDATE events SET application_id = json_extract(payload, '$.application_id') WHERE json_type(payload, '$.application_id') = 'integer';
CREATE INDEX events_by_application ON events (tenant_id, application_id) WHERE application_id IS NOT NULL;

CREATE TABLE tenant_tasks (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    due_at TEXT NOT NULL,
    leased_until TEXT,
    leased_by TEXT,
    last_run_at TEXT,
    PRIMARY KEY (tenant_id, name)
);

-- migrate:down
DROP TABLE tenant_tasks;
DROP INDEX events_by_application;
ALTER TABLE events DROP COLUMN application_id;
