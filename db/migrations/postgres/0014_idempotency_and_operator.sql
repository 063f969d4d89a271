-- Idempotency keys and the operator's tenant status (API.md, Idempotency keys and
-- Operators). A key is kept per tenant, caller (user, API key or anonymous client
-- address) and key for 24 hours: the SHA-256 of the first request (method, target,
-- body) and, once it finished below 500, its response. A row without a status is a
-- request still in flight (a repeat is 409); `started_at` lets a later request take
-- over a marker whose process died. Expired rows are removed by the maintenance sweep.
-- A suspended tenant answers every request with 403 and its outbox waits.
-- migrate:up
-- The CHECK as a statement of its own: Citus refuses ADD COLUMN … CHECK on a
-- distributed (reference) table (deploy/SCALING.md).
ALTER TABLE tenants ADD COLUMN status text NOT NULL DEFAULT 'active';
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended'));

CREATE TABLE idempotency_keys (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    caller text NOT NULL,
    key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    status integer,
    content_type text,
    location text,
    etag text,
    body text,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, caller, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (tenant_id, expires_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

-- migrate:down
DROP TABLE idempotency_keys;
ALTER TABLE tenants DROP COLUMN status;
