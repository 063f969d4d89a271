-- Webhook subscriptions. Deliveries are outbox rows of channel 'webhook' (recipient:
-- the webhook's id, kind: the event type, payload: the event's data), so they are
-- claimed, retried and relayed through Redis exactly like mail; the outbox gains what
-- the delivery log shows (the receiver's status and the attempt's duration). Secrets
-- are stored sealed with a key derived from SECRET_KEY; after a rotation the previous
-- one keeps signing until previous_secret_until.
-- migrate:up
INSERT INTO id_sequences (name, value) VALUES ('webhooks', 0);
CREATE TABLE webhooks (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id INTEGER NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_success_at TEXT,
    last_failure_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhooks_active ON webhooks (tenant_id, active, id);
ALTER TABLE outbox ADD COLUMN response_status INTEGER;
ALTER TABLE outbox ADD COLUMN duration_ms INTEGER;
CREATE INDEX outbox_by_recipient ON outbox (tenant_id, channel, recipient, created_at DESC, id DESC);

-- migrate:down
DROP INDEX outbox_by_recipient;
ALTER TABLE outbox DROP COLUMN duration_ms;
ALTER TABLE outbox DROP COLUMN response_status;
DROP TABLE webhooks;
DELETE FROM id_sequences WHERE name = 'webhooks';
