-- People (issue: accounts and people): a user gains a candidate profile (phone,
-- location, links and tags as JSON arrays, source), updated_at, a session epoch (every
-- token carries the epoch it was issued in; a password change, reset or logout bumps it,
-- so older tokens are refused even within the same second), the last sign-in or profile
-- change (retention), and when it was anonymized. A user created by staff without a
-- password has password_hash '' until an invitation or reset sets one. A notification
-- gains the status `cancelled` (anonymized recipients' pending mail): SQLite cannot
-- change a CHECK, so the outbox is rebuilt with the same columns and indexes.
-- migrate:up
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN location TEXT;
ALTER TABLE users ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN source TEXT;
ALTER TABLE users ADD COLUMN updated_at TEXT;
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_active_at TEXT;
ALTER TABLE users ADD COLUMN anonymized_at TEXT;
UPDATE users SET updated_at = created_at;
CREATE TABLE outbox_rebuilt (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    available_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    queued_at TEXT,
    lease_until TEXT,
    channel TEXT NOT NULL DEFAULT 'mail',
    event_id INTEGER,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO outbox_rebuilt (tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
                            queued_at, lease_until, channel, event_id)
SELECT tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
       queued_at, lease_until, channel, event_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (available_at, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_newest ON outbox (tenant_id, created_at DESC, id DESC);
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);

-- migrate:down
UPDATE outbox SET status = 'dead' WHERE status = 'cancelled';
CREATE TABLE outbox_rebuilt (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    available_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    queued_at TEXT,
    lease_until TEXT,
    channel TEXT NOT NULL DEFAULT 'mail',
    event_id INTEGER,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO outbox_rebuilt (tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
                            queued_at, lease_until, channel, event_id)
SELECT tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at,
       queued_at, lease_until, channel, event_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (available_at, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_newest ON outbox (tenant_id, created_at DESC, id DESC);
CREATE INDEX outbox_by_event ON outbox (tenant_id, event_id);
ALTER TABLE users DROP COLUMN anonymized_at;
ALTER TABLE users DROP COLUMN last_active_at;
ALTER TABLE users DROP COLUMN session_epoch;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN source;
ALTER TABLE users DROP COLUMN tags;
ALTER TABLE users DROP COLUMN links;
ALTER TABLE users DROP COLUMN location;
ALTER TABLE users DROP COLUMN phone;
