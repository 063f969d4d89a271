-- Privacy: an event names the application it is about (events.application_id), so
-- anonymizing a person finds the events that name them by index instead of by scanning
-- payloads; and tenant_tasks holds each tenant's scheduled maintenance (the daily
-- retention sweep): when it is next due and who holds it now, so that every replica may
-- look and exactly one runs it (a lease in the database, not a timer per process).
-- migrate:up
ALTER TABLE events ADD COLUMN application_id bigint;
ALTER TABLE events NO FORCE ROW LEVEL SECURITY;
UPDATE events SET application_id = (payload::jsonb ->> 'application_id')::bigint WHERE payload::jsonb ? 'application_id';
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE INDEX events_by_application ON events (tenant_id, application_id) WHERE application_id IS NOT NULL;

CREATE TABLE tenant_tasks (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    name text NOT NULL,
    due_at timestamptz NOT NULL,
    leased_until timestamptz,
    leased_by text,
    last_run_at timestamptz,
    PRIMARY KEY (tenant_id, name)
);
ALTER TABLE tenant_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_tasks
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE tenant_tasks;
DROP INDEX events_by_application;
ALTER TABLE events DROP COLUMN application_id;
