-- The audit log (API.md, Audit log): one row per successful write, login (or failed
-- login), logout, password change and reset, written by the services in the same
-- transaction as what it records. SQLite has no roles, so triggers keep it append-only
-- as PostgreSQL's grants and functions do: no UPDATE ever, and a DELETE only of rows
-- older than 400 days or of a tenant whose row is already gone. No foreign keys: an
-- entry outlives the user, key or resource it names.
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('audit_events', 0);
CREATE TABLE audit_events (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    actor_id INTEGER,
    api_key_id INTEGER,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id INTEGER,
    request_id TEXT,
    ip TEXT,
    created_at TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_newest ON audit_events (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_resource ON audit_events (tenant_id, resource_type, resource_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (tenant_id, actor_id, created_at DESC, id DESC) WHERE actor_id IS NOT NULL;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- Timestamps are stored as RFC 3339 text (UTC, `Z`), so text order is time order.
CREATE TRIGGER audit_events_kept BEFORE DELETE ON audit_events
WHEN EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) AND OLD.created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-400 days') BEGIN
    SELECT RAISE(ABORT, 'audit entries are kept 400 days, or until their tenant is deleted');
END;

-- migrate:down
DROP TRIGGER audit_events_kept;
DROP TRIGGER audit_events_append_only;
DROP TABLE audit_events;
DELETE FROM id_sequences WHERE name = 'audit_events';
