-- Idempotency keys and the operator's tenant status (API.md, Idempotency keys and
-- Operators). A key is kept per tenant, caller (user, API key or anonymous client
-- address) and key for 24 hours: the SHA-256 of the first request (method, target,
-- body) and, once it finished below 500, its response. A row without a status is a
-- request still in flight (a repeat is 409); `started_at` lets a later request take
-- over a marker whose process died. Expired rows are removed by the maintenance sweep.
-- A suspended tenant answers every request with 403 and its outbox waits.
-- migrate:up
ALTER TABLE tenants ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended'));

CREATE TABLE idempotency_keys (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    caller TEXT NOT NULL,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    status INTEGER,
    content_type TEXT,
    location TEXT,
    etag TEXT,
    body TEXT,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, caller, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (tenant_id, expires_at);

-- migrate:down
DROP TABLE idempotency_keys;
ALTER TABLE tenants DROP COLUMN status;
